import { resolvedRowsOf, Topics, type FileEndV1, type RowErrorV1, type RowsBatchV2 } from '@bpo/contracts';
import type { OutgoingMessage } from '@bpo/messaging';
import type { AgentDay, AgentDayComparison, IncomingEvent, StoredEvent } from '@bpo/snapshot-sync';
import type { ReportedError } from './sync-report';
import {
  SyncRunRepository,
  type DayClaim,
  type ComparedTarget,
  type DayRange,
  type RangeComparison,
  type StagedSummary,
  type NewEventsScope,
  type EventsChangedHeader,
  type EventTarget,
  type IntegrationForApply,
  type SyncRunForApply,
  type SyncRunOutcome,
  type UnknownAgentRows,
  type PublishParts,
} from './sync-run.repository';
import { EventsChangedPublisher } from './events-changed-publisher';

/** A staged row, as `sync_run_rows` holds it. */
interface StagedRow {
  syncRunId: string;
  line: number;
  agentId: string;
  eventTypeId: string;
  startAt: number;
  endAt: number;
  day: string;
}

/** A schedule event, as `schedule_events` holds it. */
export interface InMemoryEvent extends StoredEvent {
  scheduleId: string;
  integrationId: string;
  sourceFileId: string;
}

interface State {
  runs: Map<string, SyncRunForApply & { outcome?: SyncRunOutcome; finishedAt?: Date }>;
  integrations: Map<string, IntegrationForApply>;
  schedules: Set<string>;
  batches: Map<string, Map<number, RowErrorV1[]>>;
  rows: StagedRow[];
  events: InMemoryEvent[];
  nextEventId: number;
  /** `${integrationId} ${day}` -> the newest file applied to the day. */
  dayVersions: Map<string, { receivedAt: number; fileId: string }>;
  errors: Map<string, ReportedError[]>;
  outbox: OutgoingMessage[];
  /** Agent-days each run's file left out as unchanged. */
  leftOut: Map<string, number>;
  /** Runs queued to read their file again in full, by the run that asked. */
  fullReads: Map<string, string>;
  /** What each run changed and has not reported yet (`sync_run_changes`), in the order it changed it. */
  changeLog: Map<string, Change[]>;
  /** Runs whose changes are held for report (`sync_runs.events_changed`), in the order they finished. */
  heldReports: EventsChangedHeader[];
}

type Change = { kind: 'created' | 'updated' | 'deleted'; event: StoredEvent };

/** One transaction: all its writes go to the state, which is put back if it fails. */
type InMemoryTx = Record<string, never>;

const iso = (ms: number) => new Date(ms).toISOString();
const epoch = (instant: number | string) => (typeof instant === 'number' ? instant : Date.parse(instant));
/** Agent, event type, start and end: what makes two events the same event. */
const identity = (event: { agentId: string; eventTypeId: string; startAt: number | string; endAt: number | string }) =>
  `${event.agentId} ${event.eventTypeId} ${epoch(event.startAt)} ${epoch(event.endAt)}`;
const inRange = (day: string, range: DayRange) => day >= range.from && day <= range.to;

/**
 * The schedule-writer's port in memory, for unit tests of its orchestration: the same answers as
 * the SQL of TypeOrmSyncRunRepository on small data, each transaction all or nothing (a failed one
 * leaves the state as it was). Not a second implementation to keep in production: what it cannot
 * tell (locks, COPY, the events table's statistics) it records or ignores.
 */
export class InMemorySyncRunRepository extends SyncRunRepository<InMemoryTx> {
  private state: State = {
    runs: new Map(),
    integrations: new Map(),
    schedules: new Set(),
    batches: new Map(),
    rows: [],
    events: [],
    nextEventId: 1,
    dayVersions: new Map(),
    errors: new Map(),
    outbox: [],
    leftOut: new Map(),
    fullReads: new Map(),
    changeLog: new Map(),
    heldReports: [],
  };
  /** Transactions that committed, and integrations whose apply lock or report lock was taken. */
  readonly calls = { transactions: 0, integrationLocks: [] as string[], reportLocks: [] as string[], analyzed: 0 };

  /** `databaseNow`: the database's clock (`clock_timestamp()`), which `finish` records. */
  constructor(private readonly databaseNow: () => Date) {
    super();
  }

  // Arranging and reading, for tests.

  addIntegration(integrationId: string, integration: IntegrationForApply): void {
    this.state.integrations.set(integrationId, integration);
    this.state.schedules.add(integration.scheduleId);
  }

  removeIntegration(integrationId: string): void {
    this.state.integrations.delete(integrationId);
  }

  addRun(run: Omit<SyncRunForApply, 'status' | 'fileEnd'>): void {
    this.state.runs.set(run.id, { ...run, status: 'processing', fileEnd: null });
  }

  run(syncRunId: string) {
    return this.state.runs.get(syncRunId);
  }

  events(): InMemoryEvent[] {
    return this.state.events.map((event) => ({ ...event }));
  }

  /** What went out, in order: messages the applies queued in the outbox, and events-changed parts as published (recordPublished). */
  outbox(): OutgoingMessage[] {
    return [...this.state.outbox];
  }

  stagedRowCount(): number {
    return this.state.rows.length;
  }

  /** The run queued to read the file of `syncRunId` again in full, if any. */
  fullReadOf(syncRunId: string): string | undefined {
    return this.state.fullReads.get(syncRunId);
  }

  // The port.

  async transaction<T>(work: (tx: InMemoryTx) => Promise<T>): Promise<T> {
    const before = structuredClone(this.state);
    try {
      const result = await work({});
      this.calls.transactions += 1;
      return result;
    } catch (error) {
      this.state = before;
      throw error;
    }
  }

  async stageBatch(_tx: InMemoryTx, batch: RowsBatchV2): Promise<void> {
    const batches = this.state.batches.get(batch.syncRunId) ?? new Map<number, RowErrorV1[]>();
    this.state.batches.set(batch.syncRunId, batches);
    if (batches.has(batch.sequence)) return;
    batches.set(batch.sequence, structuredClone(batch.errors));
    const leftOut = batch.agentDays?.skipped.filter((skipped) => skipped === 1).length ?? 0;
    if (leftOut > 0) this.state.leftOut.set(batch.syncRunId, (this.state.leftOut.get(batch.syncRunId) ?? 0) + leftOut);
    for (const row of resolvedRowsOf(batch)) {
      this.state.rows.push({ syncRunId: batch.syncRunId, line: row.line, agentId: row.agentId, eventTypeId: row.eventTypeId, startAt: row.startAt, endAt: row.endAt, day: row.day });
    }
  }

  async recordFileEnd(_tx: InMemoryTx, end: FileEndV1): Promise<void> {
    const run = this.state.runs.get(end.syncRunId);
    if (run && !run.fileEnd) run.fileEnd = structuredClone(end);
  }

  async lockSyncRun(_tx: InMemoryTx, syncRunId: string): Promise<SyncRunForApply | null> {
    const run = this.state.runs.get(syncRunId);
    return run ? structuredClone(run) : null;
  }

  async lockIntegration(_tx: InMemoryTx, integrationId: string): Promise<void> {
    this.calls.integrationLocks.push(integrationId);
  }

  async lockReports(_tx: InMemoryTx, integrationId: string): Promise<void> {
    this.calls.reportLocks.push(integrationId);
  }

  async countBatches(_tx: InMemoryTx, syncRunId: string): Promise<number> {
    return this.state.batches.get(syncRunId)?.size ?? 0;
  }

  async integration(_tx: InMemoryTx, integrationId: string): Promise<IntegrationForApply | null> {
    return this.state.integrations.get(integrationId) ?? null;
  }

  async stagedSummary(_tx: InMemoryTx, syncRunId: string): Promise<StagedSummary> {
    const rowsPerDay = new Map<string, number>();
    for (const row of this.rowsOf(syncRunId)) rowsPerDay.set(row.day, (rowsPerDay.get(row.day) ?? 0) + 1);
    const rows = this.rowsOf(syncRunId);
    return {
      rowsPerDay,
      agentIds: [...new Set(rows.map((row) => row.agentId))],
      eventTypeIds: [...new Set(rows.map((row) => row.eventTypeId))],
      leftOutAgentDays: this.state.leftOut.get(syncRunId) ?? 0,
    };
  }

  async lockReferences(_tx: InMemoryTx, _syncRunId: string, scheduleId: string): Promise<number | null> {
    return this.state.schedules.has(scheduleId) ? 0 : null;
  }

  /**
   * Counts no left-out events: in this fake every left-out agent-day is unkeepable (see
   * countUnkeepableLeftOut), so an apply that compares left none out. The SQL is tested against PostgreSQL.
   */
  async compareAgentDays(_tx: InMemoryTx, syncRunId: string, { integrationId, scheduleId }: ComparedTarget, range: DayRange, pastCutoff: string | null): Promise<RangeComparison> {
    // The SQL's full join of distinct staged events with stored events counted per identity.
    const keys = new Map<string, { agentId: string; day: string; staged: boolean; stored: number; startAt: number }>();
    const entry = (event: { agentId: string; eventTypeId: string; startAt: number | string; endAt: number | string; day: string }) => {
      const key = `${event.day} ${identity(event)}`;
      let found = keys.get(key);
      if (!found) keys.set(key, (found = { agentId: event.agentId, day: event.day, staged: false, stored: 0, startAt: epoch(event.startAt) }));
      return found;
    };
    for (const row of this.rowsOf(syncRunId)) if (inRange(row.day, range)) entry(row).staged = true;
    for (const event of this.state.events) {
      if (event.integrationId === integrationId && event.scheduleId === scheduleId && inRange(event.day, range)) entry(event).stored += 1;
    }
    const cutoff = pastCutoff === null ? null : Date.parse(pastCutoff);
    const byAgentDay = new Map<string, AgentDayComparison>();
    for (const key of keys.values()) {
      const id = `${key.agentId} ${key.day}`;
      let comparison = byAgentDay.get(id);
      if (!comparison) byAgentDay.set(id, (comparison = { agentId: key.agentId, day: key.day, staged: 0, stored: 0, identical: true, fromCutoff: true }));
      if (key.staged) comparison.staged += 1;
      comparison.stored += key.stored;
      comparison.identical &&= key.staged && key.stored === 1;
      comparison.fromCutoff &&= cutoff === null || key.startAt >= cutoff;
    }
    return { agentDays: [...byAgentDay.values()], keptEvents: 0 };
  }

  async hasStoredEvents(_tx: InMemoryTx, integrationId: string, scheduleId: string, range: DayRange): Promise<boolean> {
    return this.state.events.some((event) => event.integrationId === integrationId && event.scheduleId === scheduleId && event.day >= range.from && event.day <= range.to);
  }

  async createNewEvents(_tx: InMemoryTx, syncRunId: string, target: EventTarget, scope: NewEventsScope, pastCutoff: string | null): Promise<{ created: number; skippedPast: number }> {
    const wanted = 'days' in scope ? new Set(scope.days) : new Set(scope.agentDays.map((agentDay) => `${agentDay.agentId} ${agentDay.day}`));
    const seen = new Set<string>();
    const distinct = this.rowsOf(syncRunId)
      .filter((row) => wanted.has('days' in scope ? row.day : `${row.agentId} ${row.day}`))
      .sort((a, b) => a.line - b.line)
      .filter((row) => !seen.has(identity(row)) && seen.add(identity(row)));
    const cutoff = pastCutoff === null ? null : Date.parse(pastCutoff);
    const made = distinct.filter((row) => cutoff === null || row.startAt >= cutoff);
    for (const row of made) this.insert(target, row);
    return { created: made.length, skippedPast: distinct.length - made.length };
  }

  async stagedEvents(_tx: InMemoryTx, syncRunId: string, agentDays: readonly AgentDay[]): Promise<IncomingEvent[]> {
    const wanted = new Set(agentDays.map((agentDay) => `${agentDay.agentId} ${agentDay.day}`));
    return this.rowsOf(syncRunId)
      .filter((row) => wanted.has(`${row.agentId} ${row.day}`))
      .sort((a, b) => a.line - b.line)
      .map((row) => ({ line: row.line, agentId: row.agentId, eventTypeId: row.eventTypeId, startAt: iso(row.startAt), endAt: iso(row.endAt), day: row.day }));
  }

  async storedEvents(_tx: InMemoryTx, integrationId: string, scheduleId: string, agentDays: readonly AgentDay[]): Promise<StoredEvent[]> {
    const wanted = new Set(agentDays.map((agentDay) => `${agentDay.agentId} ${agentDay.day}`));
    return this.state.events
      .filter((event) => event.integrationId === integrationId && event.scheduleId === scheduleId && wanted.has(`${event.agentId} ${event.day}`))
      .sort((a, b) => Number(a.id) - Number(b.id))
      .map(({ id, agentId, eventTypeId, startAt, endAt, day }) => ({ id, agentId, eventTypeId, startAt, endAt, day }));
  }

  async dayVersions(_tx: InMemoryTx, integrationId: string, range: DayRange): Promise<Map<string, string>> {
    const versions = new Map<string, string>();
    for (const [key, version] of this.state.dayVersions) {
      const [integration, day] = key.split(' ');
      if (integration === integrationId && inRange(day, range)) versions.set(day, iso(version.receivedAt));
    }
    return versions;
  }

  async deleteEvents(_tx: InMemoryTx, syncRunId: string, ids: readonly string[]): Promise<void> {
    const gone = new Set(ids);
    for (const event of this.state.events) if (gone.has(event.id)) this.logChange(syncRunId, { kind: 'deleted', event: { ...event } });
    this.state.events = this.state.events.filter((event) => !gone.has(event.id));
  }

  async updateEvents(_tx: InMemoryTx, syncRunId: string, fileId: string, updates: ReadonlyArray<{ id: string; to: IncomingEvent }>): Promise<void> {
    for (const { id, to } of updates) {
      const event = this.state.events.find((stored) => stored.id === id);
      if (!event) continue;
      Object.assign(event, { eventTypeId: to.eventTypeId, startAt: iso(Date.parse(to.startAt)), endAt: iso(Date.parse(to.endAt)), day: to.day, sourceFileId: fileId });
      this.logChange(syncRunId, { kind: 'updated', event: { ...event } });
    }
  }

  async createEvents(_tx: InMemoryTx, syncRunId: string, target: EventTarget, range: DayRange, lines: readonly number[]): Promise<void> {
    const wanted = new Set(lines);
    for (const row of this.rowsOf(syncRunId)) if (inRange(row.day, range) && wanted.has(row.line)) this.insert(target, row);
  }

  async claimDays(_tx: InMemoryTx, { integrationId, fileId, receivedAt, days }: DayClaim): Promise<string[]> {
    for (const day of days) {
      const key = `${integrationId} ${day}`;
      const current = this.state.dayVersions.get(key);
      if (!current || current.receivedAt <= new Date(receivedAt).getTime()) this.state.dayVersions.set(key, { receivedAt: new Date(receivedAt).getTime(), fileId });
    }
    return [];
  }

  // Agent-day digests are not kept in memory: every agent-day a file left out counts as one that
  // cannot be kept, so the orchestration of a full re-read is what these tests can see. Keeping
  // them is tested against PostgreSQL (e2e pipeline).

  async recordMappingKey(): Promise<string | null> {
    return null;
  }

  async countUnkeepableLeftOut(_tx: InMemoryTx, syncRunId: string): Promise<number> {
    return this.state.leftOut.get(syncRunId) ?? 0;
  }

  async queueFullRead(_tx: InMemoryTx, run: SyncRunForApply): Promise<string> {
    const next = `${run.id}:full`;
    this.state.runs.set(next, { ...structuredClone(run), id: next, status: 'processing', fileEnd: null });
    this.state.fullReads.set(run.id, next);
    return next;
  }

  async removeDisownedAgentDays(): Promise<void> {}

  async holdChangesForReport(_tx: InMemoryTx, header: EventsChangedHeader): Promise<void> {
    this.state.heldReports.push(structuredClone(header));
  }

  async changesToReport(_tx: InMemoryTx, integrationId: string | null): Promise<EventsChangedHeader[]> {
    return this.state.heldReports.filter((header) => integrationId === null || header.integrationId === integrationId).map((header) => structuredClone(header));
  }

  async pendingReports(): Promise<{ runs: number; oldestAgeSeconds: number }> {
    const finished = this.state.heldReports.map((header) => this.state.runs.get(header.syncRunId)?.finishedAt?.getTime() ?? Date.now());
    return { runs: finished.length, oldestAgeSeconds: finished.length === 0 ? 0 : Math.max(0, (Date.now() - Math.min(...finished)) / 1000) };
  }

  /** One part whatever the size (the SQL cuts by bytes; parts are tested against PostgreSQL). */
  async reportEventsChanged(_tx: InMemoryTx, header: EventsChangedHeader, publish: PublishParts): Promise<{ parts: number; publishedBefore: number; changes: number }> {
    const changes = this.state.changeLog.get(header.syncRunId) ?? [];
    if (changes.length > 0) {
      const of = (kind: Change['kind']) =>
        changes
          .filter((change) => change.kind === kind)
          .sort((a, b) => Number(a.event.id) - Number(b.event.id))
          .map(({ event }) => ({ id: event.id, agentId: event.agentId, eventTypeId: event.eventTypeId, startAt: event.startAt, endAt: event.endAt }));
      await publish([Buffer.from(JSON.stringify({ ...header, part: 1, parts: 1, created: of('created'), updated: of('updated'), deleted: of('deleted') }))]);
    }
    this.state.changeLog.delete(header.syncRunId);
    this.state.heldReports = this.state.heldReports.filter((held) => held.syncRunId !== header.syncRunId);
    return { parts: changes.length > 0 ? 1 : 0, publishedBefore: 0, changes: changes.length };
  }

  /** A message published straight to Kafka (not through the outbox), in the order things went out. */
  recordPublished(message: OutgoingMessage): void {
    this.state.outbox.push(structuredClone(message));
  }

  async compactChangeLog(): Promise<void> {}

  async queueMessages(_tx: InMemoryTx, messages: readonly OutgoingMessage[]): Promise<void> {
    this.state.outbox.push(...structuredClone(messages));
  }

  async countRowErrorsByCode(_tx: InMemoryTx, syncRunId: string): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const error of this.rowErrorsOf(syncRunId)) counts[error.code] = (counts[error.code] ?? 0) + 1;
    return counts;
  }

  async unknownAgents(_tx: InMemoryTx, syncRunId: string, linesNamed: number): Promise<UnknownAgentRows[]> {
    const lines = new Map<string, number[]>();
    for (const error of this.rowErrorsOf(syncRunId)) {
      if (error.code === 'unknown_agent' && error.subject !== undefined) lines.set(error.subject, [...(lines.get(error.subject) ?? []), error.line]);
    }
    return [...lines].map(([platformAgentId, all]) => ({ platformAgentId, rows: all.length, firstLines: [...all].sort((a, b) => a - b).slice(0, linesNamed) }));
  }

  async recordErrors(_tx: InMemoryTx, syncRunId: string, folded: readonly ReportedError[]): Promise<void> {
    const reported = this.rowErrorsOf(syncRunId)
      .filter((error) => !(error.code === 'unknown_agent' && error.subject !== undefined))
      .map((error) => ({ line: error.line, column: error.column ?? null, code: error.code, message: error.message }));
    // Stable: staged errors before folded ones on the same line, as the SQL orders them.
    this.state.errors.set(syncRunId, [...reported, ...folded].sort((a, b) => a.line - b.line));
  }

  async firstErrors(_tx: InMemoryTx, syncRunId: string, limit: number): Promise<ReportedError[]> {
    return (this.state.errors.get(syncRunId) ?? []).slice(0, limit);
  }

  async finish(_tx: InMemoryTx, syncRunId: string, outcome: SyncRunOutcome): Promise<Date> {
    const run = this.state.runs.get(syncRunId)!;
    const finishedAt = this.databaseNow();
    Object.assign(run, { status: outcome.status, outcome: structuredClone(outcome), finishedAt });
    return finishedAt;
  }

  async analyzeEvents(): Promise<void> {
    this.calls.analyzed += 1;
  }

  async hasRunsInProgress(): Promise<boolean> {
    return [...this.state.runs.values()].some((run) => run.status === 'processing');
  }

  async removeStagedOfFinishedRuns(syncRunIds?: readonly string[]): Promise<number> {
    const finished = [...this.state.batches.keys()].filter((id) => this.state.runs.get(id)?.status !== 'processing' && (!syncRunIds || syncRunIds.includes(id)));
    for (const id of finished) this.state.batches.delete(id);
    this.state.rows = this.state.rows.filter((row) => !finished.includes(row.syncRunId));
    return finished.length;
  }

  private rowsOf(syncRunId: string): StagedRow[] {
    return this.state.rows.filter((row) => row.syncRunId === syncRunId);
  }

  private rowErrorsOf(syncRunId: string): RowErrorV1[] {
    return [...(this.state.batches.get(syncRunId) ?? new Map<number, RowErrorV1[]>())].sort(([a], [b]) => a - b).flatMap(([, errors]) => errors);
  }

  private logChange(syncRunId: string, change: Change): void {
    const log = this.state.changeLog.get(syncRunId) ?? [];
    log.push(change);
    this.state.changeLog.set(syncRunId, log);
  }

  private insert(target: EventTarget, row: StagedRow): void {
    const event: InMemoryEvent = {
      id: String(this.state.nextEventId++),
      agentId: row.agentId,
      eventTypeId: row.eventTypeId,
      startAt: iso(row.startAt),
      endAt: iso(row.endAt),
      day: row.day,
      scheduleId: target.scheduleId,
      integrationId: target.integrationId,
      sourceFileId: target.fileId,
    };
    this.state.events.push(event);
    this.logChange(row.syncRunId, { kind: 'created', event: { ...event } });
  }
}

/** The events-changed publisher the unit tests use: parts go where the store keeps what went out, as parsed JSON. */
export class InMemoryEventsChangedPublisher extends EventsChangedPublisher {
  constructor(private readonly store: InMemorySyncRunRepository) {
    super();
  }

  async publish(integrationId: string, payloads: readonly Buffer[]): Promise<void> {
    for (const payload of payloads) this.store.recordPublished({ topic: Topics.EventsChangedV1, key: integrationId, value: JSON.parse(payload.toString('utf8')) });
  }
}
