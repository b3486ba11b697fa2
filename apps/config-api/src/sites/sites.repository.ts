import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { IntegrationRepository, SiteEntity } from '@bpo/persistence';
import { definedOnly } from '../common/defined.util';
import { findOwned, requireOwned } from '../common/organization-scope.util';
import type { SiteResponse } from './site.dto';

interface SiteRow {
  id: string;
  name: string;
  timezone: string;
  is_bpo: boolean;
  integration_id: string | null;
  created_at: Date;
}

const SELECT_SITES = `SELECT s.id, s.name, s.timezone, s.is_bpo, s.created_at, i.id AS integration_id
  FROM sites s LEFT JOIN integrations i ON i.site_id = s.id`;

@Injectable()
export class SitesRepository {
  constructor(private readonly dataSource: DataSource) {}

  async create(organizationId: string, values: { name: string; timezone: string; isBpo: boolean }): Promise<SiteResponse> {
    const site = await this.dataSource.getRepository(SiteEntity).save({ organizationId, ...values });
    return this.get(organizationId, site.id);
  }

  async list(organizationId: string): Promise<SiteResponse[]> {
    const rows: SiteRow[] = await this.dataSource.query(`${SELECT_SITES} WHERE s.organization_id = $1 ORDER BY s.name, s.id`, [organizationId]);
    return rows.map(toSiteResponse);
  }

  async get(organizationId: string, id: string, manager: EntityManager = this.dataSource.manager): Promise<SiteResponse> {
    await findOwned(manager, SiteEntity, organizationId, id);
    const [row]: SiteRow[] = await manager.query(`${SELECT_SITES} WHERE s.id = $1`, [id]);
    return toSiteResponse(row);
  }

  /** Sites among `ids` that have an integration (they cannot stop being BPOs). */
  async withIntegration(manager: EntityManager, ids: readonly string[]): Promise<string[]> {
    return [...(await new IntegrationRepository(manager).platformsOfSites(ids)).keys()];
  }

  /** Runs `work` in a transaction after checking (and locking) that every site belongs to the organization. */
  async update<T>(organizationId: string, ids: readonly string[], work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (manager) => {
      await requireOwned(manager, SiteEntity, organizationId, ids);
      await manager.query('SELECT id FROM sites WHERE id = ANY($1::uuid[]) FOR UPDATE', [ids]);
      return work(manager);
    });
  }

  async set(manager: EntityManager, ids: readonly string[], values: Partial<Pick<SiteEntity, 'name' | 'timezone' | 'isBpo'>>): Promise<void> {
    const changes = definedOnly(values);
    if (Object.keys(changes).length > 0) await manager.update(SiteEntity, [...ids], changes);
  }

  /** Its integration, agents and their events go with it (foreign keys cascade). */
  async delete(organizationId: string, id: string): Promise<void> {
    await findOwned(this.dataSource.manager, SiteEntity, organizationId, id);
    await this.dataSource.getRepository(SiteEntity).delete({ id });
  }
}

function toSiteResponse(row: SiteRow): SiteResponse {
  return { id: row.id, name: row.name, timezone: row.timezone, isBpo: row.is_bpo, integrationId: row.integration_id, createdAt: row.created_at.toISOString() };
}
