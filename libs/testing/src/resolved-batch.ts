import { columnsOf, type RowsBatchV2 } from '@bpo/contracts';

/** A row as agent-resolution hands it on, written plainly for a test (instants as ISO text or epoch ms). */
export interface ResolvedTestRow {
  line: number;
  platformAgentId: string;
  activity: string;
  startAt: string | number;
  endAt: string | number;
  day: string;
  agentId: string;
  eventTypeId: string;
}

/** The rows part of a RowsBatchV2 after agent resolution (for tests that play agent-resolution's part). */
export function resolvedBatchRows(rows: readonly ResolvedTestRow[]): Pick<RowsBatchV2, 'platformAgentIds' | 'activities' | 'days' | 'rows' | 'eventTypeIds' | 'agentIds'> {
  const epoch = (instant: string | number) => (typeof instant === 'number' ? instant : Date.parse(instant));
  const columns = columnsOf(rows.map((row) => ({ ...row, startAt: epoch(row.startAt), endAt: epoch(row.endAt) })));
  const idOf = (key: 'platformAgentId' | 'activity', id: 'agentId' | 'eventTypeId') => (value: string) => rows.find((row) => row[key] === value)![id];
  return { ...columns, agentIds: columns.platformAgentIds.map(idOf('platformAgentId', 'agentId')), eventTypeIds: columns.activities.map(idOf('activity', 'eventTypeId')) };
}
