import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Platform, PlatformAgentIdField } from '@bpo/contracts';
import { AgentEntity, IntegrationRepository, SiteEntity } from '@bpo/persistence';
import { ConfigApiErrorCode, ConfigApiException } from '../common/config-api.exception';
import { findOwned } from '../common/organization-scope.util';
import { pageSql, type PageWindow } from '../common/pagination.util';
import { isUniqueViolation } from '../common/pg-error.util';
import type { ImportDirectory, ImportLine, PlatformIdWrite } from './agent-import.util';
import { platformIdKey, type PlatformIds } from './platform-ids.util';

export interface AgentRow {
  id: string;
  name: string;
  email: string | null;
  site_id: string;
  created_at: Date;
  platform_ids: PlatformIds;
}

export interface AgentFilters {
  siteId?: string;
  platformField?: PlatformAgentIdField;
  platformAgentId?: string;
}

const SELECT_AGENTS = `SELECT a.id, a.name, a.email, a.site_id, a.created_at,
    COALESCE((SELECT jsonb_object_agg(p.field, p.platform_agent_id) FROM agent_platform_ids p WHERE p.agent_id = a.id), '{}'::jsonb) AS platform_ids
  FROM agents a`;

@Injectable()
export class AgentsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async list(organizationId: string, filters: AgentFilters, window: PageWindow): Promise<AgentRow[]> {
    const params: unknown[] = [organizationId];
    const conditions = ['a.organization_id = $1'];
    if (filters.siteId) {
      params.push(filters.siteId);
      conditions.push(`a.site_id = $${params.length}`);
    }
    if (filters.platformField) {
      params.push(filters.platformField);
      let match = `p.agent_id = a.id AND p.field = $${params.length}`;
      if (filters.platformAgentId !== undefined) {
        params.push(filters.platformAgentId);
        match += ` AND p.platform_agent_id = $${params.length}`;
      }
      conditions.push(`EXISTS (SELECT 1 FROM agent_platform_ids p WHERE ${match})`);
    }
    const page = pageSql(window, [{ sql: 'a.name', cast: 'text' }, { sql: 'a.id', cast: 'uuid' }], 'ASC', params);
    return this.dataSource.query(`${SELECT_AGENTS} WHERE ${conditions.join(' AND ')} AND ${page.where} ${page.tail}`, params);
  }

  async get(organizationId: string, id: string, manager: EntityManager = this.dataSource.manager): Promise<AgentRow> {
    await findOwned(manager, AgentEntity, organizationId, id);
    const [row]: AgentRow[] = await manager.query(`${SELECT_AGENTS} WHERE a.id = $1`, [id]);
    return row;
  }

  site(organizationId: string, siteId: string): Promise<SiteEntity> {
    return findOwned(this.dataSource.manager, SiteEntity, organizationId, siteId);
  }

  /** The platform the site is integrated with, or null. */
  async sitePlatform(siteId: string): Promise<Platform | null> {
    return (await new IntegrationRepository(this.dataSource).bySite([siteId])).get(siteId)?.platform ?? null;
  }

  /** Other agents of the site holding any of these platform ids. */
  async owners(siteId: string, platformIds: PlatformIds, exceptAgentId: string | null): Promise<Map<string, string>> {
    const entries = Object.entries(platformIds);
    if (entries.length === 0) return new Map();
    const rows: { agent_id: string; field: PlatformAgentIdField; platform_agent_id: string }[] = await this.dataSource.query(
      `SELECT p.agent_id, p.field, p.platform_agent_id FROM agent_platform_ids p
         JOIN unnest($2::text[], $3::text[]) AS wanted(field, value) ON wanted.field = p.field AND wanted.value = p.platform_agent_id
        WHERE p.site_id = $1 AND p.agent_id IS DISTINCT FROM $4::uuid`,
      [siteId, entries.map(([field]) => field), entries.map(([, value]) => value), exceptAgentId],
    );
    return new Map(rows.map((row) => [platformIdKey(siteId, row.field, row.platform_agent_id), row.agent_id]));
  }

  async create(organizationId: string, values: { name: string; email: string | null; siteId: string }, platformIds: PlatformIds): Promise<AgentRow> {
    return this.write(async (manager) => {
      const agent = await manager.save(AgentEntity, manager.create(AgentEntity, { organizationId, ...values }));
      await insertPlatformIds(manager, Object.entries(platformIds).map(([field, value]) => ({ agentId: agent.id, siteId: values.siteId, field: field as PlatformAgentIdField, value })));
      return this.get(organizationId, agent.id, manager);
    });
  }

  /** Writes the agent and replaces its platform ids with `platformIds` (the whole set). */
  async update(organizationId: string, id: string, values: { name: string; email: string | null; siteId: string }, platformIds: PlatformIds): Promise<AgentRow> {
    return this.write(async (manager) => {
      await manager.update(AgentEntity, { id }, values);
      await manager.query('DELETE FROM agent_platform_ids WHERE agent_id = $1', [id]);
      await insertPlatformIds(manager, Object.entries(platformIds).map(([field, value]) => ({ agentId: id, siteId: values.siteId, field: field as PlatformAgentIdField, value })));
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
    const agents: AgentRow[] = await this.dataSource.query(
      `${SELECT_AGENTS} WHERE a.organization_id = $1 AND (a.id = ANY($2::uuid[]) OR lower(a.email) = ANY($3::text[]))`,
      [organizationId, ids, emails],
    );
    const siteIds = [...new Set(agents.map((agent) => agent.site_id))];
    const integrations = await new IntegrationRepository(this.dataSource).bySite(siteIds);
    const sitePlatforms = new Map([...integrations].map(([siteId, integration]) => [siteId, integration.platform]));
    const values = [...new Set(lines.flatMap((line) => Object.values(line.platformIds)))];
    const owners: { agent_id: string; site_id: string; field: PlatformAgentIdField; platform_agent_id: string }[] = await this.dataSource.query(
      'SELECT agent_id, site_id, field, platform_agent_id FROM agent_platform_ids WHERE site_id = ANY($1::uuid[]) AND platform_agent_id = ANY($2::text[])',
      [siteIds, values],
    );
    return {
      agents: agents.map((agent) => ({ id: agent.id, siteId: agent.site_id, email: agent.email, platformIds: agent.platform_ids })),
      sitePlatforms,
      owners: new Map(owners.map((row) => [platformIdKey(row.site_id, row.field, row.platform_agent_id), row.agent_id])),
    };
  }

  /** Applies an import's writes at once: first the replaced ids go, so ids can move between agents of one file. */
  async applyImport(writes: readonly PlatformIdWrite[]): Promise<void> {
    if (writes.length === 0) return;
    const last = [...new Map(writes.map((write) => [`${write.agentId}|${write.field}`, write])).values()];
    await this.write(async (manager) => {
      await manager.query(
        'DELETE FROM agent_platform_ids p USING unnest($1::uuid[], $2::text[]) AS gone(agent_id, field) WHERE p.agent_id = gone.agent_id AND p.field = gone.field',
        [last.map((write) => write.agentId), last.map((write) => write.field)],
      );
      await insertPlatformIds(manager, last);
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

async function insertPlatformIds(manager: EntityManager, writes: readonly PlatformIdWrite[]): Promise<void> {
  if (writes.length === 0) return;
  await manager.query(
    `INSERT INTO agent_platform_ids (agent_id, site_id, field, platform_agent_id)
     SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[])`,
    [writes.map((write) => write.agentId), writes.map((write) => write.siteId), writes.map((write) => write.field), writes.map((write) => write.value)],
  );
}
