import type { UndeliveredMessage } from '@bpo/messaging';
import type { ReceivedFileListing, SyncRunListing } from '@bpo/persistence';
import type { FileResponse, SyncErrorResponse, SyncRunResponse } from './sync-run.dto';

/** A sync run as stored, with its undelivered messages (read from messaging, the owner of outbox_dead_letters, by SyncRepository). */
export interface SyncRunRow extends SyncRunListing {
  undelivered: readonly UndeliveredMessage[];
}

/** A received file with its latest sync run (null when it has none). */
export interface FileRow {
  file: ReceivedFileListing;
  run: SyncRunRow | null;
}

/** An integration's latest sync run, with its file. */
export interface LatestRun extends FileRow {
  run: SyncRunRow;
}

export function toSyncRunResponse(run: SyncRunRow): SyncRunResponse {
  return {
    id: run.id,
    status: run.status,
    stage: run.stage,
    reason: run.reason,
    counts: run.counts,
    window: run.window_from && run.window_to ? { from: run.window_from, to: run.window_to } : null,
    scheduleId: run.schedule_id,
    startedAt: run.started_at.toISOString(),
    finishedAt: run.finished_at?.toISOString() ?? null,
    durationMs: run.finished_at ? run.finished_at.getTime() - run.started_at.getTime() : null,
    undelivered: run.undelivered.map((letter) => ({ topic: letter.topic, reason: letter.reason, failedAt: letter.failedAt.toISOString() })),
  };
}

export function toFileResponse({ file, run }: FileRow): FileResponse {
  return {
    id: file.id,
    filename: file.filename,
    sizeBytes: Number(file.size_bytes),
    sha256: file.sha256,
    receivedAt: file.received_at.toISOString(),
    syncRun: run ? toSyncRunResponse(run) : null,
  };
}

export function toSyncErrorResponse(row: { line: number; column: string | null; code: string; message: string }): SyncErrorResponse {
  return { line: row.line, column: row.column, code: row.code, message: row.message };
}
