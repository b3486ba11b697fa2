import type { StoredEvent } from '@bpo/snapshot-sync';
import type { Queryable } from './integration.repository';

/** A schedule event as the API lists it, with its agent's and event type's names (columns as stored). */
export interface ScheduleEventListing {
  /** The bigint id, as a decimal string. */
  id: string;
  schedule_id: string;
  agent_id: string;
  agent_name: string;
  site_id: string;
  event_type_id: string;
  event_type_name: string;
  event_type_color: string | null;
  start_at: Date;
  end_at: Date;
  /** YYYY-MM-DD. */
  day: string;
  source_integration_id: string | null;
  source_file_id: string | null;
  /** `start_at` as PostgreSQL writes it (`::text`): the first key of a page's cursor, exact to the microsecond. */
  start_key: string;
}

/** Which of the organization's events a listing holds; `from`/`to` bound the start (ISO instants, `to` exclusive). */
export interface ScheduleEventListingFilters {
  scheduleId?: string;
  siteId?: string;
  agentId?: string;
  from?: string;
  to?: string;
}

/** A page of events by start then id: `limit` rows after the last one's keys (`after`), or from `offset`. */
export interface ScheduleEventPage {
  limit: number;
  offset: number;
  /** The last listed event's `start_key` and id; checked by the caller (they are bound as timestamptz and bigint). */
  after: { startKey: string; id: string } | null;
}

/** First and last day, inclusive, YYYY-MM-DD. */
export interface ScheduleEventDays {
  from: string;
  to: string;
}

const isoSql = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * The one owner of the `schedule_events` SQL outside the schedule-writer: the API lists events and
 * its file check reads what an integration wrote, through here. The writer's apply
 * (apps/schedule-writer/src/sync-run.repository.ts) writes and reads the table in its own
 * set-based statements: its hot path, tuned there, and it stays as it is. Each method runs on what
 * it was built with: the DataSource, or a transaction's EntityManager.
 */
export class ScheduleEventRepository {
  constructor(private readonly db: Queryable) {}

  /**
   * A page of the organization's events as the API lists them, by start then id. The joins with
   * `agents` and `event_types` stay (AgentRepository owns agents): the site filter and each row's
   * names come with the page, in one statement.
   */
  list(organizationId: string, filters: ScheduleEventListingFilters, page: ScheduleEventPage): Promise<ScheduleEventListing[]> {
    const params: unknown[] = [organizationId];
    const conditions = ['e.organization_id = $1'];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      conditions.push(sql.replace('?', `$${params.length}`));
    };
    if (filters.scheduleId) add('e.schedule_id = ?', filters.scheduleId);
    if (filters.siteId) add('a.site_id = ?', filters.siteId);
    if (filters.agentId) add('e.agent_id = ?', filters.agentId);
    if (filters.from) add('e.start_at >= ?::timestamptz', filters.from);
    if (filters.to) add('e.start_at < ?::timestamptz', filters.to);
    if (page.after) {
      params.push(page.after.startKey, page.after.id);
      conditions.push(`(e.start_at, e.id) > ($${params.length - 1}::timestamptz, $${params.length}::bigint)`);
    }
    params.push(page.limit, page.after ? 0 : page.offset);
    return this.db.query(
      `SELECT e.id::text AS id, e.schedule_id, e.agent_id, a.name AS agent_name, a.site_id, e.event_type_id, t.name AS event_type_name,
              t.color AS event_type_color, e.start_at, e.end_at, e.day::text AS day, e.source_integration_id, e.source_file_id,
              e.start_at::text AS start_key
         FROM schedule_events e
         JOIN agents a ON a.id = e.agent_id
         JOIN event_types t ON t.id = e.event_type_id
        WHERE ${conditions.join(' AND ')} ORDER BY e.start_at ASC, e.id ASC LIMIT $${params.length - 1} OFFSET $${params.length}`,
      params,
    );
  }

  /** Events this integration wrote in the schedule on these days, any agent, by id (the writer's storedEvents, for every agent). */
  storedEvents(integrationId: string, scheduleId: string, days: ScheduleEventDays): Promise<StoredEvent[]> {
    return this.db.query(
      `SELECT id::text AS id, agent_id AS "agentId", event_type_id AS "eventTypeId", ${isoSql('start_at')} AS "startAt", ${isoSql('end_at')} AS "endAt",
              to_char(day, 'YYYY-MM-DD') AS day
         FROM schedule_events WHERE source_integration_id = $1 AND schedule_id = $2 AND day BETWEEN $3 AND $4 ORDER BY id`,
      [integrationId, scheduleId, days.from, days.to],
    );
  }
}
