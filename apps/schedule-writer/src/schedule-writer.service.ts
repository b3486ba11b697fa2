import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { DateTime } from 'luxon';
import {
  SYNC_STATUS_MAX_ERRORS,
  Topics,
  type FileFailureV1,
  type FileMessageV1,
  type SyncCountsV1,
  type SyncStatus,
  type SyncStatusV1,
} from '@bpo/contracts';
import { MessagingLifecycle, type OutgoingMessage } from '@bpo/messaging';
import { endOfLocalDay } from '@bpo/schedule-time';
import { Metrics, withSpan } from '@bpo/service-kit';
import { planSnapshotSync, routeAgentDays, splitWindowDays, windowChunks } from '@bpo/snapshot-sync';
import { errorsForStatusMessage, MAX_LINES_NAMED, syncStatusOf, unknownAgentError, type ReportedError } from './sync-report';
import { ScheduleWriterConfig } from './schedule-writer.config';
import { recordSyncRunMetrics, type FinishedSyncRun } from './sync-metrics';
import { Clock } from './clock';
import { SyncRunRepository, type SyncRunForApply } from './sync-run.repository';
import { EventsChangedPublisher } from './events-changed-publisher';

/** How often leftovers of finished runs are looked for (their own cleanup runs right after they finish). */
const STAGING_SWEEP_MS = 10 * 60_000;

/**
 * How often changes still to be reported are looked for: those of a writer that stopped between a
 * run's commit and its report (each writer also reports what it finds when it starts).
 */
const REPORT_SWEEP_MS = 60_000;

/** After a report failed (broker down): the first retry, doubled after each failure in a row up to the sweep's interval. */
const REPORT_RETRY_MS = 2_000;

/**
 * How long a finished run's clean-up (its staged rows removed and vacuumed, disowned agent-day
 * entries, statistics) waits for no file to be in progress: after a large file it is seconds of
 * database work, which slowed the file that came right after it. Never longer than this.
 */
const CLEAN_UP_WAITS_FOR_IDLE_MS = 60_000;
const IDLE_POLL_MS = 1000;

/** Events created or deleted by one file past which the events table's statistics are refreshed. */
const ANALYZE_AFTER_CHANGES = 50_000;

const emptyCounts = (rows = 0): SyncCountsV1 => ({ rows, created: 0, updated: 0, deleted: 0, unchanged: 0, skippedPast: 0, rowErrors: 0 });

/**
 * Applies each file to its integration's target schedule, all or nothing, once all of its batches
 * have arrived; records the sync run, queues its sync-status message (outbox) and logs what it
 * changed in the same transaction. Its events-changed messages are built from that log right after
 * the commit and published straight to Kafka, in a transaction that then removes the log: the
 * status is not held up by them (seconds at a million events), and a crash at any point neither
 * loses an event or a message nor sends a status twice (a crash between a part's acknowledgement
 * and its record re-sends that one request's parts; consumers dedupe by sync run and part).
 * Each integration's runs are reported one at a time, in the order they finished, so its
 * events-changed messages keep the order of its applies.
 */
@Injectable()
export class ScheduleWriterService implements OnModuleInit, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger(ScheduleWriterService.name);
  private sweepTimer?: NodeJS.Timeout;
  private reportSweepTimer?: NodeJS.Timeout;
  private cleaning: Promise<unknown> = Promise.resolve();
  private reporting: Promise<unknown> = Promise.resolve();
  private stopping = false;
  /** Reports that failed in a row (the retry waits longer after each). */
  private reportFailures = 0;
  private reportRetryTimer?: NodeJS.Timeout;
  /** The last apply changed many events: refresh the table's statistics once it committed. */
  private analyzeAfterCommit = false;

  constructor(
    private readonly runs: SyncRunRepository,
    private readonly messaging: MessagingLifecycle,
    private readonly config: ScheduleWriterConfig,
    private readonly clock: Clock,
    private readonly eventsChanged: EventsChangedPublisher,
  ) {}

  onModuleInit(): void {
    this.reportChanges(null);
    this.removeStaged();
    this.sweepTimer = setInterval(() => this.removeStaged(), STAGING_SWEEP_MS);
    this.sweepTimer.unref();
    this.reportSweepTimer = setInterval(() => this.reportChanges(null), REPORT_SWEEP_MS);
    this.reportSweepTimer.unref();
  }

  /** The report in flight finishes publishing before the producer disconnects (in onApplicationShutdown). */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopTimers();
    await this.reporting;
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopTimers();
    await Promise.all([this.reporting, this.cleaning]);
  }

  private stopTimers(): void {
    this.stopping = true;
    clearInterval(this.sweepTimer);
    clearInterval(this.reportSweepTimer);
    clearTimeout(this.reportRetryTimer);
  }

  async receive(message: FileMessageV1): Promise<void> {
    // Staging is idempotent (a batch is kept once per sync run and sequence), so redelivery is harmless.
    await this.runs.transaction((tx) =>
      message.kind === 'rows' ? this.runs.stageBatch(tx, message) : this.runs.recordFileEnd(tx, message),
    );
    if (message.kind === 'rows') Metrics.rowsProcessed.inc({ stage: 'schedule-writer' }, message.rows.line.length);
    await this.applyIfComplete(message.syncRunId);
  }

  async fail(syncRunId: string, failure: FileFailureV1): Promise<void> {
    const finished = await this.runs.transaction(async (tx) => {
      const run = await this.runs.lockSyncRun(tx, syncRunId);
      if (!run || run.status !== 'processing') return undefined;
      return this.finishFailed(tx, run, failure);
    });
    if (finished) this.finished(syncRunId, finished);
  }

  private async applyIfComplete(syncRunId: string): Promise<void> {
    const finished = await this.runs.transaction(async (tx) => {
      const run = await this.runs.lockSyncRun(tx, syncRunId);
      if (!run || run.status !== 'processing' || !run.fileEnd) return undefined;
      if (run.fileEnd.failure) return this.finishFailed(tx, run, run.fileEnd.failure);
      if ((await this.runs.countBatches(tx, syncRunId)) < run.fileEnd.batchCount) return undefined;
      // Files of one integration may travel different lanes: they are applied one at a time.
      // (The runs before it may still be reporting their changes, under a lock of their own.)
      await this.runs.lockIntegration(tx, run.integrationId);
      return withSpan('schedule-writer apply', { attributes: { 'bpo.sync_run_id': run.id, 'bpo.file_id': run.fileId } }, () => this.apply(tx, run));
    });
    if (finished) this.finished(syncRunId, finished);
  }

  /** After a run's commit: publish its status now, report its changes, then drop its staged rows in the background. */
  private finished(syncRunId: string, run: FinishedSyncRun & { previousAppliers?: string[]; changesHeldFor?: string }): void {
    recordSyncRunMetrics(run);
    this.messaging.wakeRelay();
    if (run.changesHeldFor) this.reportChanges(run.changesHeldFor);
    // Clean-up waits for the report, and then for no file to be in progress, until a minute after
    // the report ended (a large file's report alone takes most of a minute): both are heavy after a
    // large file, and at once they took both cores from the files that came next. The deadline is
    // the report's end, not the wait's start, so clean-ups queued under steady traffic never add up.
    const reported = this.reporting.then(() => Date.now());
    this.cleaning = Promise.all([this.cleaning, reported]).then(([, reportedAt]) => this.untilIdle(reportedAt + CLEAN_UP_WAITS_FOR_IDLE_MS));
    this.removeStaged([syncRunId]);
    // Its agent-day entries stay on the days it applied (the next file is compared with them); those
    // of the runs that applied these days before it are no longer anyone's.
    const disowned = [syncRunId, ...(run.previousAppliers ?? [])];
    this.cleaning = this.cleaning
      .then(() => this.runs.removeDisownedAgentDays(disowned))
      .catch((error: Error) => this.logger.warn({ message: 'removing disowned agent-day entries failed', error: error.message }));
    if (this.analyzeAfterCommit) {
      this.analyzeAfterCommit = false;
      this.cleaning = this.cleaning
        .then(() => this.runs.analyzeEvents())
        .catch((error: Error) => this.logger.warn({ message: 'analyzing schedule_events failed', error: error.message }));
    }
  }

  /**
   * Publishes the events-changed messages of the runs whose changes are held for report: those of
   * one integration, or (null) of every integration. One integration at a time, under its report
   * lock, in the order its runs finished: a run's messages follow those of the runs applied before
   * it, whichever writer reports them. The next apply does not wait for this (a 5,000,000-event
   * report takes tens of seconds). A failure is retried soon (and by the next report of the
   * integration or the next sweep), skipping the parts that went out; the log goes with the last.
   */
  private reportChanges(integrationId: string | null): void {
    this.reporting = this.reporting
      .then(async () => {
        const integrationIds = integrationId
          ? [integrationId]
          : [...new Set((await this.runs.transaction((tx) => this.runs.changesToReport(tx, null))).map((header) => header.integrationId))];
        for (const id of integrationIds) {
          const changes = await this.runs.transaction(async (tx) => {
            await this.runs.lockReports(tx, id);
            return this.publishHeldReports(tx, id);
          });
          if (changes === 0) continue;
          await this.runs.compactChangeLog(changes);
        }
        this.reportFailures = 0;
      })
      .catch((error: Error) => {
        this.reportFailures += 1;
        const retryMs = Math.min(REPORT_SWEEP_MS, REPORT_RETRY_MS * 2 ** (this.reportFailures - 1));
        this.logger.warn({ message: 'publishing events-changed messages failed; retrying', retryMs, error: error.message });
        if (this.stopping) return;
        clearTimeout(this.reportRetryTimer);
        this.reportRetryTimer = setTimeout(() => this.reportChanges(null), retryMs);
        this.reportRetryTimer.unref();
      });
  }

  /** Publishes the held reports of the integration, in the order its runs finished; returns how many changes they held. */
  private async publishHeldReports(tx: unknown, integrationId: string): Promise<number> {
    let changes = 0;
    for (const header of await this.runs.changesToReport(tx, integrationId)) {
      const started = performance.now();
      const reported = await this.runs.reportEventsChanged(tx, header, (payloads) => this.eventsChanged.publish(integrationId, payloads));
      changes += reported.changes;
      this.logger.log({
        message: 'events-changed published',
        integrationId,
        syncRunId: header.syncRunId,
        changes: reported.changes,
        eventsChangedParts: reported.parts,
        ...(reported.publishedBefore > 0 ? { publishedBefore: reported.publishedBefore } : {}),
        ms: Math.round(performance.now() - started),
      });
    }
    return changes;
  }

  /** Resolves once no sync run is processing, at `notAfter` (epoch ms), or when the service stops. */
  private async untilIdle(notAfter: number): Promise<void> {
    while (!this.stopping && Date.now() < notAfter) {
      const busy = await this.runs.hasRunsInProgress().catch(() => false);
      if (!busy) return;
      await new Promise((resolve) => setTimeout(resolve, IDLE_POLL_MS).unref());
    }
  }

  /** One clean-up at a time; a failed one is retried by the next sweep. */
  private removeStaged(syncRunIds?: string[]): void {
    this.cleaning = this.cleaning
      .then(() => this.runs.removeStagedOfFinishedRuns(syncRunIds))
      .catch((error: Error) => this.logger.warn({ message: 'removing staged rows failed; the next sweep retries', error: error.message }));
  }

  private async apply(tx: unknown, run: SyncRunForApply): Promise<FinishedSyncRun & { previousAppliers?: string[]; changesHeldFor?: string }> {
    const end = run.fileEnd!;
    const timings: Record<string, number> = {};
    let mark = performance.now();
    const lap = (name: string) => {
      const now = performance.now();
      timings[`${name}Ms`] = (timings[`${name}Ms`] ?? 0) + Math.round(now - mark);
      mark = now;
    };
    const integration = await this.runs.integration(tx, run.integrationId);
    if (!integration) {
      return this.finishFailed(tx, run, { stage: 'schedule-writer', reason: 'the integration or its target schedule no longer exists' });
    }
    const counts: SyncCountsV1 = emptyCounts(end.rowCount);
    let appliedDays = 0;
    let supersededDays = 0;
    const previousAppliers = new Set<string>();
    if (end.window) {
      const target = { organizationId: run.organizationId, scheduleId: integration.scheduleId, integrationId: run.integrationId, fileId: run.fileId };
      let staged = await this.runs.stagedSummary(tx, run.id);
      const dropped = await this.runs.lockReferences(tx, run.id, integration.scheduleId, staged);
      if (dropped === null) {
        return this.finishFailed(tx, run, { stage: 'schedule-writer', reason: 'the target schedule was deleted while the file was synced' });
      }
      if (dropped > 0) {
        this.logger.warn({ message: 'rows dropped: their agent or event type was deleted during the sync', syncRunId: run.id, rows: dropped });
        staged = await this.runs.stagedSummary(tx, run.id, true);
      }
      const agentsInFile = staged.agentIds;
      const rowsPerDay = staged.rowsPerDay;
      const now = this.clock.now();
      const pastCutoff = integration.syncPastEvents ? null : endOfLocalDay(now, integration.siteTimezone).toISOString();
      const fileReceivedAt = new Date(run.receivedAt).toISOString();
      // Agent-days the parser left out stand for their stored events only if nothing those depend
      // on changed since they were applied; otherwise the file is read again, in full.
      const mappingKey = await this.runs.recordMappingKey(tx, run.id);
      const unkeepable = await this.runs.countUnkeepableLeftOut(tx, run.id, {
        integrationId: run.integrationId,
        scheduleId: integration.scheduleId,
        mappingKey,
        days: splitWindowDays(end.window, fileReceivedAt, await this.runs.dayVersions(tx, run.integrationId, end.window)).applied,
        lastPastDay: integration.syncPastEvents ? null : DateTime.fromJSDate(now, { zone: integration.siteTimezone }).toISODate(),
        repeatedAgentDays: end.repeatedAgentDays,
        comparedWith: end.comparedWith,
      });
      if (unkeepable > 0) return this.readAgainInFull(tx, run, unkeepable);
      lap('prepare');
      // An agent's day is replaced whole, and days are independent: the window is applied in
      // bounded day ranges. In each, agent-days the file leaves as they are and those with nothing
      // stored are written set-based in the database; only the agent-days that change are planned
      // by the pure snapshot rule, event by event.
      for (const range of windowChunks(end.window, rowsPerDay, this.config.WRITER_ROWS_PER_RANGE)) {
        const dayVersions = await this.runs.dayVersions(tx, run.integrationId, range);
        const days = splitWindowDays(range, fileReceivedAt, dayVersions);
        // Nothing stored on the range (a first file): every applied day is created whole, uncompared.
        // (Agent-days left out as unchanged keep their events; with nothing stored, none were left out.)
        const stored = await this.runs.hasStoredEvents(tx, run.integrationId, integration.scheduleId, range);
        const comparison = stored
          ? await this.runs.compareAgentDays(tx, run.id, { integrationId: run.integrationId, scheduleId: integration.scheduleId, appliedDays: days.applied }, range, pastCutoff)
          : null;
        const routes = comparison ? routeAgentDays(days.applied, comparison.agentDays) : { unchangedEvents: 0, created: [], planned: [] };
        lap('compare');
        counts.unchanged += routes.unchangedEvents + (comparison?.keptEvents ?? 0);
        const made = await this.runs.createNewEvents(tx, run.id, target, stored ? { agentDays: routes.created } : { days: days.applied }, pastCutoff);
        counts.created += made.created;
        counts.skippedPast += made.skippedPast;
        lap('create');
        if (routes.planned.length > 0) {
          const incoming = await this.runs.stagedEvents(tx, run.id, routes.planned);
          const stored = await this.runs.storedEvents(tx, run.integrationId, integration.scheduleId, routes.planned);
          lap('load');
          const plan = planSnapshotSync({ incoming, stored, window: range, replaceScope: integration.replaceScope, agentsInFile, fileReceivedAt, dayVersions, pastCutoff });
          lap('plan');
          await this.runs.deleteEvents(tx, run.id, plan.delete.map((event) => event.id));
          await this.runs.updateEvents(tx, run.id, run.fileId, plan.update);
          await this.runs.createEvents(tx, run.id, target, range, plan.create.map((event) => event.line));
          lap('writeEvents');
          counts.created += plan.create.length;
          counts.updated += plan.update.length;
          counts.deleted += plan.delete.length;
          counts.unchanged += plan.unchanged.length;
          counts.skippedPast += plan.skippedPast;
        }
        const before = await this.runs.claimDays(tx, { integrationId: run.integrationId, syncRunId: run.id, fileId: run.fileId, receivedAt: run.receivedAt, days: days.applied });
        for (const applier of before) previousAppliers.add(applier);
        appliedDays += days.applied.length;
        supersededDays += days.superseded.length;
      }
    }

    const rowErrorsByCode = await this.runs.countRowErrorsByCode(tx, run.id);
    counts.rowErrors = Object.values(rowErrorsByCode).reduce((sum, count) => sum + count, 0);
    const folded = (await this.runs.unknownAgents(tx, run.id, MAX_LINES_NAMED + 1)).map((unknown) =>
      unknownAgentError(unknown.platformAgentId, unknown.rows, unknown.firstLines),
    );
    await this.runs.recordErrors(tx, run.id, folded);
    const errors = await this.runs.firstErrors(tx, run.id, SYNC_STATUS_MAX_ERRORS);
    lap('errors');
    const status = syncStatusOf({ rowErrors: counts.rowErrors, windowDays: appliedDays + supersededDays, supersededDays });
    const finishedAt = await this.runs.finish(tx, run.id, { status, counts, window: end.window ?? null, scheduleId: integration.scheduleId });
    // The status goes first: the schedule is written; what follows only tells downstream systems.
    await this.runs.queueMessages(tx, [this.statusMessage(run, { status, counts, errors, window: end.window ?? null, finishedAt })]);
    const changed = counts.created + counts.updated + counts.deleted > 0;
    if (changed) {
      await this.runs.holdChangesForReport(tx, {
        integrationId: run.integrationId,
        organizationId: run.organizationId,
        scheduleId: integration.scheduleId,
        fileId: run.fileId,
        syncRunId: run.id,
        syncPastEvents: integration.syncPastEvents,
      });
    }
    lap('report');
    if (counts.created + counts.deleted > ANALYZE_AFTER_CHANGES) this.analyzeAfterCommit = true;
    this.logger.log({ message: 'file applied', integrationId: run.integrationId, fileId: run.fileId, syncRunId: run.id, status, counts, timings });
    return { status, startedAt: run.startedAt, finishedAt, rowErrorsByCode, previousAppliers: [...previousAppliers], ...(changed ? { changesHeldFor: run.integrationId } : {}) };
  }

  /** The file left out agent-days that cannot be kept as stored: this run fails, and another reads the file in full. */
  private async readAgainInFull(tx: unknown, run: SyncRunForApply, unkeepable: number): Promise<FinishedSyncRun> {
    const next = await this.runs.queueFullRead(tx, run);
    this.logger.warn({ message: 'file read again in full', integrationId: run.integrationId, fileId: run.fileId, syncRunId: run.id, nextSyncRunId: next, agentDays: unkeepable });
    return this.finishFailed(tx, run, {
      stage: 'schedule-writer',
      reason: `${unkeepable} of the agent-days the file left out as unchanged changed while it was read (its mapping rules, agents or schedule); the file is synced again, read in full, as sync run ${next}`,
    });
  }

  private async finishFailed(tx: unknown, run: SyncRunForApply, failure: FileFailureV1): Promise<FinishedSyncRun> {
    const counts = emptyCounts(run.fileEnd?.rowCount ?? 0);
    const finishedAt = await this.runs.finish(tx, run.id, { status: 'failed', stage: failure.stage, reason: failure.reason, counts, window: null, scheduleId: null });
    await this.runs.queueMessages(tx, [this.statusMessage(run, { status: 'failed', counts, errors: [], window: null, finishedAt, failure })]);
    this.logger.warn({ message: 'file failed', integrationId: run.integrationId, fileId: run.fileId, syncRunId: run.id, stage: failure.stage, reason: failure.reason });
    return { status: 'failed', startedAt: run.startedAt, finishedAt, rowErrorsByCode: {} };
  }

  private statusMessage(
    run: SyncRunForApply,
    outcome: { status: SyncStatus; counts: SyncCountsV1; errors: ReportedError[]; window: { from: string; to: string } | null; finishedAt: Date; failure?: FileFailureV1 },
  ): OutgoingMessage {
    const value: SyncStatusV1 = {
      integrationId: run.integrationId,
      organizationId: run.organizationId,
      siteId: run.siteId,
      fileId: run.fileId,
      syncRunId: run.id,
      filename: run.filename,
      receivedAt: new Date(run.receivedAt).toISOString(),
      status: outcome.status,
      counts: outcome.counts,
      errors: errorsForStatusMessage(outcome.errors),
      window: outcome.window,
      ...(outcome.failure ? { stage: outcome.failure.stage, reason: outcome.failure.reason } : {}),
      startedAt: new Date(run.startedAt).toISOString(),
      finishedAt: new Date(outcome.finishedAt).toISOString(),
    };
    return { topic: Topics.SyncStatusV1, key: run.integrationId, value };
  }
}
