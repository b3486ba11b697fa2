import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { IntegrationRepository, SiteEntity, SiteRepository } from '@bpo/persistence';
import { definedOnly } from '../common/defined.util';
import { findOwned, requireOwned } from '../common/organization-scope.util';
import type { SiteResponse } from './site.dto';

@Injectable()
export class SitesRepository {
  constructor(private readonly dataSource: DataSource) {}

  async create(organizationId: string, values: { name: string; timezone: string; isBpo: boolean }): Promise<SiteResponse> {
    const site = await this.dataSource.getRepository(SiteEntity).save({ organizationId, ...values });
    return this.get(organizationId, site.id);
  }

  async list(organizationId: string): Promise<SiteResponse[]> {
    const sites = await this.dataSource.getRepository(SiteEntity).find({ where: { organizationId }, order: { name: 'ASC', id: 'ASC' } });
    return this.withIntegrationIds(this.dataSource.manager, sites);
  }

  async get(organizationId: string, id: string, manager: EntityManager = this.dataSource.manager): Promise<SiteResponse> {
    const site = await findOwned(manager, SiteEntity, organizationId, id);
    const [response] = await this.withIntegrationIds(manager, [site]);
    return response;
  }

  /** Sites among `ids` that have an integration (they cannot stop being BPOs). */
  async withIntegration(manager: EntityManager, ids: readonly string[]): Promise<string[]> {
    return [...(await new IntegrationRepository(manager).bySite(ids)).keys()];
  }

  private async withIntegrationIds(manager: EntityManager, sites: readonly SiteEntity[]): Promise<SiteResponse[]> {
    const integrations = await new IntegrationRepository(manager).bySite(sites.map((site) => site.id));
    return sites.map((site) => toSiteResponse(site, integrations.get(site.id)?.id ?? null));
  }

  /** Runs `work` in a transaction after checking (and locking) that every site belongs to the organization. */
  async update<T>(organizationId: string, ids: readonly string[], work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (manager) => {
      await requireOwned(manager, SiteEntity, organizationId, ids);
      await new SiteRepository(manager).lockForUpdate(ids);
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

function toSiteResponse(site: SiteEntity, integrationId: string | null): SiteResponse {
  return { id: site.id, name: site.name, timezone: site.timezone, isBpo: site.isBpo, integrationId, createdAt: site.createdAt.toISOString() };
}
