import type { PlatformAgentIdField } from '@bpo/contracts';
import type { Queryable } from './integration.repository';

/** An agent's platform agent IDs: the platform's ID field (`nice_iex_sftp`...) -> the agent's ID there. */
export type PlatformAgentIds = Partial<Record<PlatformAgentIdField, string>>;

/** An agent as the API answers with it (columns as stored), with its platform agent IDs. */
export interface AgentListing {
  id: string;
  name: string;
  email: string | null;
  site_id: string;
  created_at: Date;
  platform_ids: PlatformAgentIds;
}

/** Which of the organization's agents a listing holds: a site's, those with an ID in a platform (that ID). */
export interface AgentListingFilters {
  siteId?: string;
  platformField?: PlatformAgentIdField;
  /** Only with `platformField`. */
  platformAgentId?: string;
}

/** A page of agents by name (then id): `limit` rows after the last one's keys (`after`), or from `offset`. */
export interface AgentPage {
  limit: number;
  offset: number;
  /** The last listed agent's name and id; checked by the caller (they are bound as text and uuid). */
  after: { name: string; id: string } | null;
}

/** One platform agent ID of an agent: unique per platform field within the agent's site. */
export interface PlatformAgentId {
  agentId: string;
  siteId: string;
  field: PlatformAgentIdField;
  platformAgentId: string;
}

interface PlatformAgentIdRow {
  agent_id: string;
  site_id: string;
  field: PlatformAgentIdField;
  platform_agent_id: string;
}

const LISTING_SQL = `SELECT a.id, a.name, a.email, a.site_id, a.created_at,
    COALESCE((SELECT jsonb_object_agg(p.field, p.platform_agent_id) FROM agent_platform_ids p WHERE p.agent_id = a.id), '{}'::jsonb) AS platform_ids
  FROM agents a`;

function toPlatformAgentId(row: PlatformAgentIdRow): PlatformAgentId {
  return { agentId: row.agent_id, siteId: row.site_id, field: row.field, platformAgentId: row.platform_agent_id };
}

/**
 * The one owner of the `agents` and `agent_platform_ids` SQL (config-api creates, updates and
 * deletes agents' own rows through the typed AgentEntity): agent-resolution and the API's file
 * check find agents by their platform agent IDs, the API lists agents and writes their IDs, all
 * through here. Every write of IDs is one set-based statement: the statement trigger on
 * `agent_platform_ids` then moves a site's `agent_ids_version` once, and a bulk import stays one
 * round trip. Each method runs on what it was built with: the DataSource, or a transaction's
 * EntityManager. Not yet behind it: the parser's stored digests join and the writer's
 * agent locks (set-based joins with their own tables).
 */
export class AgentRepository {
  constructor(private readonly db: Queryable) {}

  /** A page of the organization's agents as the API lists them, by name then id. */
  async list(organizationId: string, filters: AgentListingFilters, page: AgentPage): Promise<AgentListing[]> {
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
    if (page.after) {
      params.push(page.after.name, page.after.id);
      conditions.push(`(a.name, a.id) > ($${params.length - 1}::text, $${params.length}::uuid)`);
    }
    params.push(page.limit, page.after ? 0 : page.offset);
    return this.db.query(`${LISTING_SQL} WHERE ${conditions.join(' AND ')} ORDER BY a.name ASC, a.id ASC LIMIT $${params.length - 1} OFFSET $${params.length}`, params);
  }

  /** The agent as the API answers with it; null when it is gone. Whose it is, the caller checks. */
  async listing(agentId: string): Promise<AgentListing | null> {
    const [row]: AgentListing[] = await this.db.query(`${LISTING_SQL} WHERE a.id = $1`, [agentId]);
    return row ?? null;
  }

  /** The organization's agents of these ids or of these emails (lower case; an agent's email matches case-insensitively). */
  listingByIdsOrEmails(organizationId: string, agentIds: readonly string[], lowerCaseEmails: readonly string[]): Promise<AgentListing[]> {
    return this.db.query(`${LISTING_SQL} WHERE a.organization_id = $1 AND (a.id = ANY($2::uuid[]) OR lower(a.email) = ANY($3::text[]))`, [
      organizationId,
      agentIds,
      lowerCaseEmails,
    ]);
  }

  /** platform agent ID -> agent id, among the site's agents, by the platform's ID field; unknown IDs are absent. */
  async findByPlatformIds(siteId: string, field: PlatformAgentIdField, platformAgentIds: readonly string[]): Promise<Map<string, string>> {
    if (platformAgentIds.length === 0) return new Map();
    const rows: Array<{ platform_agent_id: string; agent_id: string }> = await this.db.query(
      'SELECT platform_agent_id, agent_id FROM agent_platform_ids WHERE site_id = $1 AND field = $2 AND platform_agent_id = ANY($3::text[])',
      [siteId, field, [...new Set(platformAgentIds)]],
    );
    return new Map(rows.map((row) => [row.platform_agent_id, row.agent_id]));
  }

  /** Which agents of the site, other than `exceptAgentId`, hold any of these IDs (each in its field). */
  async holdersOf(siteId: string, wanted: PlatformAgentIds, exceptAgentId: string | null): Promise<PlatformAgentId[]> {
    const entries = Object.entries(wanted);
    if (entries.length === 0) return [];
    const rows: PlatformAgentIdRow[] = await this.db.query(
      `SELECT p.agent_id, p.site_id, p.field, p.platform_agent_id FROM agent_platform_ids p
         JOIN unnest($2::text[], $3::text[]) AS wanted(field, value) ON wanted.field = p.field AND wanted.value = p.platform_agent_id
        WHERE p.site_id = $1 AND p.agent_id IS DISTINCT FROM $4::uuid`,
      [siteId, entries.map(([field]) => field), entries.map(([, value]) => value), exceptAgentId],
    );
    return rows.map(toPlatformAgentId);
  }

  /** The IDs, in any field, of agents of these sites that equal one of `platformAgentIds`. */
  async holdersAmong(siteIds: readonly string[], platformAgentIds: readonly string[]): Promise<PlatformAgentId[]> {
    const rows: PlatformAgentIdRow[] = await this.db.query(
      'SELECT agent_id, site_id, field, platform_agent_id FROM agent_platform_ids WHERE site_id = ANY($1::uuid[]) AND platform_agent_id = ANY($2::text[])',
      [siteIds, platformAgentIds],
    );
    return rows.map(toPlatformAgentId);
  }

  /** Adds these IDs in one statement (a unique violation when another agent of the site holds one). */
  async addPlatformIds(ids: readonly PlatformAgentId[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.query(
      `INSERT INTO agent_platform_ids (agent_id, site_id, field, platform_agent_id)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[])`,
      [ids.map((id) => id.agentId), ids.map((id) => id.siteId), ids.map((id) => id.field), ids.map((id) => id.platformAgentId)],
    );
  }

  /** Removes all the agent's IDs, in one statement. */
  async removeAllPlatformIds(agentId: string): Promise<void> {
    await this.db.query('DELETE FROM agent_platform_ids WHERE agent_id = $1', [agentId]);
  }

  /** Removes each agent's ID in these fields, in one statement. */
  async removePlatformIds(fields: ReadonlyArray<{ agentId: string; field: PlatformAgentIdField }>): Promise<void> {
    if (fields.length === 0) return;
    await this.db.query(
      'DELETE FROM agent_platform_ids p USING unnest($1::uuid[], $2::text[]) AS gone(agent_id, field) WHERE p.agent_id = gone.agent_id AND p.field = gone.field',
      [fields.map((gone) => gone.agentId), fields.map((gone) => gone.field)],
    );
  }
}
