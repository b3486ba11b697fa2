import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { FileFailureV1 } from '@bpo/contracts';
import { formatMinutes } from '@bpo/messaging';
import { ScheduleWriterConfig } from './schedule-writer.config';
import { ScheduleWriterService } from './schedule-writer.service';

/** A processing run and how far it got. */
export interface ProcessingRun {
  id: string;
  /** Rows reached mapping (it froze the integration's rules at the first batch). */
  mapped: boolean;
  /** Batches staged at the writer, and how many the file has (once its end arrived). */
  batches: number;
  batchCount: number | null;
}

/** Where a run without progress stopped, in words for its report. */
export function stuckRunFailure(run: ProcessingRun, stuckMs: number): FileFailureV1 {
  const idle = `no progress for ${formatMinutes(stuckMs / 60_000)}`;
  const [stage, detail]: [FileFailureV1['stage'], string] = !run.mapped
    ? ['parser', 'no rows reached mapping']
    : run.batches === 0
      ? ['mapping', 'no rows reached the schedule-writer']
      : run.batchCount === null
        ? ['schedule-writer', `${run.batches} batches of rows arrived, the end of the file did not`]
        : run.batches < run.batchCount
          ? ['schedule-writer', `${run.batches} of ${run.batchCount} batches of rows arrived`]
          : ['schedule-writer', 'all of its rows arrived but it was not applied'];
  return { stage, reason: `${idle} at stage ${stage} (${detail}); replay the file` };
}

/** Finds processing runs with no progress (no batch staged) for `stuckMs`; oldest first, a bounded number. */
export async function findStuckRuns(dataSource: DataSource, stuckMs: number, limit = 100): Promise<ProcessingRun[]> {
  const rows: Array<{ id: string; mapped: boolean; batches: number; batch_count: number | null }> = await dataSource.query(
    `SELECT sr.id, EXISTS (SELECT 1 FROM sync_run_mapping_rules m WHERE m.sync_run_id = sr.id) AS mapped,
            p.batches, (sr.file_end ->> 'batchCount')::int AS batch_count
       FROM sync_runs sr
       CROSS JOIN LATERAL (SELECT count(*)::int AS batches, max(b.staged_at) AS last_staged_at
                             FROM sync_run_batches b WHERE b.sync_run_id = sr.id) p
      WHERE sr.status = 'processing'
        AND sr.started_at < clock_timestamp() - $1 * interval '1 millisecond'
        AND COALESCE(p.last_staged_at, sr.started_at) < clock_timestamp() - $1 * interval '1 millisecond'
      ORDER BY sr.started_at LIMIT $2`,
    [stuckMs, limit],
  );
  return rows.map((row) => ({ id: row.id, mapped: row.mapped, batches: row.batches, batchCount: row.batch_count }));
}

/**
 * Nothing stays `processing` forever: a run that made no progress for STUCK_RUN_MINUTES (a message
 * lost upstream, a stage that kept failing past its limits) is failed with where it stopped, which
 * reports it (sync-status) like any failed file and lets it be replayed. Failing goes through the
 * writer's own path, under the run's row lock, so a run being applied right now is left alone.
 */
@Injectable()
export class StuckRunSweeper implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(StuckRunSweeper.name);
  private timer?: NodeJS.Timeout;
  private sweeping: Promise<void> = Promise.resolve();

  constructor(
    private readonly dataSource: DataSource,
    private readonly writer: ScheduleWriterService,
    private readonly config: ScheduleWriterConfig,
  ) {}

  private get stuckMs(): number {
    return this.config.STUCK_RUN_MINUTES * 60_000;
  }

  onModuleInit(): void {
    const every = Math.max(1_000, Math.min(60_000, this.stuckMs / 10));
    this.timer = setInterval(() => {
      this.sweeping = this.sweeping.then(async () => void (await this.sweep())).catch((error: Error) => this.logger.warn({ message: 'looking for stuck sync runs failed; will retry', error: error.message }));
    }, every);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.sweeping;
  }

  async sweep(): Promise<number> {
    const stuck = await findStuckRuns(this.dataSource, this.stuckMs);
    for (const run of stuck) {
      const failure = stuckRunFailure(run, this.stuckMs);
      this.logger.warn({ message: 'sync run made no progress; failing it', syncRunId: run.id, stage: failure.stage, reason: failure.reason });
      await this.writer.fail(run.id, failure);
    }
    return stuck.length;
  }
}
