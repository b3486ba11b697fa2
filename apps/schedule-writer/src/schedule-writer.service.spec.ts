import { Logger } from '@nestjs/common';
import { columnsOf, Topics, type FileEndV1, type RowErrorV1, type RowsBatchV2, type SyncStatusV1 } from '@bpo/contracts';
import type { MessagingLifecycle } from '@bpo/messaging';
import { applySnapshotPlan, planSnapshotSync, type IncomingEvent } from '@bpo/snapshot-sync';
import { Clock } from './clock';
import { InMemoryEventsChangedPublisher, InMemorySyncRunRepository } from './in-memory-sync-run.repository';
import { ScheduleWriterConfig } from './schedule-writer.config';
import { ScheduleWriterService } from './schedule-writer.service';

const ZONE = 'America/New_York';
const ORGANIZATION = '00000000-0000-4000-8000-00000000000a';
const INTEGRATION = '00000000-0000-4000-8000-00000000000b';
const SITE = '00000000-0000-4000-8000-00000000000c';
const SCHEDULE = '00000000-0000-4000-8000-00000000000d';
const AGENTS: Record<string, string> = { A1: '00000000-0000-4000-8000-0000000000a1', A2: '00000000-0000-4000-8000-0000000000a2', A3: '00000000-0000-4000-8000-0000000000a3' };
const TYPES: Record<string, string> = { Phones: '00000000-0000-4000-8000-0000000000e1', Break: '00000000-0000-4000-8000-0000000000e2' };

class FixedClock extends Clock {
  constructor(public instant: string) {
    super();
  }
  now(): Date {
    return new Date(this.instant);
  }
}

/** A row of a file: platform agent, start and end (UTC), activity (= event type name), the local day. */
type Row = [agent: string, startAt: string, endAt: string, activity: string, day: string];

function writer({ now = '2026-12-01T15:00:00.000Z', databaseNow = '2026-12-01T15:00:07.250Z', rowsPerRange = 2, syncPastEvents = false, replaceScope = 'agents_in_file' as const } = {}) {
  const clock = new FixedClock(now);
  const store = new InMemorySyncRunRepository(() => new Date(databaseNow));
  store.addIntegration(INTEGRATION, { scheduleId: SCHEDULE, siteTimezone: ZONE, syncPastEvents, replaceScope });
  const messaging = { wakeRelay: jest.fn() };
  const config = Object.assign(new ScheduleWriterConfig(), { WRITER_ROWS_PER_RANGE: rowsPerRange });
  const service = new ScheduleWriterService(store, messaging as unknown as MessagingLifecycle, config, clock, new InMemoryEventsChangedPublisher(store));
  let files = 0;

  /** A file received at `receivedAt`: its sync run, its batches (`rowsPerBatch` rows each) and its end. */
  const file = (rows: Row[], { receivedAt = '2026-12-01T14:00:00.000Z', rowsPerBatch = 2, errors = [] as RowErrorV1[] } = {}) => {
    files += 1;
    const syncRunId = `00000000-0000-4000-8000-${String(files).padStart(12, '0')}`;
    const fileId = `00000000-0000-4000-9000-${String(files).padStart(12, '0')}`;
    const envelope = { occurredAt: receivedAt, organizationId: ORGANIZATION, integrationId: INTEGRATION, fileId, syncRunId };
    store.addRun({ id: syncRunId, organizationId: ORGANIZATION, integrationId: INTEGRATION, siteId: SITE, fileId, startedAt: new Date(Date.parse(receivedAt) + 5), filename: `file-${files}.csv`, receivedAt: new Date(receivedAt) });
    const batches: RowsBatchV2[] = [];
    for (let at = 0; at < rows.length || at === 0; at += rowsPerBatch) {
      const slice = rows.slice(at, at + rowsPerBatch).map(([agent, startAt, endAt, activity, day], index) => ({ line: at + index + 2, platformAgentId: agent, activity, startAt: Date.parse(startAt), endAt: Date.parse(endAt), day }));
      const columns = columnsOf(slice);
      batches.push({
        ...envelope,
        messageId: `batch-${files}-${batches.length}`,
        kind: 'rows',
        sequence: batches.length,
        ...columns,
        eventTypeIds: columns.activities.map((activity) => TYPES[activity] ?? null),
        agentIds: columns.platformAgentIds.map((agent) => AGENTS[agent] ?? null),
        errors: batches.length === 0 ? errors : [],
      } as RowsBatchV2);
      if (rows.length === 0) break;
    }
    const days = rows.map((row) => row[4]).sort();
    const end: FileEndV1 = {
      ...envelope,
      messageId: `end-${files}`,
      kind: 'end',
      batchCount: batches.length,
      rowCount: rows.length + errors.length,
      rowErrorCount: errors.length,
      ...(days.length > 0 ? { window: { from: days[0], to: days[days.length - 1] } } : {}),
      filename: `file-${files}.csv`,
      receivedAt,
    };
    return { syncRunId, fileId, batches, end, receivedAt };
  };

  const statuses = () => store.outbox().filter((message) => message.topic === Topics.SyncStatusV1).map((message) => message.value as SyncStatusV1);
  const statusOf = (syncRunId: string) => statuses().filter((status) => status.syncRunId === syncRunId);
  /** Delivers a whole file in order. */
  const deliver = async (sent: ReturnType<typeof file>) => {
    for (const batch of sent.batches) await service.receive(batch);
    await service.receive(sent.end);
  };
  const events = () =>
    store
      .events()
      .map((event) => `${event.id} ${Object.keys(AGENTS).find((name) => AGENTS[name] === event.agentId)} ${event.day} ${Object.keys(TYPES).find((name) => TYPES[name] === event.eventTypeId)} ${event.startAt}`)
      .sort();
  return { service, store, clock, messaging, file, deliver, statuses, statusOf, events };
}

// Site zone America/New_York (UTC-5 in December): 2026-12-02 local is 05:00Z on the 2nd to 05:00Z on the 3rd.
const day2: Row[] = [
  ['A1', '2026-12-02T14:00:00.000Z', '2026-12-02T16:00:00.000Z', 'Phones', '2026-12-02'],
  ['A1', '2026-12-02T16:00:00.000Z', '2026-12-02T16:15:00.000Z', 'Break', '2026-12-02'],
  ['A2', '2026-12-02T14:00:00.000Z', '2026-12-02T18:00:00.000Z', 'Phones', '2026-12-02'],
];
const day3: Row[] = [
  ['A1', '2026-12-03T14:00:00.000Z', '2026-12-03T16:00:00.000Z', 'Phones', '2026-12-03'],
  ['A2', '2026-12-03T14:00:00.000Z', '2026-12-03T18:00:00.000Z', 'Phones', '2026-12-03'],
];

describe('ScheduleWriterService (orchestration, with an in-memory port and a fixed clock)', () => {
  // The service logs every file it applies; the assertions here say what matters.
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose', 'fatal']));

  it('applies a file only once all of its batches and its end have arrived, in any order', async () => {
    const { service, file, statusOf, events, messaging } = writer();
    const sent = file([...day2, ...day3], { rowsPerBatch: 2 });
    expect(sent.batches).toHaveLength(3);
    await service.receive(sent.end);
    await service.receive(sent.batches[2]);
    await service.receive(sent.batches[0]);
    expect(statusOf(sent.syncRunId)).toEqual([]);
    expect(events()).toEqual([]);
    await service.receive(sent.batches[1]);
    expect(statusOf(sent.syncRunId)).toEqual([expect.objectContaining({ status: 'succeeded', counts: { rows: 5, created: 5, updated: 0, deleted: 0, unchanged: 0, skippedPast: 0, rowErrors: 0 } })]);
    expect(events()).toHaveLength(5);
    expect(messaging.wakeRelay).toHaveBeenCalledTimes(1);
  });

  it('reports a file whose end says it failed as failed, with its stage and reason, and writes nothing', async () => {
    const { service, store, file, statusOf, events } = writer();
    const sent = file(day2);
    await service.receive(sent.batches[0]);
    await service.receive({ ...sent.end, batchCount: 0, failure: { stage: 'parser', reason: 'line 7 is too long' } });
    expect(statusOf(sent.syncRunId)).toEqual([
      expect.objectContaining({ status: 'failed', stage: 'parser', reason: 'line 7 is too long', window: null, counts: expect.objectContaining({ rows: 3, created: 0 }) }),
    ]);
    expect(store.run(sent.syncRunId)?.status).toBe('failed');
    // Batches still arriving change nothing.
    await service.receive(sent.batches[1]);
    expect(statusOf(sent.syncRunId)).toHaveLength(1);
    expect(events()).toEqual([]);
  });

  it('fails a processing run once when told it failed (file-failed), and leaves a finished run alone', async () => {
    const { service, file, deliver, statusOf } = writer();
    const failing = file(day2);
    await service.receive(failing.batches[0]);
    await service.fail(failing.syncRunId, { stage: 'mapping', reason: 'a batch could not be mapped' });
    await service.fail(failing.syncRunId, { stage: 'mapping', reason: 'again' });
    expect(statusOf(failing.syncRunId)).toEqual([expect.objectContaining({ status: 'failed', stage: 'mapping', reason: 'a batch could not be mapped' })]);
    const done = file(day3);
    await deliver(done);
    await service.fail(done.syncRunId, { stage: 'schedule-writer', reason: 'late' });
    expect(statusOf(done.syncRunId)).toEqual([expect.objectContaining({ status: 'succeeded' })]);
  });

  it('takes a redelivered batch, end or whole file as harmless: one status, each event once', async () => {
    const { service, file, deliver, statusOf, events } = writer();
    const sent = file([...day2, ...day2.slice(0, 1)], { rowsPerBatch: 2 });
    await service.receive(sent.batches[0]);
    await service.receive(sent.batches[0]);
    await service.receive(sent.end);
    await service.receive(sent.batches[1]);
    await service.receive(sent.end);
    await service.receive(sent.batches[1]);
    await deliver(sent);
    // The file's own exact duplicate row is one event too.
    expect(statusOf(sent.syncRunId)).toEqual([expect.objectContaining({ counts: expect.objectContaining({ rows: 4, created: 3 }) })]);
    expect(events()).toHaveLength(3);
  });

  it('takes the past cutoff from the injected clock: events before the end of today (site zone) are skipped', async () => {
    // 2026-12-02T04:30Z is still 2026-12-01 in New York: today is the 1st, the 2nd is future.
    const early = writer({ now: '2026-12-02T04:30:00.000Z' });
    const first = early.file([...day2, ...day3]);
    await early.deliver(first);
    expect(early.statusOf(first.syncRunId)[0].counts).toMatchObject({ created: 5, skippedPast: 0 });

    // At 05:30Z it is the 2nd in New York: the 2nd's events are past.
    const late = writer({ now: '2026-12-02T05:30:00.000Z' });
    const second = late.file([...day2, ...day3]);
    await late.deliver(second);
    expect(late.statusOf(second.syncRunId)[0].counts).toMatchObject({ created: 2, skippedPast: 3 });
    expect(late.events().every((event) => event.includes('2026-12-03'))).toBe(true);

    // With past events synced, the clock does not matter.
    const all = writer({ now: '2026-12-05T12:00:00.000Z', syncPastEvents: true });
    const third = all.file([...day2, ...day3]);
    await all.deliver(third);
    expect(all.statusOf(third.syncRunId)[0].counts).toMatchObject({ created: 5, skippedPast: 0 });
  });

  it('adds up the counts of routed agent-days (unchanged, created whole) and planned ones, as planSnapshotSync alone counts them', async () => {
    const { store, file, deliver, statusOf, clock } = writer({ rowsPerRange: 2, replaceScope: 'agents_in_file' });
    clock.instant = '2026-12-01T12:00:00.000Z';
    await deliver(file([...day2, ...day3], { receivedAt: '2026-12-01T10:00:00.000Z' }));
    const before = store.events();
    const next: Row[] = [
      day2[0], // A1 on the 2nd: Phones unchanged,
      ['A1', '2026-12-02T16:00:00.000Z', '2026-12-02T16:30:00.000Z', 'Break', '2026-12-02'], // its Break longer (an update),
      ['A1', '2026-12-02T19:00:00.000Z', '2026-12-02T19:15:00.000Z', 'Break', '2026-12-02'], // and one more (a create)
      day2[2], // A2 on the 2nd: identical (routed as unchanged)
      day2[2], // twice
      ['A3', '2026-12-02T14:00:00.000Z', '2026-12-02T15:00:00.000Z', 'Phones', '2026-12-02'], // A3: nothing stored (created whole)
      ['A2', '2026-12-03T15:00:00.000Z', '2026-12-03T18:00:00.000Z', 'Phones', '2026-12-03'], // A2 on the 3rd moved (delete + create); A1's 3rd emptied (delete)
    ];
    const sent = file(next, { receivedAt: '2026-12-01T11:00:00.000Z' });
    await deliver(sent);

    const incoming: IncomingEvent[] = next.map(([agent, startAt, endAt, activity, day], index) => ({ line: index + 2, agentId: AGENTS[agent], eventTypeId: TYPES[activity], startAt, endAt, day }));
    const plan = planSnapshotSync({
      incoming,
      stored: before,
      window: { from: '2026-12-02', to: '2026-12-03' },
      replaceScope: 'agents_in_file',
      agentsInFile: ['A1', 'A2', 'A3'].map((agent) => AGENTS[agent]),
      fileReceivedAt: sent.receivedAt,
      dayVersions: new Map([['2026-12-02', '2026-12-01T10:00:00.000Z'], ['2026-12-03', '2026-12-01T10:00:00.000Z']]),
      pastCutoff: '2026-12-02T05:00:00.000Z',
    });
    expect(statusOf(sent.syncRunId)[0].counts).toEqual({
      rows: 7,
      created: plan.create.length,
      updated: plan.update.length,
      deleted: plan.delete.length,
      unchanged: plan.unchanged.length,
      skippedPast: plan.skippedPast,
      rowErrors: 0,
    });
    expect(statusOf(sent.syncRunId)[0].counts).toMatchObject({ created: 3, updated: 1, deleted: 2, unchanged: 2 });
    const shape = (list: Array<{ id: string; agentId: string; eventTypeId: string; startAt: string; endAt: string; day: string }>, known: Set<string>) =>
      list.map((event) => [known.has(event.id) ? event.id : 'new', event.agentId, event.eventTypeId, event.startAt, event.endAt, event.day].join(' ')).sort();
    const known = new Set(before.map((event) => event.id));
    expect(shape(store.events(), known)).toEqual(shape(applySnapshotPlan(before, plan, () => 'new'), known));
  });

  it('reports a file superseded when a newer file already owns every day of its window', async () => {
    const { file, deliver, statusOf, events } = writer();
    await deliver(file(day2, { receivedAt: '2026-12-01T12:00:00.000Z' }));
    const older = file([['A1', '2026-12-02T20:00:00.000Z', '2026-12-02T21:00:00.000Z', 'Phones', '2026-12-02']], { receivedAt: '2026-12-01T11:00:00.000Z' });
    await deliver(older);
    expect(statusOf(older.syncRunId)).toEqual([expect.objectContaining({ status: 'superseded', counts: expect.objectContaining({ created: 0, deleted: 0 }) })]);
    expect(events()).toHaveLength(3);
  });

  it('fills the status message: ids, file, window, errors, startedAt from the run and finishedAt from the repository', async () => {
    const { service, file, deliver, statusOf, store } = writer({ databaseNow: '2026-12-01T15:00:07.250Z' });
    const sent = file(day3, { receivedAt: '2026-12-01T14:00:00.000Z', errors: [{ line: 9, code: 'invalid_time', column: 'start_time', message: 'not a time' }] });
    await deliver(sent);
    const [status] = statusOf(sent.syncRunId);
    expect(status).toEqual({
      integrationId: INTEGRATION,
      organizationId: ORGANIZATION,
      siteId: SITE,
      fileId: sent.fileId,
      syncRunId: sent.syncRunId,
      filename: 'file-1.csv',
      receivedAt: '2026-12-01T14:00:00.000Z',
      status: 'succeeded_with_errors',
      counts: { rows: 3, created: 2, updated: 0, deleted: 0, unchanged: 0, skippedPast: 0, rowErrors: 1 },
      errors: [{ line: 9, code: 'invalid_time', message: 'not a time' }],
      window: { from: '2026-12-03', to: '2026-12-03' },
      startedAt: '2026-12-01T14:00:00.005Z',
      finishedAt: '2026-12-01T15:00:07.250Z',
    });
    expect(store.run(sent.syncRunId)?.finishedAt).toEqual(new Date('2026-12-01T15:00:07.250Z'));
    const message = store.outbox().find((queued) => queued.topic === Topics.SyncStatusV1);
    expect(message?.key).toBe(INTEGRATION);
    // The status is queued before the file's events-changed part.
    await service.onApplicationShutdown();
    expect(store.outbox().map((queued) => queued.topic)).toEqual([Topics.SyncStatusV1, Topics.EventsChangedV1]);
  });

  describe('events-changed messages, queued after the status', () => {
    const changed = (store: InMemorySyncRunRepository) =>
      store
        .outbox()
        .filter((queued) => queued.topic === Topics.EventsChangedV1)
        .map((queued) => queued.value as { syncRunId: string; created: unknown[]; updated: unknown[]; deleted: unknown[] });

    it('queues them in a transaction of their own after the apply committed, once', async () => {
      const { service, store, file, deliver } = writer();
      const sent = file(day2);
      await deliver(sent);
      const afterApply = store.calls.transactions;
      await service.onApplicationShutdown();
      expect(changed(store)).toEqual([expect.objectContaining({ syncRunId: sent.syncRunId, created: expect.any(Array) })]);
      expect(changed(store)[0].created).toHaveLength(3);
      expect(store.calls.transactions).toBe(afterApply + 1);
      // The apply under the integration's apply lock, the report under its report lock.
      expect(store.calls.integrationLocks.filter((id) => id === INTEGRATION)).toHaveLength(1);
      expect(store.calls.reportLocks.filter((id) => id === INTEGRATION)).toHaveLength(1);
      // Nothing is left to report: a sweep queues nothing more.
      service.onModuleInit();
      await service.onApplicationShutdown();
      expect(changed(store)).toHaveLength(1);
    });

    it('queues a run whose report failed before the next run of the integration, in the order of the applies', async () => {
      const { service, store, file, deliver } = writer();
      const first = file(day2);
      const failOnce = jest.spyOn(store, 'reportEventsChanged').mockRejectedValueOnce(new Error('connection lost'));
      await deliver(first);
      await service.onApplicationShutdown();
      expect(changed(store)).toEqual([]);
      const second = file([day2[0]], { receivedAt: '2026-12-01T14:30:00.000Z' });
      await deliver(second);
      await service.onApplicationShutdown();
      const order = store.outbox().map((queued) => `${queued.topic === Topics.SyncStatusV1 ? 'status' : 'changed'} ${(queued.value as { syncRunId: string }).syncRunId}`);
      // The second file's status does not wait for the first's report; the events-changed messages keep the applies' order.
      expect(order).toEqual([`status ${first.syncRunId}`, `status ${second.syncRunId}`, `changed ${first.syncRunId}`, `changed ${second.syncRunId}`]);
      // The second file dropped A1's break (A2, not in it, keeps its day).
      expect(changed(store)[1].deleted).toHaveLength(1);
      failOnce.mockRestore();
    });

    it('queues, when a writer starts, what a writer that stopped after a commit left to report', async () => {
      const stopped = writer();
      const sent = stopped.file(day3);
      jest.spyOn(stopped.store, 'reportEventsChanged').mockRejectedValueOnce(new Error('killed'));
      await stopped.deliver(sent);
      await stopped.service.onApplicationShutdown();
      expect(changed(stopped.store)).toEqual([]);
      const config = Object.assign(new ScheduleWriterConfig(), { WRITER_ROWS_PER_RANGE: 2 });
      const restarted = new ScheduleWriterService(stopped.store, { wakeRelay: jest.fn() } as unknown as MessagingLifecycle, config, stopped.clock, new InMemoryEventsChangedPublisher(stopped.store));
      restarted.onModuleInit();
      await restarted.onApplicationShutdown();
      expect(changed(stopped.store)).toEqual([expect.objectContaining({ syncRunId: sent.syncRunId })]);
      expect(changed(stopped.store)[0].created).toHaveLength(2);
    });

    it('publishes again soon after publishing failed (broker down), without waiting for the sweep', async () => {
      const { service, store, file, deliver } = writer();
      const brokerDown = jest.spyOn(InMemoryEventsChangedPublisher.prototype, 'publish').mockRejectedValueOnce(new Error('broker down'));
      const sent = file(day2);
      await deliver(sent);
      expect(changed(store)).toEqual([]);
      // The first retry comes two seconds later (the sweep, a minute).
      await new Promise((resolve) => setTimeout(resolve, 2_300));
      expect(changed(store)).toEqual([expect.objectContaining({ syncRunId: sent.syncRunId })]);
      await service.onApplicationShutdown();
      expect(changed(store)).toHaveLength(1);
      brokerDown.mockRestore();
    });

    it('queues none for a file that changed nothing', async () => {
      const { service, store, file, deliver } = writer();
      await deliver(file(day2));
      await deliver(file(day2, { receivedAt: '2026-12-01T14:30:00.000Z' }));
      await service.onApplicationShutdown();
      expect(changed(store)).toHaveLength(1);
    });
  });

  it('removes a finished run\'s staged rows once no other file is in progress, not while one is', async () => {
    const { service, store, file, deliver } = writer();
    const first = file(day2);
    const second = file(day3, { receivedAt: '2026-12-01T14:30:00.000Z' });
    await deliver(first);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    // The second file is still in progress: the first one's rows wait.
    expect(store.stagedRowCount()).toBe(3);
    await deliver(second);
    for (let waited = 0; store.stagedRowCount() > 0 && waited < 5000; waited += 100) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(store.stagedRowCount()).toBe(0);
    await service.onApplicationShutdown();
  });

  it('reads a file again in full when agent-days it left out cannot be kept: this run fails and says which run follows, writing nothing', async () => {
    const { store, file, statusOf, events, deliver } = writer();
    const sent = file(day2);
    // The first batch closes A1's 2026-12-03 as unchanged: no rows, one left-out entry.
    sent.batches[0] = { ...sent.batches[0], platformAgentIds: [...sent.batches[0].platformAgentIds], days: [...sent.batches[0].days, '2026-12-03'] };
    sent.batches[0].agentDays = { agent: [0], day: [sent.batches[0].days.length - 1], digest: [12345], rows: [1], skipped: [1] };
    sent.end.window = { from: '2026-12-02', to: '2026-12-03' };
    await deliver(sent);
    const next = store.fullReadOf(sent.syncRunId);
    expect(next).toBeDefined();
    expect(statusOf(sent.syncRunId)).toEqual([
      expect.objectContaining({ status: 'failed', stage: 'schedule-writer', reason: expect.stringContaining(`read in full, as sync run ${next}`) }),
    ]);
    expect(store.run(next!)?.status).toBe('processing');
    expect(events()).toEqual([]);
  });

  it('fails a file whose integration is gone, writing nothing', async () => {
    const { file, deliver, statusOf, store, events } = writer();
    const sent = file(day2);
    store.removeIntegration(INTEGRATION);
    await deliver(sent);
    expect(statusOf(sent.syncRunId)).toEqual([expect.objectContaining({ status: 'failed', stage: 'schedule-writer', reason: 'the integration or its target schedule no longer exists' })]);
    expect(events()).toEqual([]);
  });
});
