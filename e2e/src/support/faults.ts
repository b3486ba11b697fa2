import type { SyncStatusV1 } from '@bpo/contracts';
import { expectEventually, type TopicReader } from '@bpo/testing';
import { addAgents, arrangeOrganization, dayFromToday, type Db, type Setup } from './fixtures';
import type { CsvRow } from './expected-events';

// Shared by the fault suites: a file large enough to be in flight when a fault lands, and waits.

export const at = (day: string, hourUtc: number, minute = 0) => `${day}T${String(hourUtc).padStart(2, '0')}:${String(minute).padStart(2, '0')}:00Z`;
// 09:00-17:00 in New York (14:00-22:00 UTC in winter): each row's day is its UTC date.
export const workday = (agent: string, day: string): CsvRow[] => [
  [agent, at(day, 14), at(day, 17), 'Phones'],
  [agent, at(day, 17), at(day, 17, 15), 'BRK-15'],
  [agent, at(day, 17, 15), at(day, 18, 15), 'Lunch'],
  [agent, at(day, 18, 15), at(day, 22), 'Live chat'],
];
export const days = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, index) => dayFromToday(from + index));

/** 100 agents x 50 days x 4 segments: 20,000 rows, 7 batches on the main lane. */
export async function arrangeLargeFile(db: Db): Promise<{ setup: Setup; rows: CsvRow[] }> {
  const setup = await arrangeOrganization(db);
  const agents = Array.from({ length: 100 }, (_, n) => `P${n}`);
  await addAgents(db, setup, agents.map((platformId) => ({ platformId, name: `Agent ${platformId}` })));
  return { setup, rows: agents.flatMap((agent) => days(3, 52).flatMap((day) => workday(agent, day))) };
}

/** The run is processing and at least one of its batches reached the writer: a fault now lands mid-file. */
export function untilInFlight(db: Db, syncRunId: string): Promise<void> {
  return expectEventually(
    async () => {
      const { status, staged } = await db.one<{ status: string; staged: number }>(
        'SELECT status, (SELECT count(*)::int FROM sync_run_batches b WHERE b.sync_run_id = r.id) AS staged FROM sync_runs r WHERE r.id = $1',
        [syncRunId],
      );
      if (status !== 'processing') throw new Error(`run is ${status}: the fault would come too late`);
      if (staged < 1) throw new Error('no batch staged yet');
    },
    { timeoutMs: 120_000, intervalMs: 50 },
  );
}

export function statusOf(statuses: TopicReader<SyncStatusV1>, syncRunId: string, timeoutMs = 120_000): Promise<SyncStatusV1> {
  return expectEventually(
    () => {
      const found = statuses.messages.find((message) => message.value.syncRunId === syncRunId);
      if (!found) throw new Error(`no sync status for ${syncRunId} yet`);
      return found.value;
    },
    { timeoutMs, intervalMs: 100 },
  );
}

