import type { AgentDayColumnsV2, RowColumnsV2, RowsBatchV2 } from './messages';

/** One row as the parser hands it to a batch. */
export interface ColumnRow {
  line: number;
  platformAgentId: string;
  activity: string;
  /** UTC instants, milliseconds since the epoch. */
  startAt: number;
  endAt: number;
  /** YYYY-MM-DD in the site's time zone. */
  day: string;
}

export type RowsOfBatch = Pick<RowsBatchV2, 'platformAgentIds' | 'activities' | 'days' | 'rows' | 'agentDays'>;

/** One agent-day entry as the parser hands it to a batch (see AgentDayColumnsV2). */
export interface AgentDayEntry {
  platformAgentId: string;
  day: string;
  digest: number;
  rows: number;
  skipped: boolean;
}

/** A list of distinct texts and their positions: each text is kept once per batch. */
class TextList {
  readonly items: string[] = [];
  private readonly positions = new Map<string, number>();
  positionOf(text: string): number {
    let position = this.positions.get(text);
    if (position === undefined) {
      position = this.items.length;
      this.items.push(text);
      this.positions.set(text, position);
    }
    return position;
  }
}

/** Collects rows, in order, into a RowsBatchV2's lists and columns. */
export class RowColumnsBuilder {
  private agents = new TextList();
  private activities = new TextList();
  private days = new TextList();
  private columns: RowColumnsV2 = emptyColumns();
  private agentDays: AgentDayColumnsV2 = emptyAgentDays();

  /** Rows collected so far. */
  get size(): number {
    return this.columns.line.length;
  }

  /** Agent-day entries collected so far. */
  get agentDayCount(): number {
    return this.agentDays.agent.length;
  }

  addAgentDay(entry: AgentDayEntry): void {
    const agentDays = this.agentDays;
    agentDays.agent.push(this.agents.positionOf(entry.platformAgentId));
    agentDays.day.push(this.days.positionOf(entry.day));
    agentDays.digest.push(entry.digest);
    agentDays.rows.push(entry.rows);
    agentDays.skipped.push(entry.skipped ? 1 : 0);
  }

  add(row: ColumnRow): void {
    const columns = this.columns;
    columns.line.push(row.line);
    columns.agent.push(this.agents.positionOf(row.platformAgentId));
    columns.activity.push(this.activities.positionOf(row.activity));
    columns.startAt.push(row.startAt);
    columns.endAt.push(row.endAt);
    columns.day.push(this.days.positionOf(row.day));
  }

  /** The rows collected so far; the builder starts afresh. */
  take(): RowsOfBatch {
    const taken: RowsOfBatch = { platformAgentIds: this.agents.items, activities: this.activities.items, days: this.days.items, rows: this.columns };
    if (this.agentDays.agent.length > 0) taken.agentDays = this.agentDays;
    this.agentDays = emptyAgentDays();
    this.agents = new TextList();
    this.activities = new TextList();
    this.days = new TextList();
    this.columns = emptyColumns();
    return taken;
  }
}

function emptyColumns(): RowColumnsV2 {
  return { line: [], agent: [], activity: [], startAt: [], endAt: [], day: [] };
}

function emptyAgentDays(): AgentDayColumnsV2 {
  return { agent: [], day: [], digest: [], rows: [], skipped: [] };
}

/** A batch's agent-day entries as objects (for the writer's staging and for tests). */
export function agentDaysOf(batch: RowsOfBatch): AgentDayEntry[] {
  const entries = batch.agentDays;
  if (!entries) return [];
  return entries.agent.map((agent, i) => ({
    platformAgentId: batch.platformAgentIds[agent],
    day: batch.days[entries.day[i]],
    digest: entries.digest[i],
    rows: entries.rows[i],
    skipped: entries.skipped[i] === 1,
  }));
}

/** Rows as objects, for reading a batch in tests and reports (the pipeline itself reads the columns). */
export function rowsOf(batch: RowsOfBatch): ColumnRow[] {
  const { rows } = batch;
  return rows.line.map((line, i) => ({
    line,
    platformAgentId: batch.platformAgentIds[rows.agent[i]],
    activity: batch.activities[rows.activity[i]],
    startAt: rows.startAt[i],
    endAt: rows.endAt[i],
    day: batch.days[rows.day[i]],
  }));
}

/** Builds the rows of a batch from row objects (the parser's order). */
export function columnsOf(rows: Iterable<ColumnRow>): RowsOfBatch {
  const builder = new RowColumnsBuilder();
  for (const row of rows) builder.add(row);
  return builder.take();
}

/** A row that goes on to the schedule: its activity mapped and its agent known. */
export interface ResolvedRow extends ColumnRow {
  eventTypeId: string;
  agentId: string;
}

/** The rows of a batch that go on to the schedule, in order (none before mapping and agent resolution). */
export function resolvedRowsOf(batch: RowsOfBatch & Pick<RowsBatchV2, 'eventTypeIds' | 'agentIds'>): ResolvedRow[] {
  const { eventTypeIds, agentIds } = batch;
  if (!eventTypeIds || !agentIds) return [];
  return rowsOf(batch).flatMap((row, i) => {
    const eventTypeId = eventTypeIds[batch.rows.activity[i]];
    const agentId = agentIds[batch.rows.agent[i]];
    return eventTypeId && agentId ? [{ ...row, eventTypeId, agentId }] : [];
  });
}
