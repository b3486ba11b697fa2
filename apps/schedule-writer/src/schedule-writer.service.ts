import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import {
  Topics,
  type ChangedEventV1,
  type EventsChangedV1,
  type FileFailureV1,
  type FileMessageV1,
  type SyncCountsV1,
  type SyncStatus,
  type SyncStatusV1,
} from '@bpo/contracts';
import { enqueueMessages, MessagingLifecycle, type OutgoingMessage } from '@bpo/messaging';
import { endOfLocalDay } from '@bpo/schedule-time';
import { planSnapshotSync, type SnapshotPlan } from '@bpo/snapshot-sync';
import { errorsForStatusMessage, reportRowErrors, syncStatusOf, type ReportedError } from './sync-report';
import { SyncRunRepository, type CreatedEvent, type SyncRunForApply } from './sync-run.repository';

const EVENTS_PER_CHANGE_MESSAGE = 1000;

const emptyCounts = (rows = 0): SyncCountsV1 => ({ rows, created: 0, updated: 0, deleted: 0, unchanged: 0, skippedPast: 0, rowErrors: 0 });

/**
 * Applies each file to its integration's target schedule, all or nothing, once all of its batches
 * have arrived; records the sync run and queues its sync-status and events-changed messages in the
 * same transaction (outbox), so a crash at any point neither loses nor duplicates an event.
 */
@Injectable()
export class ScheduleWriterService {
  private readonly logger = new Logger(ScheduleWriterService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly runs: SyncRunRepository,
    private readonly messaging: MessagingLifecycle,
  ) {}

  async receive(message: FileMessageV1): Promise<void> {
    // Staging is idempotent (a batch is kept once per sync run and sequence), so redelivery is harmless.
    await this.dataSource.transaction((manager) =>
      message.kind === 'rows' ? this.runs.stageBatch(manager, message) : this.runs.recordFileEnd(manager, message),
    );
    await this.applyIfComplete(message.syncRunId);
  }

  async fail(syncRunId: string, failure: FileFailureV1): Promise<void> {
    const finished = await this.dataSource.transaction(async (manager) => {
      const run = await this.runs.lockSyncRun(manager, syncRunId);
      if (!run || run.status !== 'processing') return false;
      await this.finishFailed(manager, run, failure);
      return true;
    });
    if (finished) this.messaging.wakeRelay();
  }

  private async applyIfComplete(syncRunId: string): Promise<void> {
    const finished = await this.dataSource.transaction(async (manager) => {
      const run = await this.runs.lockSyncRun(manager, syncRunId);
      if (!run || run.status !== 'processing' || !run.fileEnd) return false;
      if (run.fileEnd.failure) {
        await this.finishFailed(manager, run, run.fileEnd.failure);
        return true;
      }
      if ((await this.runs.countBatches(manager, syncRunId)) < run.fileEnd.batchCount) return false;
      await this.apply(manager, run);
      return true;
    });
    if (finished) this.messaging.wakeRelay();
  }

  private async apply(manager: EntityManager, run: SyncRunForApply): Promise<void> {
    const end = run.fileEnd!;
    const timings: Record<string, number> = {};
    let mark = performance.now();
    const lap = (name: string) => {
      const now = performance.now();
      timings[`${name}Ms`] = Math.round(now - mark);
      mark = now;
    };
    const integration = await this.runs.integration(manager, run.integrationId);
    if (!integration) {
      await this.finishFailed(manager, run, { stage: 'schedule-writer', reason: 'the integration or its target schedule no longer exists' });
      return;
    }
    const staged = await this.runs.stagedRows(manager, run.id);
    const incoming = staged.incoming;
    lap('load');
    let plan: SnapshotPlan | null = null;
    let created: CreatedEvent[] = [];
    if (end.window) {
      const { from, to } = end.window;
      const stored = await this.runs.storedEvents(manager, run.integrationId, integration.scheduleId, from, to);
      const dayVersions = await this.runs.dayVersions(manager, run.integrationId, from, to);
      lap('loadStored');
      plan = planSnapshotSync({
        incoming,
        stored,
        window: end.window,
        replaceScope: integration.replaceScope,
        agentsInFile: [...new Set(incoming.map((event) => event.agentId))],
        fileReceivedAt: new Date(run.receivedAt).toISOString(),
        dayVersions,
        pastCutoff: integration.syncPastEvents ? null : endOfLocalDay(new Date(), integration.siteTimezone).toISOString(),
      });
      lap('plan');
      await this.runs.deleteEvents(manager, plan.delete.map((event) => event.id));
      await this.runs.updateEvents(manager, run.fileId, plan.update);
      created = await this.runs.insertEvents(manager, { organizationId: run.organizationId, scheduleId: integration.scheduleId, integrationId: run.integrationId, fileId: run.fileId }, plan.create);
      await this.runs.claimDays(manager, run.integrationId, run.fileId, run.receivedAt, plan.appliedDays);
      lap('writeEvents');
    }

    const errors = reportRowErrors(staged.errors);
    await this.runs.recordErrors(manager, run.id, errors);
    const counts: SyncCountsV1 = {
      rows: end.rowCount,
      created: plan?.create.length ?? 0,
      updated: plan?.update.length ?? 0,
      deleted: plan?.delete.length ?? 0,
      unchanged: plan?.unchanged.length ?? 0,
      skippedPast: plan?.skippedPast ?? 0,
      rowErrors: staged.errors.length,
    };
    const windowDays = plan ? plan.appliedDays.length + plan.supersededDays.length : 0;
    const status = syncStatusOf({ rowErrors: counts.rowErrors, windowDays, supersededDays: plan?.supersededDays.length ?? 0 });
    const finishedAt = await this.runs.finish(manager, run.id, { status, counts, window: end.window ?? null, scheduleId: integration.scheduleId });
    const changes = plan ? this.eventsChanged(run, integration.scheduleId, integration.syncPastEvents, plan, created) : [];
    await enqueueMessages(manager, [this.statusMessage(run, { status, counts, errors, window: end.window ?? null, finishedAt }), ...changes]);
    lap('report');
    this.logger.log({ message: 'file applied', integrationId: run.integrationId, fileId: run.fileId, syncRunId: run.id, status, counts, timings });
  }

  private async finishFailed(manager: EntityManager, run: SyncRunForApply, failure: FileFailureV1): Promise<void> {
    const counts = emptyCounts(run.fileEnd?.rowCount ?? 0);
    const finishedAt = await this.runs.finish(manager, run.id, { status: 'failed', stage: failure.stage, reason: failure.reason, counts, window: null, scheduleId: null });
    await enqueueMessages(manager, [this.statusMessage(run, { status: 'failed', counts, errors: [], window: null, finishedAt, failure })]);
    this.logger.warn({ message: 'file failed', integrationId: run.integrationId, fileId: run.fileId, syncRunId: run.id, stage: failure.stage, reason: failure.reason });
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

  /** The file's changes for downstream consumers, in parts of bounded size. */
  private eventsChanged(run: SyncRunForApply, scheduleId: string, syncPastEvents: boolean, plan: SnapshotPlan, created: CreatedEvent[]): OutgoingMessage[] {
    const changes: Array<['created' | 'updated' | 'deleted', ChangedEventV1]> = [
      ...created.map((event) => ['created', event] as ['created', ChangedEventV1]),
      ...plan.update.map(({ id, to }) => ['updated', { id, agentId: to.agentId, eventTypeId: to.eventTypeId, startAt: to.startAt, endAt: to.endAt }] as ['updated', ChangedEventV1]),
      ...plan.delete.map(({ id, agentId, eventTypeId, startAt, endAt }) => ['deleted', { id, agentId, eventTypeId, startAt, endAt }] as ['deleted', ChangedEventV1]),
    ];
    if (changes.length === 0) return [];
    const parts = Math.ceil(changes.length / EVENTS_PER_CHANGE_MESSAGE);
    return Array.from({ length: parts }, (_, index) => {
      const slice = changes.slice(index * EVENTS_PER_CHANGE_MESSAGE, (index + 1) * EVENTS_PER_CHANGE_MESSAGE);
      const pick = (kind: string) => slice.filter(([k]) => k === kind).map(([, event]) => event);
      const value: EventsChangedV1 = {
        integrationId: run.integrationId,
        organizationId: run.organizationId,
        scheduleId,
        fileId: run.fileId,
        syncRunId: run.id,
        part: index + 1,
        parts,
        created: pick('created'),
        updated: pick('updated'),
        deleted: pick('deleted'),
        syncPastEvents,
      };
      return { topic: Topics.EventsChangedV1, key: run.integrationId, value };
    });
  }
}
