import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { IntegrationEntity, IntegrationRepository, ScheduleEntity, SiteEntity, type IntegrationListing } from '@bpo/persistence';
import { ConfigApiErrorCode, ConfigApiException } from '../common/config-api.exception';
import { definedOnly } from '../common/defined.util';
import { findOwned } from '../common/organization-scope.util';
import { isUniqueViolation } from '../common/pg-error.util';

/** An integration with what its answers need from its site and keys. */
export type IntegrationRow = IntegrationListing;

export type IntegrationSettings = Partial<
  Pick<IntegrationEntity, 'targetScheduleId' | 'syncPastEvents' | 'replaceScope' | 'timezone' | 'dateOrder' | 'encoding' | 'titleLines' | 'defaultEventTypeId' | 'expectedCadenceMinutes'>
>;

@Injectable()
export class IntegrationsRepository {
  private readonly integrations: IntegrationRepository;

  constructor(private readonly dataSource: DataSource) {
    this.integrations = new IntegrationRepository(dataSource);
  }

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

  list(organizationId: string): Promise<IntegrationRow[]> {
    return this.integrations.listing({ organizationId });
  }

  async get(organizationId: string, id: string): Promise<IntegrationRow> {
    await findOwned(this.dataSource.manager, IntegrationEntity, organizationId, id);
    const [row] = await this.integrations.listing({ integrationId: id });
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
