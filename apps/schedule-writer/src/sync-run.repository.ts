import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { EntityManager } from 'typeorm';
import type { FileEndV1, RowErrorV1, RowsBatchV1 } from '@bpo/contracts';
import type { IncomingEvent, StoredEvent } from '@bpo/snapshot-sync';
import type { ReportedError } from './sync-report';

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

export interface CreatedEvent {
  id: string;
  agentId: string;
  eventTypeId: string;
  startAt: string;
  endAt: string;
}

// Large files are written in slices: one statement per slice, never one per row.
const SLICE = 5000;

function slices<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += SLICE) out.push(items.slice(i, i + SLICE));
  return out;
}

const iso = (value: Date | string) => new Date(value).toISOString();

/** Everything the schedule-writer reads and writes, as set-based SQL inside the caller's transaction. */
@Injectable()
export class SyncRunRepository {
  async stageBatch(manager: EntityManager, batch: RowsBatchV1): Promise<void> {
    await manager.query(
      `INSERT INTO sync_run_batches (sync_run_id, sequence, rows, errors) VALUES ($1, $2, $3::jsonb, $4::jsonb)
       ON CONFLICT (sync_run_id, sequence) DO NOTHING`,
      [batch.syncRunId, batch.sequence, JSON.stringify(batch.rows), JSON.stringify(batch.errors)],
    );
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

  async countBatches(manager: EntityManager, syncRunId: string): Promise<number> {
    const [{ count }] = await manager.query('SELECT count(*)::int AS count FROM sync_run_batches WHERE sync_run_id = $1', [syncRunId]);
    return count;
  }

  async integration(manager: EntityManager, integrationId: string): Promise<IntegrationForApply | null> {
    const rows = await manager.query(
      `SELECT COALESCE(i.target_schedule_id, (SELECT id FROM schedules WHERE organization_id = i.organization_id AND is_default)) AS schedule_id,
              s.timezone AS site_timezone, i.sync_past_events, i.replace_scope
         FROM integrations i JOIN sites s ON s.id = i.site_id WHERE i.id = $1`,
      [integrationId],
    );
    if (rows.length === 0 || !rows[0].schedule_id) return null;
    return { scheduleId: rows[0].schedule_id, siteTimezone: rows[0].site_timezone, syncPastEvents: rows[0].sync_past_events, replaceScope: rows[0].replace_scope };
  }

  /**
   * A file's events (rows with both agent and event type resolved) and its row errors, as staged.
   * Only the fields the snapshot needs leave the database: a large file's rows stay small in memory.
   */
  async stagedRows(manager: EntityManager, syncRunId: string): Promise<{ incoming: IncomingEvent[]; errors: RowErrorV1[] }> {
    const incoming: IncomingEvent[] = await manager.query(
      `SELECT (r->>'line')::int AS line, r->>'agentId' AS "agentId", r->>'eventTypeId' AS "eventTypeId",
              r->>'startAt' AS "startAt", r->>'endAt' AS "endAt", r->>'day' AS day
         FROM sync_run_batches b CROSS JOIN LATERAL jsonb_array_elements(b.rows) WITH ORDINALITY AS x(r, n)
        WHERE b.sync_run_id = $1 AND r ? 'agentId' AND r ? 'eventTypeId'
        ORDER BY b.sequence, x.n`,
      [syncRunId],
    );
    const errors: RowErrorV1[] = await manager.query(
      `SELECT e.* FROM sync_run_batches b CROSS JOIN LATERAL jsonb_to_recordset(b.errors)
                AS e(line int, "column" text, code text, message text, subject text)
        WHERE b.sync_run_id = $1 ORDER BY b.sequence`,
      [syncRunId],
    );
    return { incoming, errors: errors.map(({ column, subject, ...error }) => ({ ...error, ...(column ? { column } : {}), ...(subject ? { subject } : {}) })) };
  }

  async storedEvents(manager: EntityManager, integrationId: string, scheduleId: string, from: string, to: string): Promise<StoredEvent[]> {
    const rows = await manager.query(
      `SELECT id::text, agent_id, event_type_id, start_at, end_at, to_char(day, 'YYYY-MM-DD') AS day FROM schedule_events
        WHERE source_integration_id = $1 AND schedule_id = $2 AND day BETWEEN $3 AND $4`,
      [integrationId, scheduleId, from, to],
    );
    return rows.map((row: Record<string, string>) => ({
      id: row.id,
      agentId: row.agent_id,
      eventTypeId: row.event_type_id,
      startAt: iso(row.start_at),
      endAt: iso(row.end_at),
      day: row.day,
    }));
  }

  async dayVersions(manager: EntityManager, integrationId: string, from: string, to: string): Promise<Map<string, string>> {
    const rows = await manager.query(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, file_received_at FROM integration_day_versions
        WHERE integration_id = $1 AND day BETWEEN $2 AND $3`,
      [integrationId, from, to],
    );
    return new Map(rows.map((row: { day: string; file_received_at: Date }) => [row.day, iso(row.file_received_at)]));
  }

  async deleteEvents(manager: EntityManager, ids: readonly string[]): Promise<void> {
    for (const slice of slices(ids)) await manager.query('DELETE FROM schedule_events WHERE id = ANY($1::bigint[])', [slice]);
  }

  async updateEvents(manager: EntityManager, fileId: string, updates: ReadonlyArray<{ id: string; to: IncomingEvent }>): Promise<void> {
    for (const slice of slices(updates)) {
      await manager.query(
        `UPDATE schedule_events e
            SET event_type_id = u.event_type_id, start_at = u.start_at, end_at = u.end_at, day = u.day,
                source_file_id = $1, updated_at = now()
           FROM unnest($2::bigint[], $3::uuid[], $4::timestamptz[], $5::timestamptz[], $6::date[])
                AS u(id, event_type_id, start_at, end_at, day)
          WHERE e.id = u.id`,
        [fileId, slice.map((u) => u.id), slice.map((u) => u.to.eventTypeId), slice.map((u) => u.to.startAt), slice.map((u) => u.to.endAt), slice.map((u) => u.to.day)],
      );
    }
  }

  /**
   * Creates events with COPY (the cheapest bulk path into PostgreSQL), then reads back their ids:
   * the rows of this file created in this transaction (`created_at` is the transaction's start).
   */
  async insertEvents(
    manager: EntityManager,
    target: { organizationId: string; scheduleId: string; integrationId: string; fileId: string },
    events: readonly IncomingEvent[],
  ): Promise<CreatedEvent[]> {
    if (events.length === 0) return [];
    const client = (await manager.queryRunner!.connect()) as PoolClient;
    const copy = client.query(
      copyFrom(
        'COPY schedule_events (organization_id, schedule_id, agent_id, event_type_id, start_at, end_at, day, source_integration_id, source_file_id) FROM STDIN',
      ),
    );
    const prefix = `${target.organizationId}\t${target.scheduleId}\t`;
    const suffix = `\t${target.integrationId}\t${target.fileId}\n`;
    // Ids, instants and days hold no tab, newline or backslash: COPY's text format needs no escaping.
    await pipeline(
      Readable.from(
        (function* () {
          for (let at = 0; at < events.length; at += SLICE) {
            yield events
              .slice(at, at + SLICE)
              .map((e) => `${prefix}${e.agentId}\t${e.eventTypeId}\t${e.startAt}\t${e.endAt}\t${e.day}${suffix}`)
              .join('');
          }
        })(),
      ),
      copy,
    );
    const rows = await manager.query(
      `SELECT id::text, agent_id, event_type_id, start_at, end_at FROM schedule_events
        WHERE source_file_id = $1 AND schedule_id = $2 AND created_at = now() ORDER BY id`,
      [target.fileId, target.scheduleId],
    );
    return rows.map((row: Record<string, string>) => ({ id: row.id, agentId: row.agent_id, eventTypeId: row.event_type_id, startAt: iso(row.start_at), endAt: iso(row.end_at) }));
  }

  /** Newest-wins bookkeeping: a day keeps the newest file that covered it. */
  async claimDays(manager: EntityManager, integrationId: string, fileId: string, receivedAt: Date, days: readonly string[]): Promise<void> {
    if (days.length === 0) return;
    await manager.query(
      `INSERT INTO integration_day_versions (integration_id, day, file_received_at, file_id)
       SELECT $1, d, $2, $3 FROM unnest($4::date[]) AS d
       ON CONFLICT (integration_id, day) DO UPDATE SET file_received_at = EXCLUDED.file_received_at, file_id = EXCLUDED.file_id
        WHERE integration_day_versions.file_received_at <= EXCLUDED.file_received_at`,
      [integrationId, receivedAt, fileId, days],
    );
  }

  async recordErrors(manager: EntityManager, syncRunId: string, errors: readonly ReportedError[]): Promise<void> {
    let seq = 0;
    for (const slice of slices(errors)) {
      await manager.query(
        `INSERT INTO sync_run_errors (sync_run_id, seq, line, "column", code, message)
         SELECT $1, $2 + u.ord, u.line, u.col, u.code, u.message
           FROM unnest($3::int[], $4::text[], $5::text[], $6::text[]) WITH ORDINALITY AS u(line, col, code, message, ord)`,
        [syncRunId, seq, slice.map((e) => e.line), slice.map((e) => e.column), slice.map((e) => e.code), slice.map((e) => e.message)],
      );
      seq += slice.length;
    }
  }

  async finish(
    manager: EntityManager,
    syncRunId: string,
    outcome: { status: string; stage?: string | null; reason?: string | null; counts: object; window: { from: string; to: string } | null; scheduleId: string | null },
  ): Promise<Date> {
    // TypeORM answers an UPDATE with [rows, rowCount].
    const [[{ finished_at }]] = await manager.query(
      `UPDATE sync_runs SET status = $2, stage = $3, reason = $4, counts = $5::jsonb, window_from = $6, window_to = $7,
              schedule_id = $8, finished_at = now()
        WHERE id = $1 RETURNING finished_at`,
      [syncRunId, outcome.status, outcome.stage ?? null, outcome.reason ?? null, JSON.stringify(outcome.counts), outcome.window?.from ?? null, outcome.window?.to ?? null, outcome.scheduleId],
    );
    await manager.query('DELETE FROM sync_run_batches WHERE sync_run_id = $1', [syncRunId]);
    return finished_at;
  }
}
