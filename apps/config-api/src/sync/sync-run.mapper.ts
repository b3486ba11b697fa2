import type { UndeliveredMessage } from '@bpo/messaging';
import type { SyncCounts, SyncRunStatus } from '@bpo/persistence';
import type { FileResponse, SyncErrorResponse, SyncRunResponse } from './sync-run.dto';

/** Sync run columns as the queries select them (prefixed `run_` when joined to a file), with the run's undelivered messages. */
export interface SyncRunRow {
  run_id: string | null;
  run_status: SyncRunStatus;
  run_stage: SyncRunResponse['stage'];
  run_reason: string | null;
  run_counts: SyncCounts | null;
  run_window_from: string | null;
  run_window_to: string | null;
  run_schedule_id: string | null;
  run_started_at: Date;
  run_finished_at: Date | null;
  /** Not a column: read from messaging (owner of outbox_dead_letters) by SyncRepository; empty for a row without a run. */
  run_undelivered: readonly UndeliveredMessage[];
}

export interface FileRow extends SyncRunRow {
  file_id: string;
  filename: string;
  size_bytes: string;
  sha256: string;
  received_at: Date;
  received_key: string;
}

export const SYNC_RUN_COLUMNS = `r.id AS run_id, r.status AS run_status, r.stage AS run_stage, r.reason AS run_reason, r.counts AS run_counts,
  r.window_from::text AS run_window_from, r.window_to::text AS run_window_to, r.schedule_id AS run_schedule_id,
  r.started_at AS run_started_at, r.finished_at AS run_finished_at`;

export function toSyncRunResponse(row: SyncRunRow): SyncRunResponse | null {
  if (!row.run_id) return null;
  return {
    id: row.run_id,
    status: row.run_status,
    stage: row.run_stage,
    reason: row.run_reason,
    counts: row.run_counts,
    window: row.run_window_from && row.run_window_to ? { from: row.run_window_from, to: row.run_window_to } : null,
    scheduleId: row.run_schedule_id,
    startedAt: row.run_started_at.toISOString(),
    finishedAt: row.run_finished_at?.toISOString() ?? null,
    durationMs: row.run_finished_at ? row.run_finished_at.getTime() - row.run_started_at.getTime() : null,
    undelivered: row.run_undelivered.map((letter) => ({ topic: letter.topic, reason: letter.reason, failedAt: letter.failedAt.toISOString() })),
  };
}

export function toFileResponse(row: FileRow): FileResponse {
  return {
    id: row.file_id,
    filename: row.filename,
    sizeBytes: Number(row.size_bytes),
    sha256: row.sha256,
    receivedAt: row.received_at.toISOString(),
    syncRun: toSyncRunResponse(row),
  };
}

export function toSyncErrorResponse(row: { line: number; column: string | null; code: string; message: string }): SyncErrorResponse {
  return { line: row.line, column: row.column, code: row.code, message: row.message };
}
