import type { DataSource, EntityManager } from 'typeorm';
import { isPlatform, type Platform, type ReplaceScope } from '@bpo/contracts';
import { mappingKeySql, mappingRulesJsonSql } from './mapping-rules-key';

/** A DataSource, or a transaction's EntityManager: what a repository's statements run on. */
export type Queryable = Pick<DataSource | EntityManager, 'query'>;

/** What every stage needs to know of an integration to sync its files, with its site's zone and its target schedule. */
export interface IntegrationSettings {
  id: string;
  organizationId: string;
  siteId: string;
  platform: Platform;
  /** The zone of the file's local times: the integration's own, else its site's. */
  timezone: string;
  siteTimezone: string;
  dateOrder: string;
  encoding: string;
  titleLines: number;
  syncPastEvents: boolean;
  replaceScope: ReplaceScope;
  defaultEventTypeId: string | null;
  /** The integration's target schedule, else the organization's default one; null when it has neither. */
  scheduleId: string | null;
}

/** An integration with what the API's answers need from its site and keys (columns as stored). */
export interface IntegrationListing {
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

/** An integration's SFTP login: its user name, password hash and the public keys it may log in with. */
export interface IntegrationSftpAccount {
  integrationId: string;
  organizationId: string;
  siteId: string;
  platform: Platform;
  username: string;
  passwordHash: string;
  publicKeys: string[];
}

/** An integration the stale check just marked (one episode of silence). */
export interface StaleIntegrationRecord {
  id: string;
  organizationId: string;
  siteId: string;
  platform: Platform;
  staleSince: Date;
  lastFileReceivedAt: Date | null;
  expectedCadenceMinutes: number;
}

/** When an integration is overdue: its last file (or its creation) plus its cadence times the stale multiple ($1). */
const DEADLINE_SQL = `coalesce(last_file_received_at, created_at) + interval '1 minute' * (expected_cadence_minutes * $1::float8)`;

function platformOf(value: string, integrationId: string): Platform {
  if (!isPlatform(value)) throw new Error(`integration ${integrationId} has an unknown platform ${JSON.stringify(value)}`);
  return value;
}

/**
 * The one owner of the `integrations` table's SQL (config-api writes its rows through the typed
 * IntegrationEntity): every service reads an integration's settings, logs its files' arrival and
 * checks its silence through here, so a renamed column is changed in one file and the compiler
 * follows its rows. It also reads the integration's days in `integration_day_versions` (the
 * schedule-writer's apply writes them, in its own statements). Each method runs on what it was
 * built with: the DataSource, or a transaction's EntityManager.
 */
export class IntegrationRepository {
  constructor(private readonly db: Queryable) {}

  /** The integration's settings; null when it is gone (or, with `organizationId`, is another organization's). */
  async settings(integrationId: string, organizationId?: string): Promise<IntegrationSettings | null> {
    const [row]: Array<{
      organization_id: string;
      site_id: string;
      platform: string;
      timezone: string;
      site_timezone: string;
      date_order: string;
      encoding: string;
      title_lines: number;
      sync_past_events: boolean;
      replace_scope: ReplaceScope;
      default_event_type_id: string | null;
      schedule_id: string | null;
    }> = await this.db.query(
      // SiteRepository and ScheduleRepository own `sites` and `schedules`; the site's zone and default schedule stay joined: every stage reads them per file, in one statement.
      `SELECT i.organization_id, i.site_id, i.platform, COALESCE(i.timezone, s.timezone) AS timezone, s.timezone AS site_timezone,
              i.date_order, i.encoding, i.title_lines, i.sync_past_events, i.replace_scope, i.default_event_type_id,
              COALESCE(i.target_schedule_id, (SELECT id FROM schedules WHERE organization_id = i.organization_id AND is_default)) AS schedule_id
         FROM integrations i JOIN sites s ON s.id = i.site_id
        WHERE i.id = $1 AND ($2::uuid IS NULL OR i.organization_id = $2)`,
      [integrationId, organizationId ?? null],
    );
    if (!row) return null;
    return {
      id: integrationId,
      organizationId: row.organization_id,
      siteId: row.site_id,
      platform: platformOf(row.platform, integrationId),
      timezone: row.timezone,
      siteTimezone: row.site_timezone,
      dateOrder: row.date_order,
      encoding: row.encoding,
      titleLines: row.title_lines,
      syncPastEvents: row.sync_past_events,
      replaceScope: row.replace_scope,
      defaultEventTypeId: row.default_event_type_id,
      scheduleId: row.schedule_id,
    };
  }

  /**
   * The integration's site's agent-ID version (`sites.agent_ids_version`, a bigint as a decimal
   * string): it changes with any change of the site's platform agent IDs. Null when the
   * integration is gone.
   */
  async agentIdsVersion(integrationId: string): Promise<string | null> {
    const rows: Array<{ version: string }> = await this.db.query(
      // SiteRepository owns `sites`; this join stays: the parser and the writer read the version by integration, per file, in one statement.
      'SELECT s.agent_ids_version::text AS version FROM integrations i JOIN sites s ON s.id = i.site_id WHERE i.id = $1',
      [integrationId],
    );
    return rows[0]?.version ?? null;
  }

  /**
   * The days from `fromDay` on whose last applier ran on the integration's schedule and mapping
   * rules as they are now, with that run: the agent-days a re-sent file may leave out are on these.
   */
  async daysAppliedAsNow(integrationId: string, fromDay: string): Promise<Array<{ day: string; syncRunId: string }>> {
    const rows: Array<{ day: string; sync_run_id: string }> = await this.db.query(
      // ScheduleRepository owns `schedules`; the default-schedule subquery stays: each run's schedule is compared with the target in this join.
      `SELECT to_char(v.day, 'YYYY-MM-DD') AS day, v.sync_run_id
         FROM integration_day_versions v
         JOIN integrations i ON i.id = v.integration_id
         JOIN sync_runs r ON r.id = v.sync_run_id
        WHERE v.integration_id = $1 AND v.day >= $2
          AND r.schedule_id = COALESCE(i.target_schedule_id, (SELECT id FROM schedules WHERE organization_id = i.organization_id AND is_default))
          AND r.mapping_key = ${mappingKeySql(mappingRulesJsonSql('i'), 'i.default_event_type_id')}`,
      [integrationId, fromDay],
    );
    return rows.map((row) => ({ day: row.day, syncRunId: row.sync_run_id }));
  }

  /** Day (YYYY-MM-DD) -> received time (ISO instant) of the newest file applied to it, for the integration's days in the range (inclusive). */
  async dayVersions(integrationId: string, days: { from: string; to: string }): Promise<Map<string, string>> {
    const rows: Array<{ day: string; file_received_at: Date }> = await this.db.query(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, file_received_at FROM integration_day_versions WHERE integration_id = $1 AND day BETWEEN $2 AND $3`,
      [integrationId, days.from, days.to],
    );
    return new Map(rows.map((row) => [row.day, new Date(row.file_received_at).toISOString()]));
  }

  /** The integration of each of these sites, with its platform (a site has at most one); sites without one are absent. */
  async bySite(siteIds: readonly string[]): Promise<Map<string, { id: string; platform: Platform }>> {
    if (siteIds.length === 0) return new Map();
    const rows: Array<{ id: string; site_id: string; platform: string }> = await this.db.query(
      'SELECT id, site_id, platform FROM integrations WHERE site_id = ANY($1::uuid[]) ORDER BY site_id',
      [siteIds],
    );
    return new Map(rows.map((row) => [row.site_id, { id: row.id, platform: platformOf(row.platform, row.id) }]));
  }

  /** The organization's integrations as the API lists them (by site name), or the one of `integrationId`. */
  async listing(scope: { organizationId: string } | { integrationId: string }): Promise<IntegrationListing[]> {
    const [where, param] = 'organizationId' in scope ? ['i.organization_id = $1', scope.organizationId] : ['i.id = $1', scope.integrationId];
    return this.db.query(
      // SiteRepository owns `sites`; this join stays: the API's listing shows and sorts by the site's name and zone, in one statement.
      `SELECT i.id, i.site_id, s.name AS site_name, s.timezone AS site_timezone, i.platform, i.sftp_username,
              (SELECT count(*)::int FROM integration_ssh_keys k WHERE k.integration_id = i.id) AS ssh_key_count,
              i.timezone, i.target_schedule_id, i.sync_past_events, i.replace_scope, i.default_event_type_id, i.date_order, i.encoding,
              i.title_lines, i.expected_cadence_minutes, i.stale_since, i.created_at, i.updated_at
         FROM integrations i JOIN sites s ON s.id = i.site_id
        WHERE ${where} ORDER BY s.name, i.id`,
      [param],
    );
  }

  /**
   * Locks the integration's row until the transaction ends, so requests that change what hangs off
   * it take turns: `no-key-update` (FOR NO KEY UPDATE: foreign key checks still pass) or `update`
   * (FOR UPDATE). False when there is no such integration.
   */
  async lock(integrationId: string, strength: 'no-key-update' | 'update'): Promise<boolean> {
    const rows: unknown[] = await this.db.query(`SELECT 1 FROM integrations WHERE id = $1 ${strength === 'update' ? 'FOR UPDATE' : 'FOR NO KEY UPDATE'}`, [integrationId]);
    return rows.length > 0;
  }

  /** How many integrations map unmatched activities to this event type by default. */
  async countDefaultMappingsTo(eventTypeId: string): Promise<number> {
    const [{ count }]: Array<{ count: number }> = await this.db.query('SELECT count(*)::int AS count FROM integrations WHERE default_event_type_id = $1', [eventTypeId]);
    return count;
  }

  /** The SFTP account of this user name, with its public keys; null when there is none. */
  async sftpAccount(username: string): Promise<IntegrationSftpAccount | null> {
    const [row]: Array<{ id: string; organization_id: string; site_id: string; platform: string; sftp_username: string; sftp_password_hash: string; public_keys: string[] }> =
      await this.db.query(
        `SELECT i.id, i.organization_id, i.site_id, i.platform, i.sftp_username, i.sftp_password_hash,
                COALESCE(array_agg(k.public_key) FILTER (WHERE k.id IS NOT NULL), '{}') AS public_keys
           FROM integrations i LEFT JOIN integration_ssh_keys k ON k.integration_id = i.id
          WHERE i.sftp_username = $1
          GROUP BY i.id`,
        [username],
      );
    if (!row || !isPlatform(row.platform)) return null;
    return {
      integrationId: row.id,
      organizationId: row.organization_id,
      siteId: row.site_id,
      platform: row.platform,
      username: row.sftp_username,
      passwordHash: row.sftp_password_hash,
      publicKeys: row.public_keys,
    };
  }

  /** A file of the integration arrived: its last arrival moves on (never back), and a silence ends. */
  async recordFileArrival(integrationId: string, receivedAt: Date | string): Promise<void> {
    await this.db.query('UPDATE integrations SET last_file_received_at = GREATEST(last_file_received_at, $2), stale_since = NULL WHERE id = $1', [integrationId, receivedAt]);
  }

  /**
   * Marks up to `limit` overdue integrations stale, each from its deadline, skipping rows another
   * transaction holds; returns those it marked. Run it in a transaction with what it queues.
   */
  async markStale(multiple: number, limit: number): Promise<StaleIntegrationRecord[]> {
    // TypeORM answers an UPDATE with [rows, rowCount].
    const [rows]: [
      Array<{ id: string; organization_id: string; site_id: string; platform: string; stale_since: Date; last_file_received_at: Date | null; expected_cadence_minutes: number }>,
      number,
    ] = await this.db.query(
      `WITH due AS (
         SELECT id, ${DEADLINE_SQL} AS deadline
           FROM integrations
          WHERE stale_since IS NULL AND ${DEADLINE_SQL} <= clock_timestamp()
          ORDER BY id
          LIMIT $2
          FOR NO KEY UPDATE SKIP LOCKED)
       UPDATE integrations i SET stale_since = due.deadline
         FROM due
        WHERE i.id = due.id AND i.stale_since IS NULL
       RETURNING i.id, i.organization_id, i.site_id, i.platform, i.stale_since, i.last_file_received_at, i.expected_cadence_minutes`,
      [multiple, limit],
    );
    return rows.map((row) => ({
      id: row.id,
      organizationId: row.organization_id,
      siteId: row.site_id,
      platform: platformOf(row.platform, row.id),
      staleSince: row.stale_since,
      lastFileReceivedAt: row.last_file_received_at,
      expectedCadenceMinutes: row.expected_cadence_minutes,
    }));
  }

  /** Ends the silences that are no longer overdue (the cadence was raised); returns how many. */
  async clearNoLongerStale(multiple: number): Promise<number> {
    const [, count]: [unknown, number] = await this.db.query(`UPDATE integrations SET stale_since = NULL WHERE stale_since IS NOT NULL AND ${DEADLINE_SQL} > clock_timestamp()`, [multiple]);
    return count;
  }

  async countStale(): Promise<number> {
    const [{ count }]: Array<{ count: number }> = await this.db.query('SELECT count(*)::int AS count FROM integrations WHERE stale_since IS NOT NULL');
    return count;
  }
}
