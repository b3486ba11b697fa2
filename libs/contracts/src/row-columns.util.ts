import type { RowColumnsV2, RowsBatchV2 } from './messages';

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

export type RowsOfBatch = Pick<RowsBatchV2, 'platformAgentIds' | 'activities' | 'days' | 'rows'>;

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

  get size(): number {
    return this.columns.line.length;
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
    const taken = { platformAgentIds: this.agents.items, activities: this.activities.items, days: this.days.items, rows: this.columns };
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
