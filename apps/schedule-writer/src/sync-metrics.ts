import type { SyncStatus } from '@bpo/contracts';
import { Metrics } from '@bpo/service-kit';

/** A sync run the writer just finished (its transaction committed), as the metrics count it. */
export interface FinishedSyncRun {
  status: SyncStatus;
  startedAt: Date | string;
  finishedAt: Date | string;
  /** Its row errors by code (empty for a failed file). */
  rowErrorsByCode: Record<string, number>;
}

/** Seconds from the run's start (the file received and announced) to its end; never negative. */
export function syncDurationSeconds(startedAt: Date | string, finishedAt: Date | string): number {
  return Math.max(0, (new Date(finishedAt).getTime() - new Date(startedAt).getTime()) / 1000);
}

/** Counted only after the commit, so a rolled-back apply (retried later) is counted once. */
export function recordSyncRunMetrics(run: FinishedSyncRun): void {
  Metrics.syncDuration.observe({ status: run.status }, syncDurationSeconds(run.startedAt, run.finishedAt));
  for (const [code, count] of Object.entries(run.rowErrorsByCode)) if (count > 0) Metrics.rowErrors.inc({ code }, count);
}
