import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { FileFailureV1 } from '@bpo/contracts';
import { formatMinutes } from '@bpo/messaging';
import { SyncRunRecords, type ProcessingRun } from '@bpo/persistence';
import { ScheduleWriterConfig } from './schedule-writer.config';
import { ScheduleWriterService } from './schedule-writer.service';

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

/** Stuck runs failed per sweep, oldest first; the next sweep takes the rest. */
const STUCK_RUNS_PER_SWEEP = 100;

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
  private readonly runs: SyncRunRecords;

  constructor(
    dataSource: DataSource,
    private readonly writer: ScheduleWriterService,
    private readonly config: ScheduleWriterConfig,
  ) {
    this.runs = new SyncRunRecords(dataSource);
  }

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
    const stuck = await this.runs.stuck(this.stuckMs, STUCK_RUNS_PER_SWEEP);
    for (const run of stuck) {
      const failure = stuckRunFailure(run, this.stuckMs);
      this.logger.warn({ message: 'sync run made no progress; failing it', syncRunId: run.id, stage: failure.stage, reason: failure.reason });
      await this.writer.fail(run.id, failure);
    }
    return stuck.length;
  }
}
