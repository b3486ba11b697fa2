import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { DataSource, type EntityManager } from 'typeorm';
import { type AgentDayBasisV1, type FileEndV1, type RowsBatchV2 } from '@bpo/contracts';
import { enqueueMessages, PermanentMessageError, type OutgoingMessage } from '@bpo/messaging';
import { IntegrationRepository, IsoInstants, ReceivedFileRepository, ScheduleRepository, int2Field, int8Field, mappingKeySql, streamBinaryCopy, textField, uuidLiteral, UuidTexts } from '@bpo/persistence';
import { queueFileForSync } from '@bpo/pipeline';
import type { AgentDay, AgentDayComparison, IncomingEvent, StoredEvent } from '@bpo/snapshot-sync';
import { ChangeKind, EventsChangedParts, partCount, type EventsChangedHeader } from './events-changed-parts';
import type { ReportedError } from './sync-report';
import { stagedRowsCopy } from './staged-rows-copy';

/**
 * Sends a run's events-changed parts (rendered JSON, in order) and resolves once the broker
 * acknowledged them all, or kept one it can never take as a dead letter; throws on a failure worth
 * retrying (broker down).
 */
export type PublishParts = (payloads: readonly Buffer[]) => Promise<void>;

export interface SyncRunForApply {
  id: string;
  status: string;
  organizationId: string;
  integrationId: string;
  siteId: string;
  fileId: string;
  startedAt: Date;
  fileEnd: FileEndV1 | null;
  filename: string;
  receivedAt: Date;
}

export interface IntegrationForApply {
  scheduleId: string;
  siteTimezone: string;
  syncPastEvents: boolean;
  replaceScope: 'agents_in_file' | 'all_site_agents';
}

export interface EventTarget {
  organizationId: string;
  scheduleId: string;
  integrationId: string;
  fileId: string;
}

/** Where new events are created from the staged rows: whole days, or agent-days. */
export type NewEventsScope = { days: readonly string[] } | { agentDays: readonly AgentDay[] };

/** What the apply needs to know of a file's staged events. */
export interface StagedSummary {
  /** Rows per day, those of agent-days left out as unchanged included. */
  rowsPerDay: Map<string, number>;
  /** The file's agents, those of agent-days left out included. */
  agentIds: string[];
  eventTypeIds: string[];
  /** Agent-days the file left out as unchanged. */
  leftOutAgentDays: number;
}

export interface DayRange {
  from: string;
  to: string;
}

/** What the agent-days a file left out are checked against. */
export interface LeftOutCheck {
  integrationId: string;
  scheduleId: string;
  /** The run's own mapping key (recordMappingKey). */
  mappingKey: string | null;
  /** The days the file applies (newest wins): the others keep what they have anyway. */
  days: readonly string[];
  /** The last day the past-day rule keeps as it is, or null when the integration syncs past events. */
  lastPastDay: string | null;
  /** Agent-days the file listed in several places, as the parser counted them (see FileEndV1); undefined when it did not count. */
  repeatedAgentDays?: number;
  /** What the parser compared agent-days with (see FileEndV1); undefined when it compared with nothing. */
  comparedWith?: AgentDayBasisV1;
}

/** Whose stored events an apply compares with, and on which of the range's days it applies the file. */
export interface ComparedTarget {
  integrationId: string;
  scheduleId: string;
  /** The range's days the file applies (newest wins); only on these are left-out events counted. */
  appliedDays: readonly string[];
}

/** What compareAgentDays found on a range. */
export interface RangeComparison {
  agentDays: AgentDayComparison[];
  /** Events stored on the agent-days the file left out as unchanged, on the applied days. */
  keptEvents: number;
}

/** A run's claim to be the last to apply some days (newest file wins per day). */
export interface DayClaim {
  integrationId: string;
  syncRunId: string;
  fileId: string;
  receivedAt: Date;
  days: readonly string[];
}

/** One platform agent id no agent of the site has: how many rows name it, and the first of their lines. */
export interface UnknownAgentRows {
  platformAgentId: string;
  rows: number;
  firstLines: number[];
}

/** The outcome of a sync run as recorded. */
export interface SyncRunOutcome {
  status: string;
  stage?: string | null;
  reason?: string | null;
  counts: object;
  window: DayRange | null;
  scheduleId: string | null;
}

/** What a file changed, for its events-changed messages. */
export type { EventsChangedHeader };

/**
 * Everything the schedule-writer reads and writes. A port, so the writer's orchestration can be
 * tested without a database (see in-memory-sync-run.repository.ts). Work happens in transactions
 * the port opens; `Tx` is the port's own handle on one, which the service only passes back.
 */
export abstract class SyncRunRepository<Tx = unknown> {
  /** Runs `work` in one transaction: all of its writes commit together, or none do. */
  abstract transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
  /** Keeps a batch once per sync run and sequence; a redelivered batch is a no-op. */
  abstract stageBatch(tx: Tx, batch: RowsBatchV2): Promise<void>;
  /** Keeps the file's end once. */
  abstract recordFileEnd(tx: Tx, end: FileEndV1): Promise<void>;
  /** Locks the sync run: one writer at a time applies or fails a file. */
  abstract lockSyncRun(tx: Tx, syncRunId: string): Promise<SyncRunForApply | null>;
  /** Serialises applies of one integration's files until the transaction ends. */
  abstract lockIntegration(tx: Tx, integrationId: string): Promise<void>;
  /**
   * Serialises the reports (events-changed messages) of one integration's runs until the
   * transaction ends. A lock of its own: a large file's report never holds up the next file's apply.
   */
  abstract lockReports(tx: Tx, integrationId: string): Promise<void>;
  abstract countBatches(tx: Tx, syncRunId: string): Promise<number>;
  /** The integration's settings for an apply; null when it or its target schedule is gone. */
  abstract integration(tx: Tx, integrationId: string): Promise<IntegrationForApply | null>;
  /**
   * Rows per day, agents and event types of the staged file: added up from what each batch noted
   * when it was staged, or (`recount`, and for batches staged before batches noted it) counted
   * over the staged rows in one pass.
   */
  abstract stagedSummary(tx: Tx, syncRunId: string, recount?: boolean): Promise<StagedSummary>;
  /** Locks the schedule, agents and event types against deletion; rows dropped, or null when the schedule is gone. */
  abstract lockReferences(tx: Tx, syncRunId: string, scheduleId: string, staged: StagedSummary): Promise<number | null>;
  /**
   * Compares the file's agent-days on one range with what is stored. Agent-days the file left out
   * as unchanged are not compared: their events on the applied days are only counted (they stay,
   * with their ids), in the same pass over the range's events.
   */
  abstract compareAgentDays(tx: Tx, syncRunId: string, target: ComparedTarget, range: DayRange, pastCutoff: string | null): Promise<RangeComparison>;
  /**
   * Records what the run's mapping depended on (its frozen rules, see @bpo/pipeline
   * mapping-rules-key in @bpo/persistence) and returns it; null when no batch reached mapping.
   */
  abstract recordMappingKey(tx: Tx, syncRunId: string): Promise<string | null>;
  /**
   * How many of the agent-days the file left out as unchanged, on the given days, cannot be kept
   * as stored: the last run to apply the day did not store that digest for that agent, or did so
   * on another schedule or under other mapping rules; the agent-day came in several runs; its
   * agent is unknown now; or it is on or before `lastPastDay` (the past-day rule decides those).
   */
  abstract countUnkeepableLeftOut(tx: Tx, syncRunId: string, check: LeftOutCheck): Promise<number>;
  /**
   * Starts another sync run of the run's file, which the parser reads in full (nothing left out),
   * with its messages queued in the transaction; returns its id.
   */
  abstract queueFullRead(tx: Tx, run: SyncRunForApply): Promise<string>;
  /** Whether the integration stored any event in the schedule on the range's days. */
  abstract hasStoredEvents(tx: Tx, integrationId: string, scheduleId: string, range: DayRange): Promise<boolean>;
  abstract createNewEvents(tx: Tx, syncRunId: string, target: EventTarget, scope: NewEventsScope, pastCutoff: string | null): Promise<{ created: number; skippedPast: number }>;
  abstract stagedEvents(tx: Tx, syncRunId: string, agentDays: readonly AgentDay[]): Promise<IncomingEvent[]>;
  abstract storedEvents(tx: Tx, integrationId: string, scheduleId: string, agentDays: readonly AgentDay[]): Promise<StoredEvent[]>;
  abstract dayVersions(tx: Tx, integrationId: string, range: DayRange): Promise<Map<string, string>>;
  /** Deletes events; the change is logged for the run's events-changed messages, as by updateEvents and the creates. */
  abstract deleteEvents(tx: Tx, syncRunId: string, ids: readonly string[]): Promise<void>;
  abstract updateEvents(tx: Tx, syncRunId: string, fileId: string, updates: ReadonlyArray<{ id: string; to: IncomingEvent }>): Promise<void>;
  abstract createEvents(tx: Tx, syncRunId: string, target: EventTarget, range: DayRange, lines: readonly number[]): Promise<void>;
  /** Records the run as the last to apply the days; returns the runs that applied some of them before. */
  abstract claimDays(tx: Tx, claim: DayClaim): Promise<string[]>;
  /**
   * Marks the changes the run logged as to be reported under this header. Its events-changed
   * messages are published later, by reportEventsChanged, after its status went out.
   */
  abstract holdChangesForReport(tx: Tx, header: EventsChangedHeader): Promise<void>;
  /** Runs whose changes are still to be reported, of one integration or of all, in the order they finished. */
  abstract changesToReport(tx: Tx, integrationId: string | null): Promise<EventsChangedHeader[]>;
  /** How many runs still owe events-changed parts, and seconds since the oldest of them finished (0 when none); outside any transaction. */
  abstract pendingReports(): Promise<{ runs: number; oldestAgeSeconds: number }>;
  /**
   * Renders the run's events-changed parts from its logged changes and hands them, in order, to
   * `publish`, which resolves once the broker acknowledged them (or kept one it can never take as a
   * dead letter). Each acknowledged hand-off is recorded at once, outside the transaction, so a
   * report that fails part way and is retried skips the parts that went out. Then removes the log
   * and the mark in the caller's transaction; returns how many parts (of them, how many went out
   * in an earlier try) and changes.
   */
  abstract reportEventsChanged(tx: Tx, header: EventsChangedHeader, publish: PublishParts): Promise<{ parts: number; publishedBefore: number; changes: number }>;
  /** After changes were reported: reclaims the log's space when many were removed (outside any transaction). */
  abstract compactChangeLog(removed: number): Promise<void>;
  /** Queues messages in the outbox, published once the transaction commits. */
  abstract queueMessages(tx: Tx, messages: readonly OutgoingMessage[]): Promise<void>;
  abstract countRowErrorsByCode(tx: Tx, syncRunId: string): Promise<Record<string, number>>;
  abstract unknownAgents(tx: Tx, syncRunId: string, linesNamed: number): Promise<UnknownAgentRows[]>;
  abstract recordErrors(tx: Tx, syncRunId: string, folded: readonly ReportedError[]): Promise<void>;
  abstract firstErrors(tx: Tx, syncRunId: string, limit: number): Promise<ReportedError[]>;
  /** Records the outcome; returns the finish time, the real time now. */
  abstract finish(tx: Tx, syncRunId: string, outcome: SyncRunOutcome): Promise<Date>;
  /** Refreshes the events table's statistics (outside any apply). */
  abstract analyzeEvents(): Promise<void>;
  /** Removes what finished runs left staged (all of them, or these); returns the runs cleaned. */
  abstract removeStagedOfFinishedRuns(syncRunIds?: readonly string[]): Promise<number>;
  /** Whether any sync run is still processing (its file in the pipeline or being applied). */
  abstract hasRunsInProgress(): Promise<boolean>;
  /** Removes the agent-day entries of these finished runs on days another run applied since (or never applied). */
  abstract removeDisownedAgentDays(syncRunIds: readonly string[]): Promise<void>;
}

// Statements take at most this many ids or rows as array parameters: bounded, never one per row.
const SLICE = 5000;

function slices<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += SLICE) out.push(items.slice(i, i + SLICE));
  return out;
}

/** Agent-days as two array parameters (agent ids, days), to join with unnest. */
const agentDayColumns = (agentDays: readonly AgentDay[]) => [agentDays.map((agentDay) => agentDay.agentId), agentDays.map((agentDay) => agentDay.day)];

/** The first and last of the agent-days' days: lets the day index narrow the scan before the join. */
function dayBounds(agentDays: readonly AgentDay[]): [string, string] {
  let from = agentDays[0].day;
  let to = from;
  for (const { day } of agentDays) {
    if (day < from) from = day;
    if (day > to) to = day;
  }
  return [from, to];
}

/** An instant as the pipeline spells it (ISO 8601, UTC, milliseconds), made by the database. */
const isoSql = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** Advisory lock class of the per-integration apply lock (the second key is the integration id hashed). */
const INTEGRATION_APPLY_LOCK_CLASS = 7_310_414;
/** Advisory lock class of the per-integration report lock (keyed as the apply lock). */
const INTEGRATION_REPORT_LOCK_CLASS = 7_310_415;

/** Bytes of changed events per events-changed message: far below any broker limit, whatever the count. */
export const EVENTS_CHANGED_PART_BYTES = 256 * 1024;

/** Memory for the sort of a run's change log (PostgreSQL's work_mem), for that statement alone. */
const EVENTS_CHANGED_WORK_MEM = '256MB';

/** Parts handed to the publisher at once (about 2 MB, two produce requests). */
const EVENTS_CHANGED_PARTS_PER_HAND_OFF = 8;

/**
 * Everything the schedule-writer reads and writes, as set-based SQL inside the caller's
 * transaction. A file's rows are staged in a typed table as its batches arrive and read back in
 * bounded day ranges; what a file changed is logged (`sync_run_changes`) and its events-changed
 * messages are built from the log in the database, so no step holds a whole file in memory.
 */
@Injectable()
export class TypeOrmSyncRunRepository extends SyncRunRepository<EntityManager> {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  queueMessages(manager: EntityManager, messages: readonly OutgoingMessage[]): Promise<void> {
    return enqueueMessages(manager, messages);
  }

  /**
   * Keeps a batch once per sync run and sequence: its row errors on the batch, its events (rows
   * with agent and event type resolved) in `sync_run_rows` by COPY. A redelivered batch is a no-op.
   */
  async stageBatch(manager: EntityManager, batch: RowsBatchV2): Promise<void> {
    const { eventTypeIds, agentIds, rows, days } = batch;
    if (!eventTypeIds || !agentIds) throw new PermanentMessageError('the batch has no eventTypeIds or agentIds: the writer takes batches after mapping and agent resolution');
    const inserted: unknown[] = await manager.query(
      `INSERT INTO sync_run_batches (sync_run_id, sequence, errors, summary) VALUES ($1, $2, $3::jsonb, $4::jsonb)
       ON CONFLICT (sync_run_id, sequence) DO NOTHING RETURNING sequence`,
      [batch.syncRunId, batch.sequence, JSON.stringify(batch.errors), JSON.stringify(batchSummary(batch))],
    );
    if (inserted.length === 0) return;
    // Staged day by day (stable within a day): an apply range then reads few pages.
    const dayRank = rankOf(days);
    const order = rows.line.map((_, i) => i).sort((a, b) => dayRank[rows.day[a]] - dayRank[rows.day[b]] || a - b);
    const staged = stagedRowsCopy(batch, order);
    if (staged) await copyInto(manager, 'COPY sync_run_rows (sync_run_id, line, agent_id, event_type_id, start_at, end_at, day) FROM STDIN (FORMAT binary)', [staged]);
    const entries = agentDayEntriesText(batch);
    if (entries !== '') await copyInto(manager, 'COPY sync_run_agent_days (sync_run_id, platform_agent_id, agent_id, day, digest, rows, skipped, complete) FROM STDIN', [entries]);
  }

  async recordFileEnd(manager: EntityManager, end: FileEndV1): Promise<void> {
    await manager.query('UPDATE sync_runs SET file_end = $2::jsonb WHERE id = $1 AND file_end IS NULL', [end.syncRunId, JSON.stringify(end)]);
  }

  /** Locks the sync run: one writer at a time applies or fails a file. */
  async lockSyncRun(manager: EntityManager, syncRunId: string): Promise<SyncRunForApply | null> {
    const rows = await manager.query(
      `SELECT sr.id, sr.status, sr.organization_id, sr.integration_id, sr.site_id, sr.file_id, sr.started_at, sr.file_end,
              f.filename, f.received_at
         FROM sync_runs sr JOIN received_files f ON f.id = sr.file_id
        WHERE sr.id = $1 FOR UPDATE OF sr`,
      [syncRunId],
    );
    if (rows.length === 0) return null;
    const row = rows[0];
    return {
      id: row.id,
      status: row.status,
      organizationId: row.organization_id,
      integrationId: row.integration_id,
      siteId: row.site_id,
      fileId: row.file_id,
      startedAt: row.started_at,
      fileEnd: row.file_end,
      filename: row.filename,
      receivedAt: row.received_at,
    };
  }

  /** Serialises applies of one integration's files until the transaction ends. */
  async lockIntegration(manager: EntityManager, integrationId: string): Promise<void> {
    await manager.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [INTEGRATION_APPLY_LOCK_CLASS, integrationId]);
  }

  async lockReports(manager: EntityManager, integrationId: string): Promise<void> {
    await manager.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [INTEGRATION_REPORT_LOCK_CLASS, integrationId]);
  }

  async countBatches(manager: EntityManager, syncRunId: string): Promise<number> {
    const [{ count }] = await manager.query('SELECT count(*)::int AS count FROM sync_run_batches WHERE sync_run_id = $1', [syncRunId]);
    return count;
  }

  async integration(manager: EntityManager, integrationId: string): Promise<IntegrationForApply | null> {
    const settings = await new IntegrationRepository(manager).settings(integrationId);
    if (!settings?.scheduleId) return null;
    return { scheduleId: settings.scheduleId, siteTimezone: settings.siteTimezone, syncPastEvents: settings.syncPastEvents, replaceScope: settings.replaceScope };
  }

  /**
   * What the apply needs to know of the file's staged events: how many fall on each day (to cut
   * the window into bounded ranges), its agents and its event types; from the batches' notes, or
   * read in one pass over the staged rows.
   */
  async stagedSummary(manager: EntityManager, syncRunId: string, recount = false): Promise<StagedSummary> {
    if (!recount) {
      // Each batch noted its own: adding up a few hundred small notes costs nothing next to a pass over a million rows.
      const [noted]: Array<{ complete: boolean; rows_per_day: Record<string, number> | null; agent_ids: string[] | null; event_type_ids: string[] | null; left_out: number }> =
        await manager.query(
          `WITH notes AS MATERIALIZED (SELECT summary FROM sync_run_batches WHERE sync_run_id = $1)
           SELECT (SELECT bool_and(summary IS NOT NULL) FROM notes) AS complete,
                  (SELECT json_object_agg(day, n) FROM (
                     SELECT d.key AS day, sum(d.value::int)::int AS n FROM notes, jsonb_each_text(summary->'rowsPerDay') d GROUP BY d.key) x) AS rows_per_day,
                  (SELECT array_agg(DISTINCT a) FROM notes, jsonb_array_elements_text(summary->'agentIds') a) AS agent_ids,
                  (SELECT array_agg(DISTINCT t) FROM notes, jsonb_array_elements_text(summary->'eventTypeIds') t) AS event_type_ids,
                  (SELECT coalesce(sum((summary->>'leftOut')::int), 0) FROM notes)::int AS left_out`,
          [syncRunId],
        );
      if (noted.complete !== false) {
        return { rowsPerDay: new Map(Object.entries(noted.rows_per_day ?? {})), agentIds: noted.agent_ids ?? [], eventTypeIds: noted.event_type_ids ?? [], leftOutAgentDays: noted.left_out };
      }
    }
    const [row]: Array<{ rows_per_day: Record<string, number> | null; agent_ids: string[] | null; event_type_ids: string[] | null; left_out: number }> = await manager.query(
      `WITH groups AS MATERIALIZED (
         SELECT day, agent_id, event_type_id, count(*)::int AS n FROM sync_run_rows WHERE sync_run_id = $1 GROUP BY day, agent_id, event_type_id
       ), left_out AS MATERIALIZED (
         -- Agent-days left out as unchanged: their agents are in the file, and their rows weigh on their days.
         SELECT day, agent_id, sum(rows)::int AS n FROM sync_run_agent_days WHERE sync_run_id = $1 AND skipped AND agent_id IS NOT NULL GROUP BY day, agent_id
       )
       SELECT (SELECT json_object_agg(day, n) FROM (
                 SELECT to_char(day, 'YYYY-MM-DD') AS day, sum(n)::int AS n FROM (SELECT day, n FROM groups UNION ALL SELECT day, n FROM left_out) all_rows GROUP BY day
               ) d) AS rows_per_day,
              (SELECT array_agg(DISTINCT agent_id) FROM (SELECT agent_id FROM groups UNION SELECT agent_id FROM left_out) agents) AS agent_ids,
              (SELECT array_agg(DISTINCT event_type_id) FROM groups) AS event_type_ids,
              (SELECT count(*) FROM left_out)::int AS left_out`,
      [syncRunId],
    );
    return { rowsPerDay: new Map(Object.entries(row.rows_per_day ?? {})), agentIds: row.agent_ids ?? [], eventTypeIds: row.event_type_ids ?? [], leftOutAgentDays: row.left_out };
  }

  /**
   * What foreign keys would check per written event, once per file: the schedule, the file's
   * agents and its event types are locked against deletion until the transaction ends (FOR KEY
   * SHARE, as a foreign key check locks). Staged rows whose agent or event type was deleted since
   * they were resolved are dropped, as the deletion's cascade would have dropped their events.
   * Returns how many rows were dropped, or null when the schedule itself is gone.
   */
  async lockReferences(manager: EntityManager, syncRunId: string, scheduleId: string, staged: StagedSummary): Promise<number | null> {
    if (!(await new ScheduleRepository(manager).lockKeyShare(scheduleId))) return null;
    const [{ agents, types }]: Array<{ agents: number; types: number }> = await manager.query(
      `SELECT (SELECT count(*) FROM (SELECT 1 FROM agents WHERE id = ANY($1::uuid[]) FOR KEY SHARE) a)::int AS agents,
              (SELECT count(*) FROM (SELECT 1 FROM event_types WHERE id = ANY($2::uuid[]) FOR KEY SHARE) t)::int AS types`,
      [staged.agentIds, staged.eventTypeIds],
    );
    if (agents === staged.agentIds.length && types === staged.eventTypeIds.length) return 0;
    const [, dropped]: [unknown, number] = await manager.query(
      `DELETE FROM sync_run_rows r WHERE r.sync_run_id = $1
          AND (NOT EXISTS (SELECT 1 FROM agents a WHERE a.id = r.agent_id) OR NOT EXISTS (SELECT 1 FROM event_types t WHERE t.id = r.event_type_id))`,
      [syncRunId],
    );
    return dropped;
  }

  /**
   * Compares, agent-day by agent-day over one range, the file's distinct events with those the
   * integration stored in the schedule (see AgentDayComparison), in the database: nothing is loaded
   * to compare. The range's stored events are read once (an index scan and a hash probe each): the
   * left-out agent-days' are counted, the others compared. A second pass only to count cost a
   * 5,000,000-row re-sync 8-15 s.
   */
  async compareAgentDays(manager: EntityManager, syncRunId: string, target: ComparedTarget, range: DayRange, pastCutoff: string | null): Promise<RangeComparison> {
    const rows: Array<AgentDayComparison & { keptEvents: number | null }> = await withHashJoins(manager, () =>
      manager.query(
      `WITH left_out AS MATERIALIZED (
         SELECT DISTINCT day, agent_id FROM sync_run_agent_days WHERE sync_run_id = $1 AND skipped AND day BETWEEN $2 AND $3
       ), staged AS (
         SELECT DISTINCT day, agent_id, event_type_id, start_at, end_at FROM sync_run_rows
          WHERE sync_run_id = $1 AND day BETWEEN $2 AND $3
       ), range_events AS MATERIALIZED (
         SELECT e.day, e.agent_id, e.event_type_id, e.start_at, e.end_at, k.day IS NOT NULL AS kept
           FROM schedule_events e LEFT JOIN left_out k ON k.day = e.day AND k.agent_id = e.agent_id
          WHERE e.source_integration_id = $4 AND e.schedule_id = $5 AND e.day BETWEEN $2 AND $3
       ), stored AS (
         SELECT day, agent_id, event_type_id, start_at, end_at, count(*) AS n FROM range_events
          WHERE NOT kept GROUP BY day, agent_id, event_type_id, start_at, end_at
       )
       SELECT agent_id AS "agentId", to_char(day, 'YYYY-MM-DD') AS day, count(s.day)::int AS staged, coalesce(sum(t.n), 0)::int AS stored,
              bool_and(s.day IS NOT NULL AND t.day IS NOT NULL AND t.n = 1) AS identical,
              bool_and($6::timestamptz IS NULL OR start_at >= $6::timestamptz) AS "fromCutoff", NULL::int AS "keptEvents"
         FROM staged s FULL JOIN stored t USING (day, agent_id, event_type_id, start_at, end_at)
        GROUP BY day, agent_id
       UNION ALL
       SELECT NULL, NULL, 0, 0, true, true, count(*)::int FROM range_events WHERE kept AND day = ANY($7::date[])`,
        [syncRunId, range.from, range.to, target.integrationId, target.scheduleId, pastCutoff, target.appliedDays],
      ),
    );
    const kept = rows.find((row) => row.agentId === null);
    return { agentDays: rows.filter((row) => row.agentId !== null).map(({ keptEvents: _kept, ...comparison }) => comparison), keptEvents: kept?.keptEvents ?? 0 };
  }

  async recordMappingKey(manager: EntityManager, syncRunId: string): Promise<string | null> {
    const [[row]]: [Array<{ mapping_key: string | null }>] = await manager.query(
      `UPDATE sync_runs SET mapping_key = (SELECT ${mappingKeySql('m.rules', 'm.default_event_type_id')} FROM sync_run_mapping_rules m WHERE m.sync_run_id = $1)
        WHERE id = $1 RETURNING mapping_key`,
      [syncRunId],
    );
    return row?.mapping_key ?? null;
  }

  async countUnkeepableLeftOut(manager: EntityManager, syncRunId: string, check: LeftOutCheck): Promise<number> {
    return withHashJoins(manager, async () => {
    // An agent-day listed in several runs of this file is no longer complete: none of its runs stands
    // for it. Looking for them reads all of the run's entries (10 s for a 5,000,000-row file's 1.4
    // million, beside another file's work): skipped when the parser counted none.
    if (check.repeatedAgentDays !== 0) await manager.query(
      `UPDATE sync_run_agent_days SET complete = false
        WHERE sync_run_id = $1 AND complete AND (platform_agent_id, day) IN (
          SELECT platform_agent_id, day FROM sync_run_agent_days WHERE sync_run_id = $1 GROUP BY platform_agent_id, day HAVING count(*) > 1)`,
      [syncRunId],
    );
    // When no agent ID of the site changed since the parser read the entries it compared with, and
    // nothing was listed twice, its comparison still holds on each day whose last applier is the
    // one it read (on the target schedule, with this run's mapping): only the run's own entries
    // are read, and not joined with the applier's (that took 7-14 s for a 5,000,000-row file).
    const basis = check.comparedWith;
    if (basis && check.repeatedAgentDays === 0 && basis.agentIdsVersion === (await new IntegrationRepository(manager).agentIdsVersion(check.integrationId))) {
      const [{ unkeepable: off }]: Array<{ unkeepable: number }> = await manager.query(
        `SELECT count(*)::int AS unkeepable
           FROM sync_run_agent_days s
          WHERE s.sync_run_id = $1 AND s.skipped AND s.day = ANY($5::date[])
            AND (NOT s.complete OR s.day <= $6::date OR s.day NOT IN (
                  SELECT b.day FROM unnest($7::date[], $8::uuid[]) AS b(day, sync_run_id)
                    JOIN integration_day_versions v ON v.integration_id = $2 AND v.day = b.day AND v.sync_run_id = b.sync_run_id
                    JOIN sync_runs r ON r.id = v.sync_run_id AND r.schedule_id = $3 AND r.mapping_key = $4))`,
        [syncRunId, check.integrationId, check.scheduleId, check.mappingKey, check.days, check.lastPastDay, basis.days.map((d) => d.day), basis.days.map((d) => d.syncRunId)],
      );
      return off;
    }
    const [{ unkeepable }]: Array<{ unkeepable: number }> = await manager.query(
      `SELECT count(*)::int AS unkeepable
         FROM sync_run_agent_days s
         LEFT JOIN integration_day_versions v ON v.integration_id = $2 AND v.day = s.day
         LEFT JOIN sync_runs r ON r.id = v.sync_run_id AND r.schedule_id = $3 AND r.mapping_key = $4
         LEFT JOIN sync_run_agent_days o ON o.sync_run_id = r.id AND o.day = s.day AND o.platform_agent_id = s.platform_agent_id
                                        AND o.complete AND o.digest = s.digest AND o.agent_id = s.agent_id
                                        -- Said again for the planner: only the days' last appliers' entries are hashed, not
                                        -- every run's kept in the table (up to three times as many after a large re-sync).
                                        AND o.sync_run_id = ANY(ARRAY(SELECT DISTINCT sync_run_id FROM integration_day_versions
                                                                       WHERE integration_id = $2 AND day = ANY($5::date[]) AND sync_run_id IS NOT NULL))
        WHERE s.sync_run_id = $1 AND s.skipped AND s.day = ANY($5::date[])
          AND (o.sync_run_id IS NULL OR NOT s.complete OR s.day <= $6::date)`,
      [syncRunId, check.integrationId, check.scheduleId, check.mappingKey, check.days, check.lastPastDay],
    );
    return unkeepable;
    });
  }

  async queueFullRead(manager: EntityManager, run: SyncRunForApply): Promise<string> {
    const file = await new ReceivedFileRepository(manager).get(run.fileId);
    const settings = await new IntegrationRepository(manager).settings(run.integrationId);
    if (!file || !settings) throw new Error(`the file ${run.fileId} or its integration ${run.integrationId} no longer exists`);
    return queueFileForSync(
      manager,
      {
        organizationId: run.organizationId,
        integrationId: run.integrationId,
        siteId: run.siteId,
        platform: settings.platform,
        fileId: run.fileId,
        filename: run.filename,
        sizeBytes: file.sizeBytes,
        sha256: file.sha256,
        receivedAt: new Date(run.receivedAt),
      },
      new Date(),
      { readInFull: true },
    );
  }

  async hasStoredEvents(manager: EntityManager, integrationId: string, scheduleId: string, range: DayRange): Promise<boolean> {
    const [{ found }]: Array<{ found: boolean }> = await manager.query(
      'SELECT EXISTS (SELECT 1 FROM schedule_events WHERE source_integration_id = $1 AND schedule_id = $2 AND day BETWEEN $3 AND $4) AS found',
      [integrationId, scheduleId, range.from, range.to],
    );
    return found;
  }

  /**
   * Creates the file's events on whole days or agent-days where nothing was stored, straight from
   * the staged rows: an exact duplicate row is one event (the first line kept), and events starting
   * before the past cutoff are skipped and counted, as the snapshot rule does.
   */
  async createNewEvents(manager: EntityManager, syncRunId: string, target: EventTarget, scope: NewEventsScope, pastCutoff: string | null): Promise<{ created: number; skippedPast: number }> {
    const byDays = 'days' in scope;
    if ((byDays ? scope.days : scope.agentDays).length === 0) return { created: 0, skippedPast: 0 };
    // Whole days need no join; agent-days join the range's rows (read once) with the list.
    const source = byDays
      ? 'SELECT line, agent_id, event_type_id, start_at, end_at, day FROM sync_run_rows WHERE sync_run_id = $5 AND day = ANY($6::date[])'
      : `SELECT r.line, r.agent_id, r.event_type_id, r.start_at, r.end_at, r.day
           FROM (SELECT * FROM sync_run_rows WHERE sync_run_id = $5 AND day BETWEEN $8 AND $9 OFFSET 0) r
           JOIN unnest($6::uuid[], $7::date[]) AS k(agent_id, day) ON k.agent_id = r.agent_id AND k.day = r.day`;
    const params = byDays ? [scope.days] : [...agentDayColumns(scope.agentDays), ...dayBounds(scope.agentDays)];
    const cutoff = `$${5 + params.length + 1}::timestamptz`;
    const [{ created, skipped_past }]: Array<{ created: number; skipped_past: number }> = await manager.query(
      // One sort serves both: the duplicates (a row's day is its start's date in the site's zone, so
      // adding it to the key groups the same rows) and the order events are stored in. Sorted by
      // (agent, type, start, end) and again by (day, agent, start), a million rows took twice as long.
      `WITH distinct_rows AS (
         SELECT DISTINCT ON (day, agent_id, start_at, event_type_id, end_at) line, agent_id, event_type_id, start_at, end_at, day
           FROM (${source}) rows
          ORDER BY day, agent_id, start_at, event_type_id, end_at, line
       ), made AS (
         INSERT INTO schedule_events (organization_id, schedule_id, agent_id, event_type_id, start_at, end_at, day, source_integration_id, source_file_id)
         SELECT $1, $2, agent_id, event_type_id, start_at, end_at, day, $3, $4 FROM distinct_rows
          WHERE ${cutoff} IS NULL OR start_at >= ${cutoff}
          -- Stored day by day, so a later file's range reads few pages.
          ORDER BY day, agent_id, start_at
         RETURNING id, agent_id, event_type_id, start_at, end_at
       ), logged AS (
         INSERT INTO sync_run_changes SELECT $5, ${ChangeKind.Created}, * FROM made RETURNING 1
       )
       SELECT (SELECT count(*) FROM logged)::int AS created,
              (SELECT count(*) FROM distinct_rows WHERE start_at < ${cutoff})::int AS skipped_past`,
      [target.organizationId, target.scheduleId, target.integrationId, target.fileId, syncRunId, ...params, pastCutoff],
    );
    return { created, skippedPast: skipped_past };
  }

  /** The file's events on the given agent-days, in file order. */
  async stagedEvents(manager: EntityManager, syncRunId: string, agentDays: readonly AgentDay[]): Promise<IncomingEvent[]> {
    return manager.query(
      // The range's rows are read once and hash-joined with the agent-days: the planner would
      // otherwise probe the day index once per agent-day.
      `WITH range_rows AS MATERIALIZED (
         SELECT line, agent_id, event_type_id, start_at, end_at, day FROM sync_run_rows WHERE sync_run_id = $1 AND day BETWEEN $4 AND $5
       )
       SELECT r.line, r.agent_id AS "agentId", r.event_type_id AS "eventTypeId", ${isoSql('r.start_at')} AS "startAt", ${isoSql('r.end_at')} AS "endAt",
              to_char(r.day, 'YYYY-MM-DD') AS day
         FROM range_rows r JOIN unnest($2::uuid[], $3::date[]) AS k(agent_id, day) ON k.agent_id = r.agent_id AND k.day = r.day
        ORDER BY r.line`,
      [syncRunId, ...agentDayColumns(agentDays), ...dayBounds(agentDays)],
    );
  }

  /** Events this integration wrote earlier in the schedule on the given agent-days. */
  async storedEvents(manager: EntityManager, integrationId: string, scheduleId: string, agentDays: readonly AgentDay[]): Promise<StoredEvent[]> {
    return manager.query(
      // As stagedEvents: one scan of the range, then a hash join (a nested loop here took seconds a range).
      `WITH range_events AS MATERIALIZED (
         SELECT id, agent_id, event_type_id, start_at, end_at, day FROM schedule_events
          WHERE source_integration_id = $1 AND schedule_id = $2 AND day BETWEEN $5 AND $6
       )
       SELECT e.id::text AS id, e.agent_id AS "agentId", e.event_type_id AS "eventTypeId", ${isoSql('e.start_at')} AS "startAt", ${isoSql('e.end_at')} AS "endAt",
              to_char(e.day, 'YYYY-MM-DD') AS day
         FROM range_events e JOIN unnest($3::uuid[], $4::date[]) AS k(agent_id, day) ON k.agent_id = e.agent_id AND k.day = e.day
        ORDER BY e.id`,
      [integrationId, scheduleId, ...agentDayColumns(agentDays), ...dayBounds(agentDays)],
    );
  }

  async dayVersions(manager: EntityManager, integrationId: string, range: DayRange): Promise<Map<string, string>> {
    return new IntegrationRepository(manager).dayVersions(integrationId, range);
  }

  async deleteEvents(manager: EntityManager, syncRunId: string, ids: readonly string[]): Promise<void> {
    for (const slice of slices(ids)) {
      await manager.query(
        `WITH gone AS (DELETE FROM schedule_events WHERE id = ANY($2::bigint[]) RETURNING id, agent_id, event_type_id, start_at, end_at)
         INSERT INTO sync_run_changes SELECT $1, ${ChangeKind.Deleted}, * FROM gone`,
        [syncRunId, slice],
      );
    }
  }

  async updateEvents(manager: EntityManager, syncRunId: string, fileId: string, updates: ReadonlyArray<{ id: string; to: IncomingEvent }>): Promise<void> {
    for (const slice of slices(updates)) {
      await manager.query(
        `WITH changed AS (
           UPDATE schedule_events e
              SET event_type_id = u.event_type_id, start_at = u.start_at, end_at = u.end_at, day = u.day,
                  source_file_id = $1, updated_at = now()
             FROM unnest($2::bigint[], $3::uuid[], $4::timestamptz[], $5::timestamptz[], $6::date[])
                  AS u(id, event_type_id, start_at, end_at, day)
            WHERE e.id = u.id
           RETURNING e.id, e.agent_id, e.event_type_id, e.start_at, e.end_at)
         INSERT INTO sync_run_changes SELECT $7, ${ChangeKind.Updated}, * FROM changed`,
        [fileId, slice.map((u) => u.id), slice.map((u) => u.to.eventTypeId), slice.map((u) => u.to.startAt), slice.map((u) => u.to.endAt), slice.map((u) => u.to.day), syncRunId],
      );
    }
  }

  /**
   * Creates the events of the given file lines straight from the staged rows: nothing travels back
   * and forth. One statement per range (a range is bounded), so its rows are scanned once.
   */
  async createEvents(manager: EntityManager, syncRunId: string, target: EventTarget, range: DayRange, lines: readonly number[]): Promise<void> {
    if (lines.length === 0) return;
    await manager.query(
      `WITH made AS (
         INSERT INTO schedule_events (organization_id, schedule_id, agent_id, event_type_id, start_at, end_at, day, source_integration_id, source_file_id)
         SELECT $1, $2, agent_id, event_type_id, start_at, end_at, day, $3, $4
           FROM sync_run_rows WHERE sync_run_id = $5 AND day BETWEEN $6 AND $7 AND line = ANY($8::int[])
         RETURNING id, agent_id, event_type_id, start_at, end_at)
       INSERT INTO sync_run_changes SELECT $5, ${ChangeKind.Created}, * FROM made`,
      [target.organizationId, target.scheduleId, target.integrationId, target.fileId, syncRunId, range.from, range.to, lines],
    );
  }

  /** Newest-wins bookkeeping: a day keeps the newest file (and its run) that covered it. */
  async claimDays(manager: EntityManager, claim: DayClaim): Promise<string[]> {
    if (claim.days.length === 0) return [];
    const previous: Array<{ sync_run_id: string }> = await manager.query(
      `SELECT DISTINCT sync_run_id FROM integration_day_versions
        WHERE integration_id = $1 AND day = ANY($2::date[]) AND sync_run_id IS NOT NULL AND sync_run_id <> $3`,
      [claim.integrationId, claim.days, claim.syncRunId],
    );
    await manager.query(
      `INSERT INTO integration_day_versions (integration_id, day, file_received_at, file_id, sync_run_id)
       SELECT $1, d, $2, $3, $5 FROM unnest($4::date[]) AS d
       ON CONFLICT (integration_id, day) DO UPDATE
         SET file_received_at = EXCLUDED.file_received_at, file_id = EXCLUDED.file_id, sync_run_id = EXCLUDED.sync_run_id
        WHERE integration_day_versions.file_received_at <= EXCLUDED.file_received_at`,
      [claim.integrationId, claim.receivedAt, claim.fileId, claim.days, claim.syncRunId],
    );
    return previous.map((row) => row.sync_run_id);
  }

  async holdChangesForReport(manager: EntityManager, header: EventsChangedHeader): Promise<void> {
    await manager.query('UPDATE sync_runs SET events_changed = $2::jsonb WHERE id = $1', [header.syncRunId, JSON.stringify(header)]);
  }

  async changesToReport(manager: EntityManager, integrationId: string | null): Promise<EventsChangedHeader[]> {
    const rows: Array<{ header: EventsChangedHeader }> = await manager.query(
      `SELECT events_changed AS header FROM sync_runs
        WHERE events_changed IS NOT NULL AND ($1::uuid IS NULL OR integration_id = $1)
        ORDER BY finished_at, id`,
      [integrationId],
    );
    return rows.map((row) => row.header);
  }

  async pendingReports(): Promise<{ runs: number; oldestAgeSeconds: number }> {
    // On the partial index of runs still owing parts: cheap every few seconds, whatever the table's size.
    const [row]: Array<{ runs: number; age: number }> = await this.dataSource.query(
      `SELECT count(*)::int AS runs, coalesce(extract(epoch FROM clock_timestamp() - min(finished_at)), 0)::float8 AS age
         FROM sync_runs WHERE events_changed IS NOT NULL`,
    );
    return { runs: row.runs, oldestAgeSeconds: Math.max(0, row.age) };
  }

  /**
   * The run's events-changed parts from its logged changes: created, then updated, then deleted,
   * each in id order, cut into parts by encoded size (never by count). The log streams in by binary
   * COPY, sorted once, and each part is rendered here as compact JSON and handed on as soon as a few
   * are whole: a few parts and one hand-off in flight at a time, whatever the run's size. (Built in
   * SQL, formatting every event's ids and instants as text took most of a large file's report.)
   * The same log renders the same parts, so a retry skips the ones recorded as published. Then the
   * log and the mark go, in the caller's transaction: each part goes out once.
   */
  async reportEventsChanged(manager: EntityManager, header: EventsChangedHeader, publish: PublishParts): Promise<{ parts: number; publishedBefore: number; changes: number }> {
    const run = uuidLiteral(header.syncRunId, 'a sync run id');
    const [{ size, published }]: Array<{ size: string; published: number }> = await manager.query(
      `SELECT (SELECT coalesce(sum(184 + length(id::text)), 0) FROM sync_run_changes WHERE sync_run_id = $1) AS size,
              (SELECT events_changed_published_parts FROM sync_runs WHERE id = $1) AS published`,
      [header.syncRunId],
    );
    const parts = partCount(Number(size), EVENTS_CHANGED_PART_BYTES);
    const publishedBefore = Math.min(published ?? 0, parts);
    if (parts > publishedBefore) {
      let rendered = 0;
      let handedOn = publishedBefore;
      const ready: Buffer[] = [];
      const handOn = async () => {
        const payloads = ready.splice(0);
        if (payloads.length === 0) return;
        await publish(payloads);
        handedOn += payloads.length;
        // Committed at once, on a connection of its own: a retry of a report that fails later skips these.
        await this.dataSource.query('UPDATE sync_runs SET events_changed_published_parts = $2 WHERE id = $1', [header.syncRunId, handedOn]);
      };
      // Parts that went out in an earlier try are rendered again (to know where the next one starts) and dropped.
      const renderer = new EventsChangedParts(header, parts, EVENTS_CHANGED_PART_BYTES, (payload) => {
        rendered += 1;
        if (rendered > publishedBefore) ready.push(payload);
      });
      const uuids = new UuidTexts();
      const instants = new IsoInstants();
      // An instant outside the years 1-9999 (none the pipeline writes) is spelled by the database.
      const spelled = (column: string) =>
        `CASE WHEN NOT (${column} >= '0001-01-01T00:00:00Z' AND ${column} < '10000-01-01T00:00:00Z') THEN coalesce(${isoSql(column)}, ${column}::text) END`;
      await streamBinaryCopy(
        this.dataSource,
        `SELECT kind, id, agent_id, event_type_id, start_at, end_at, ${spelled('start_at')}, ${spelled('end_at')}
           FROM sync_run_changes WHERE sync_run_id = ${run} ORDER BY kind, id`,
        {
          settings: { work_mem: EVENTS_CHANGED_WORK_MEM },
          visit: (row) =>
            renderer.add({
              kind: int2Field(row, 0) as ChangeKind,
              id: int8Field(row, 1),
              agentId: uuids.of(row, 2),
              eventTypeId: uuids.of(row, 3),
              startAt: instants.of(row, 4) ?? textField(row, 6)!,
              endAt: instants.of(row, 5) ?? textField(row, 7)!,
            }),
          afterChunk: async () => {
            if (ready.length >= EVENTS_CHANGED_PARTS_PER_HAND_OFF) await handOn();
          },
        },
      );
      renderer.end();
      await handOn();
    }
    const [, changes]: [unknown, number] = await manager.query('DELETE FROM sync_run_changes WHERE sync_run_id = $1', [header.syncRunId]);
    await manager.query('UPDATE sync_runs SET events_changed = NULL, events_changed_published_parts = 0 WHERE id = $1', [header.syncRunId]);
    return { parts, publishedBefore, changes };
  }

  async compactChangeLog(removed: number): Promise<void> {
    // As for staged rows: a large file's log leaves as many dead rows, vacuumed now.
    if (removed >= VACUUM_STAGING_AFTER_ROWS) await this.dataSource.query('VACUUM sync_run_changes');
  }

  /** The run's row errors (as staged with its batches), counted by code. */
  async countRowErrorsByCode(manager: EntityManager, syncRunId: string): Promise<Record<string, number>> {
    const rows: Array<{ code: string; count: number }> = await manager.query(
      `SELECT e.code, count(*)::int AS count
         FROM sync_run_batches b CROSS JOIN LATERAL jsonb_to_recordset(b.errors) AS e(code text)
        WHERE b.sync_run_id = $1 GROUP BY e.code`,
      [syncRunId],
    );
    return Object.fromEntries(rows.map((row) => [row.code, row.count]));
  }

  /** The `unknown_agent` errors, one entry per platform agent id (a missing agent is one thing to fix). */
  async unknownAgents(manager: EntityManager, syncRunId: string, linesNamed: number): Promise<UnknownAgentRows[]> {
    const rows: Array<{ subject: string; rows: number; lines: number[] }> = await manager.query(
      `SELECT e.subject, count(*)::int AS rows, (array_agg(e.line ORDER BY e.line))[1:$2] AS lines
         FROM sync_run_batches b CROSS JOIN LATERAL jsonb_to_recordset(b.errors) AS e(line int, code text, subject text)
        WHERE b.sync_run_id = $1 AND e.code = 'unknown_agent' AND e.subject IS NOT NULL
        GROUP BY e.subject`,
      [syncRunId, linesNamed],
    );
    return rows.map((row) => ({ platformAgentId: row.subject, rows: row.rows, firstLines: row.lines }));
  }

  /**
   * Records every error of the run in line order: the stages' row errors straight from the staged
   * batches (all but the folded `unknown_agent` ones), and the folded ones given here.
   */
  async recordErrors(manager: EntityManager, syncRunId: string, folded: readonly ReportedError[]): Promise<void> {
    await manager.query(
      `INSERT INTO sync_run_errors (sync_run_id, seq, line, "column", code, message)
       SELECT $1, row_number() OVER (ORDER BY line, source, position), line, col, code, message FROM (
         SELECT e.line, e."column" AS col, e.code, e.message, 0 AS source, b.sequence::bigint * 1000000 + x.n AS position
           FROM sync_run_batches b
           CROSS JOIN LATERAL jsonb_array_elements(b.errors) WITH ORDINALITY AS x(error, n)
           CROSS JOIN LATERAL jsonb_to_record(x.error) AS e(line int, "column" text, code text, message text, subject text)
          WHERE b.sync_run_id = $1 AND NOT (e.code = 'unknown_agent' AND e.subject IS NOT NULL)
         UNION ALL
         SELECT u.line, u.col, u.code, u.message, 1, u.position
           FROM unnest($2::int[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS u(line, col, code, message, position)
       ) errors`,
      [syncRunId, folded.map((e) => e.line), folded.map((e) => e.column), folded.map((e) => e.code), folded.map((e) => e.message)],
    );
  }

  /** The first errors of a run, in line order (the status message carries these). */
  async firstErrors(manager: EntityManager, syncRunId: string, limit: number): Promise<ReportedError[]> {
    return manager.query(`SELECT line, "column", code, message FROM sync_run_errors WHERE sync_run_id = $1 ORDER BY seq LIMIT $2`, [syncRunId, limit]);
  }

  /** Records the outcome; the finish time is the real time now, not the transaction's start. */
  async finish(manager: EntityManager, syncRunId: string, outcome: SyncRunOutcome): Promise<Date> {
    // TypeORM answers an UPDATE with [rows, rowCount].
    const [[{ finished_at }]] = await manager.query(
      `UPDATE sync_runs SET status = $2, stage = $3, reason = $4, counts = $5::jsonb, window_from = $6, window_to = $7,
              schedule_id = $8, finished_at = clock_timestamp()
        WHERE id = $1 RETURNING finished_at`,
      [syncRunId, outcome.status, outcome.stage ?? null, outcome.reason ?? null, JSON.stringify(outcome.counts), outcome.window?.from ?? null, outcome.window?.to ?? null, outcome.scheduleId],
    );
    return finished_at;
  }

  /**
   * Refreshes the planner's statistics of the events table after a large change: until autovacuum
   * gets to it, queries (the events API's pages) may be planned for the table as it was.
   */
  async analyzeEvents(): Promise<void> {
    await this.dataSource.query('ANALYZE schedule_events');
  }

  /**
   * Removes what finished runs left staged (after their own commit, off the status's path; and a
   * batch redelivered after its run finished). Returns the runs cleaned.
   */
  async removeStagedOfFinishedRuns(syncRunIds?: readonly string[]): Promise<number> {
    const removed = await this.dataSource.transaction(async (manager) => {
      const runs: Array<{ id: string }> = await manager.query(
        `SELECT DISTINCT b.sync_run_id AS id FROM sync_run_batches b JOIN sync_runs r ON r.id = b.sync_run_id
          WHERE r.status <> 'processing' AND ($1::uuid[] IS NULL OR b.sync_run_id = ANY($1::uuid[]))`,
        [syncRunIds ?? null],
      );
      if (runs.length === 0) return { runs: 0, rows: 0 };
      const ids = runs.map((run) => run.id);
      const [, rows]: [unknown, number] = await manager.query('DELETE FROM sync_run_rows WHERE sync_run_id = ANY($1::uuid[])', [ids]);
      await manager.query('DELETE FROM sync_run_batches WHERE sync_run_id = ANY($1::uuid[])', [ids]);
      return { runs: ids.length, rows };
    });
    // A large file leaves as many dead rows as it had: vacuumed now, not when autovacuum gets to
    // them, so the next large file's staging and apply do not wade through them.
    if (removed.rows >= VACUUM_STAGING_AFTER_ROWS) await this.dataSource.query('VACUUM sync_run_rows');
    return removed.runs;
  }

  async hasRunsInProgress(): Promise<boolean> {
    const [{ busy }]: Array<{ busy: boolean }> = await this.dataSource.query(`SELECT EXISTS (SELECT 1 FROM sync_runs WHERE status = 'processing') AS busy`);
    return busy;
  }

  async removeDisownedAgentDays(syncRunIds: readonly string[]): Promise<void> {
    if (syncRunIds.length === 0) return;
    const [, removed]: [unknown, number] = await this.dataSource.transaction((manager) =>
      withHashJoins(manager, () =>
        manager.query(
          `DELETE FROM sync_run_agent_days a USING sync_runs r
            WHERE r.id = a.sync_run_id AND r.status <> 'processing' AND a.sync_run_id = ANY($1::uuid[])
              AND NOT EXISTS (SELECT 1 FROM integration_day_versions v WHERE v.sync_run_id = a.sync_run_id AND v.day = a.day)`,
          [syncRunIds],
        ),
      ),
    );
    if (removed >= VACUUM_STAGING_AFTER_ROWS) await this.dataSource.query('VACUUM sync_run_agent_days');
  }
}

/** Staged rows removed at once past which the staging table is vacuumed right away. */
const VACUUM_STAGING_AFTER_ROWS = 100_000;

/** Each text's rank in sorted order, by position: days compared as the calendar orders them. */
function rankOf(texts: readonly string[]): number[] {
  const sorted = [...texts].sort();
  const rank = new Map(sorted.map((text, index) => [text, index]));
  return texts.map((text) => rank.get(text)!);
}

/** What a batch notes of itself when staged, for the apply's summary (see stagedSummary). */
function batchSummary(batch: RowsBatchV2): { rowsPerDay: Record<string, number>; agentIds: string[]; eventTypeIds: string[]; leftOut: number } {
  const { rows, eventTypeIds, agentIds, days } = batch;
  const perDay = new Array<number>(days.length).fill(0);
  const agents = new Set<string>();
  const types = new Set<string>();
  for (let i = 0; i < rows.line.length; i += 1) {
    const eventTypeId = eventTypeIds![rows.activity[i]];
    const agentId = agentIds![rows.agent[i]];
    if (!eventTypeId || !agentId) continue;
    perDay[rows.day[i]] += 1;
    agents.add(agentId);
    types.add(eventTypeId);
  }
  // Agent-days left out as unchanged: their agents are in the file, and their rows weigh on their days.
  let leftOut = 0;
  const entries = batch.agentDays;
  if (entries) {
    for (let i = 0; i < entries.agent.length; i += 1) {
      const agentId = agentIds![entries.agent[i]];
      if (entries.skipped[i] !== 1 || !agentId) continue;
      leftOut += 1;
      perDay[entries.day[i]] += entries.rows[i];
      agents.add(agentId);
    }
  }
  const rowsPerDay: Record<string, number> = {};
  days.forEach((day, position) => {
    if (perDay[position] > 0) rowsPerDay[day] = perDay[position];
  });
  return { rowsPerDay, agentIds: [...agents], eventTypeIds: [...types], leftOut };
}

/**
 * A batch's agent-day entries as COPY text. An entry is complete when its agent is known and, for
 * rows that travelled, every one of them maps to an event type (a run's rows are in its entry's
 * batch): only complete entries may later stand for their stored events.
 */
function agentDayEntriesText(batch: RowsBatchV2): string {
  const entries = batch.agentDays;
  if (!entries || entries.agent.length === 0) return '';
  const { rows, eventTypeIds, agentIds, platformAgentIds, days } = batch;
  const unmapped = new Set<number>();
  for (let i = 0; i < rows.line.length; i += 1) {
    if (!eventTypeIds![rows.activity[i]]) unmapped.add(rows.agent[i] * days.length + rows.day[i]);
  }
  let text = '';
  for (let i = 0; i < entries.agent.length; i += 1) {
    const agent = entries.agent[i];
    const agentId = agentIds![agent];
    const skipped = entries.skipped[i] === 1;
    const complete = agentId !== null && (skipped || !unmapped.has(agent * days.length + entries.day[i]));
    text += `${batch.syncRunId}\t${copyText(platformAgentIds[agent])}\t${agentId ?? '\\N'}\t${days[entries.day[i]]}\t${entries.digest[i]}\t${entries.rows[i]}\t${skipped}\t${complete}\n`;
  }
  return text;
}

/** A text in COPY's text format: backslash, tab, newline and carriage return escaped. */
function copyText(value: string): string {
  return /[\\\t\n\r]/.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c]!) : value;
}

/**
 * Runs statements over a run's staged rows or entries with hash joins only. A run being applied is
 * never in the table's statistics (it was staged moments ago), so the planner takes its rows for a
 * handful and nests loops or merges over them: rows times rows, which turned one statement into minutes.
 */
async function withHashJoins<T>(manager: EntityManager, work: () => Promise<T>): Promise<T> {
  // Merge joins too: with a one-row estimate, a merge on the day alone rescans the day per agent (79 million rows seen).
  // And memory to hash a 5,000,000-row file's 1.4 million agent-days without spilling to disk.
  await manager.query("SET LOCAL enable_nestloop = off; SET LOCAL enable_mergejoin = off; SET LOCAL work_mem = '128MB'");
  const result = await work();
  // A failed statement aborts the transaction, and with it these settings: they are only restored after success.
  await manager.query('SET LOCAL enable_nestloop TO DEFAULT; SET LOCAL enable_mergejoin TO DEFAULT; SET LOCAL work_mem TO DEFAULT');
  return result;
}

/** COPY FROM STDIN on the transaction's own connection. */
async function copyInto(manager: EntityManager, sql: string, chunks: Iterable<string | Buffer>): Promise<void> {
  const client = (await manager.queryRunner!.connect()) as PoolClient;
  await pipeline(Readable.from(chunks), client.query(copyFrom(sql)));
}
