import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Metrics } from '@bpo/service-kit';
import { SyncRunRepository } from './sync-run.repository';

/** How often the backlog is measured (as often as the outbox relay measures its lanes). */
const MEASURE_EVERY_MS = 10_000;

/**
 * What the outbox's backlog gauges showed for events-changed parts before the writer published
 * them itself: how many sync runs still owe parts, and how long the oldest has waited (a broker
 * down, a report failing). Database-wide, so every writer instance reports the same figures.
 */
@Injectable()
export class EventsChangedBacklog implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(EventsChangedBacklog.name);
  private timer?: NodeJS.Timeout;
  private measuring: Promise<void> = Promise.resolve();

  constructor(private readonly runs: SyncRunRepository) {}

  onModuleInit(): void {
    this.timer = setInterval(() => {
      this.measuring = this.measuring.then(() => this.measure()).catch((error: Error) => this.logger.warn({ message: 'measuring the events-changed backlog failed', error: error.message }));
    }, MEASURE_EVERY_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.measuring;
  }

  async measure(): Promise<void> {
    const { runs, oldestAgeSeconds } = await this.runs.pendingReports();
    Metrics.eventsChangedPendingRuns.set(runs);
    Metrics.eventsChangedOldestPending.set(oldestAgeSeconds);
  }
}
