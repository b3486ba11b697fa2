import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Platform, ReplaceScope } from '@bpo/contracts';
import { IntegrationEntity, ScheduleEntity, SiteEntity } from '@bpo/persistence';
import { ConfigApiErrorCode, ConfigApiException } from '../common/config-api.exception';
import { definedOnly } from '../common/defined.util';
import { findOwned } from '../common/organization-scope.util';
import { isUniqueViolation } from '../common/pg-error.util';

/** An integration with what its answers need from its site and keys. */
export interface IntegrationRow {
  id: string;
  site_id: string;
  site_name: string;
  site_timezone: string;
  platform: Platform;
  sftp_username: string;
  ssh_key_count: number;
  timezone: string | null;
  target_schedule_id: string | null;
  sync_past_events: boolean;
  replace_scope: ReplaceScope;
  default_event_type_id: string | null;
  date_order: string;
  encoding: string;
  title_lines: number;
  expected_cadence_minutes: number;
  stale_since: Date | null;
  created_at: Date;
  updated_at: Date;
}

export type IntegrationSettings = Partial<
  Pick<IntegrationEntity, 'targetScheduleId' | 'syncPastEvents' | 'replaceScope' | 'timezone' | 'dateOrder' | 'encoding' | 'titleLines' | 'defaultEventTypeId' | 'expectedCadenceMinutes'>
>;

const SELECT_INTEGRATIONS = `SELECT i.id, i.site_id, s.name AS site_name, s.timezone AS site_timezone, i.platform, i.sftp_username,
    (SELECT count(*)::int FROM integration_ssh_keys k WHERE k.integration_id = i.id) AS ssh_key_count,
    i.timezone, i.target_schedule_id, i.sync_past_events, i.replace_scope, i.default_event_type_id, i.date_order, i.encoding,
    i.title_lines, i.expected_cadence_minutes, i.stale_since, i.created_at, i.updated_at
  FROM integrations i JOIN sites s ON s.id = i.site_id`;

@Injectable()
export class IntegrationsRepository {
  constructor(private readonly dataSource: DataSource) {}

  site(organizationId: string, siteId: string): Promise<SiteEntity> {
    return findOwned(this.dataSource.manager, SiteEntity, organizationId, siteId);
  }

  async integrationOfSite(siteId: string): Promise<string | null> {
    const integration = await this.dataSource.getRepository(IntegrationEntity).findOneBy({ siteId });
    return integration?.id ?? null;
  }

  /**
   * Inserts the integration; a taken username (another site with the same slug and suffix) answers
   * false so the caller can draw another, a site that got an integration meanwhile is a conflict.
   */
  async create(values: Pick<IntegrationEntity, 'organizationId' | 'siteId' | 'platform' | 'sftpUsername' | 'sftpPasswordHash' | 'dateOrder'>): Promise<string | false> {
    try {
      const saved = await this.dataSource.getRepository(IntegrationEntity).save(values);
      return saved.id;
    } catch (error) {
      if (isUniqueViolation(error, 'integrations_sftp_username_key')) return false;
      if (isUniqueViolation(error, 'integrations_site_id_key')) {
        throw new ConfigApiException(ConfigApiErrorCode.SiteHasIntegration, `site ${values.siteId} already has an integration`);
      }
      throw error;
    }
  }

  async list(organizationId: string): Promise<IntegrationRow[]> {
    return this.dataSource.query(`${SELECT_INTEGRATIONS} WHERE i.organization_id = $1 ORDER BY s.name, i.id`, [organizationId]);
  }

  async get(organizationId: string, id: string): Promise<IntegrationRow> {
    await findOwned(this.dataSource.manager, IntegrationEntity, organizationId, id);
    const [row]: IntegrationRow[] = await this.dataSource.query(`${SELECT_INTEGRATIONS} WHERE i.id = $1`, [id]);
    return row;
  }

  entity(organizationId: string, id: string): Promise<IntegrationEntity> {
    return findOwned(this.dataSource.manager, IntegrationEntity, organizationId, id);
  }

  async requireSchedule(organizationId: string, scheduleId: string): Promise<void> {
    await findOwned(this.dataSource.manager, ScheduleEntity, organizationId, scheduleId);
  }

  async update(id: string, settings: IntegrationSettings): Promise<void> {
    const changes = definedOnly(settings);
    if (Object.keys(changes).length > 0) await this.dataSource.getRepository(IntegrationEntity).update({ id }, changes);
  }

  async setPasswordHash(id: string, sftpPasswordHash: string): Promise<void> {
    await this.dataSource.getRepository(IntegrationEntity).update({ id }, { sftpPasswordHash });
  }

  /** Its keys, mapping rules and received files go with it; events it wrote stay, without their source. */
  async delete(id: string): Promise<void> {
    await this.dataSource.getRepository(IntegrationEntity).delete({ id });
  }
}
