import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Platform, PlatformAgentIdField } from '@bpo/contracts';
import { AgentEntity, AgentRepository, IntegrationRepository, SiteEntity, type AgentListing, type AgentListingFilters, type AgentPage, type PlatformAgentId } from '@bpo/persistence';
import { ConfigApiErrorCode, ConfigApiException, notFound } from '../common/config-api.exception';
import { findOwned } from '../common/organization-scope.util';
import { cursorKeys, type PageWindow } from '../common/pagination.util';
import { isUniqueViolation } from '../common/pg-error.util';
import type { ImportDirectory, ImportLine, PlatformIdWrite } from './agent-import.util';
import { platformIdKey, type PlatformIds } from './platform-ids.util';

export type AgentRow = AgentListing;
export type AgentFilters = AgentListingFilters;

/** An agents page's cursor keys: a forged cursor answers 400, never a database error. */
function after(window: PageWindow): AgentPage['after'] {
  const [name, id] = cursorKeys(window, ['text', 'uuid']) ?? [];
  return name === undefined ? null : { name, id };
}

/** The API's agents: rows through AgentEntity, their listing and platform agent IDs through AgentRepository. */
@Injectable()
export class AgentsRepository {
  private readonly agents: AgentRepository;
  private readonly integrations: IntegrationRepository;

  constructor(private readonly dataSource: DataSource) {
    this.agents = new AgentRepository(dataSource);
    this.integrations = new IntegrationRepository(dataSource);
  }

  list(organizationId: string, filters: AgentFilters, window: PageWindow): Promise<AgentRow[]> {
    // One row more than the page: it only says that there is a next page (toPage).
    return this.agents.list(organizationId, filters, { limit: window.limit + 1, offset: window.after ? 0 : window.offset, after: after(window) });
  }

  async get(organizationId: string, id: string, manager: EntityManager = this.dataSource.manager): Promise<AgentRow> {
    await findOwned(manager, AgentEntity, organizationId, id);
    const row = await new AgentRepository(manager).listing(id);
    // Deleted between the two reads: as if it had never been found.
    if (!row) throw notFound('agent', id);
    return row;
  }

  site(organizationId: string, siteId: string): Promise<SiteEntity> {
    return findOwned(this.dataSource.manager, SiteEntity, organizationId, siteId);
  }

  /** The platform the site is integrated with, or null. */
  async sitePlatform(siteId: string): Promise<Platform | null> {
    return (await this.integrations.bySite([siteId])).get(siteId)?.platform ?? null;
  }

  /** Other agents of the site holding any of these platform ids. */
  async owners(siteId: string, platformIds: PlatformIds, exceptAgentId: string | null): Promise<Map<string, string>> {
    return byPlatformIdKey(await this.agents.holdersOf(siteId, platformIds, exceptAgentId));
  }

  async create(organizationId: string, values: { name: string; email: string | null; siteId: string }, platformIds: PlatformIds): Promise<AgentRow> {
    return this.write(async (manager) => {
      const agent = await manager.save(AgentEntity, manager.create(AgentEntity, { organizationId, ...values }));
      await new AgentRepository(manager).addPlatformIds(platformAgentIdsOf(agent.id, values.siteId, platformIds));
      return this.get(organizationId, agent.id, manager);
    });
  }

  /** Writes the agent and replaces its platform ids with `platformIds` (the whole set). */
  async update(organizationId: string, id: string, values: { name: string; email: string | null; siteId: string }, platformIds: PlatformIds): Promise<AgentRow> {
    return this.write(async (manager) => {
      await manager.update(AgentEntity, { id }, values);
      const agents = new AgentRepository(manager);
      await agents.removeAllPlatformIds(id);
      await agents.addPlatformIds(platformAgentIdsOf(id, values.siteId, platformIds));
      return this.get(organizationId, id, manager);
    });
  }

  async delete(organizationId: string, id: string): Promise<void> {
    await findOwned(this.dataSource.manager, AgentEntity, organizationId, id);
    await this.dataSource.getRepository(AgentEntity).delete({ id });
  }

  /** Everything an import's lines refer to, and nothing more: the agents, their sites' platforms, the owners of the ids. */
  async importDirectory(organizationId: string, lines: readonly ImportLine[]): Promise<ImportDirectory> {
    const ids = lines.flatMap((line) => (line.agentId ? [line.agentId] : []));
    const emails = lines.flatMap((line) => (line.email ? [line.email.toLowerCase()] : []));
    const agents = await this.agents.listingByIdsOrEmails(organizationId, ids, emails);
    const siteIds = [...new Set(agents.map((agent) => agent.site_id))];
    const integrations = await this.integrations.bySite(siteIds);
    const sitePlatforms = new Map([...integrations].map(([siteId, integration]) => [siteId, integration.platform]));
    const values = [...new Set(lines.flatMap((line) => Object.values(line.platformIds)))];
    return {
      agents: agents.map((agent) => ({ id: agent.id, siteId: agent.site_id, email: agent.email, platformIds: agent.platform_ids })),
      sitePlatforms,
      owners: byPlatformIdKey(await this.agents.holdersAmong(siteIds, values)),
    };
  }

  /** Applies an import's writes at once: first the replaced ids go, so ids can move between agents of one file. */
  async applyImport(writes: readonly PlatformIdWrite[]): Promise<void> {
    if (writes.length === 0) return;
    const last = [...new Map(writes.map((write) => [`${write.agentId}|${write.field}`, write])).values()];
    await this.write(async (manager) => {
      const agents = new AgentRepository(manager);
      await agents.removePlatformIds(last);
      await agents.addPlatformIds(toPlatformAgentIds(last));
    });
  }

  /** A transaction whose unique violation (another agent took the id meanwhile) is a conflict, not a 500. */
  private async write<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    try {
      return await this.dataSource.transaction(work);
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new ConfigApiException(ConfigApiErrorCode.PlatformAgentIdTaken, 'another agent of the site took one of these platform IDs meanwhile; platform IDs are unique per platform within a site');
      }
      throw error;
    }
  }
}

/** The agent's IDs of this site, one per field. */
function platformAgentIdsOf(agentId: string, siteId: string, platformIds: PlatformIds): PlatformAgentId[] {
  return Object.entries(platformIds).map(([field, platformAgentId]) => ({ agentId, siteId, field: field as PlatformAgentIdField, platformAgentId }));
}

/** An import's writes as the IDs they add. */
function toPlatformAgentIds(writes: readonly PlatformIdWrite[]): PlatformAgentId[] {
  return writes.map((write) => ({ agentId: write.agentId, siteId: write.siteId, field: write.field, platformAgentId: write.value }));
}

/** Holders of IDs by platformIdKey. */
function byPlatformIdKey(holders: readonly PlatformAgentId[]): Map<string, string> {
  return new Map(holders.map((held) => [platformIdKey(held.siteId, held.field, held.platformAgentId), held.agentId]));
}
