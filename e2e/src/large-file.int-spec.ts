import { Topics, type EventsChangedV1, type SyncStatusV1 } from '@bpo/contracts';
import { expectEventually, type TopicReader } from '@bpo/testing';
import { addAgents, arrangeOrganization, customCsv, dayFromToday, storeAndAnnounceFile, type Db, type Setup } from './support/fixtures';
import { pipelineHarness, type PipelineHarness } from './support/pipeline-harness';

/**
 * A large BPO's file (100,000 events) next to another organization's small files: the small ones
 * never wait for it (they travel the main lane, the large one the bulk lane), the large file's
 * events-changed parts never jam the outbox, and every file gets exactly one status message.
 */
describe('a large file and its neighbours', () => {
  let pipeline: PipelineHarness;
  let db: Db;
  let namespace: string;
  let statuses: TopicReader<SyncStatusV1>;
  let changes: TopicReader<EventsChangedV1>;

  beforeAll(async () => {
    pipeline = await pipelineHarness({ name: 'large' });
    ({ db, namespace, statuses } = pipeline);
    changes = await pipeline.read<EventsChangedV1>(Topics.EventsChangedV1);
  }, 180_000);

  afterAll(() => pipeline?.stop());

  const statusOf = (syncRunId: string, timeoutMs: number) => pipeline.statusOf(syncRunId, timeoutMs);

  const smallFile = (setup: Setup, name: string) =>
    storeAndAnnounceFile(db, setup, namespace, name, customCsv([['A1', `${dayFromToday(3)}T09:00:00`, `${dayFromToday(3)}T17:00:00`, 'Phones']]));

  it('syncs 100,000 new events while another organization’s small files sync in seconds, each status exactly once', async () => {
    const large = await arrangeOrganization(db);
    const neighbour = await arrangeOrganization(db);
    const agents = Array.from({ length: 1000 }, (_, index) => ({ platformId: `L${index}`, name: `Agent L${index}` }));
    await addAgents(db, large, agents);
    // 1,000 agents x 25 days x 4 segments.
    const rows: Array<[string, string, string, string]> = [];
    for (let day = 3; day < 28; day += 1) {
      const date = dayFromToday(day);
      for (const { platformId } of agents) {
        rows.push([platformId, `${date}T08:00:00`, `${date}T12:00:00`, 'Phones']);
        rows.push([platformId, `${date}T12:00:00`, `${date}T13:00:00`, 'Lunch']);
        rows.push([platformId, `${date}T13:00:00`, `${date}T13:15:00`, 'BRK-15']);
        rows.push([platformId, `${date}T13:15:00`, `${date}T16:00:00`, 'Live chat']);
      }
    }
    const big = await storeAndAnnounceFile(db, large, namespace, 'sixty-days.csv', customCsv(rows));

    // A neighbour's small file announced right after the large one is synced while it is still in flight.
    const during = await smallFile(neighbour, 'during.csv');
    const duringStatus = await statusOf(during.syncRunId, 30_000);
    expect(duringStatus.status).toBe('succeeded');
    expect(statuses.messages.find((message) => message.value.syncRunId === big.syncRunId)).toBeUndefined();

    const bigStatus = await statusOf(big.syncRunId, 600_000);
    expect(bigStatus).toMatchObject({ status: 'succeeded', counts: { rows: 100_000, created: 100_000, rowErrors: 0 } });

    // The outbox is not jammed by the large file's changes: the next small file syncs in seconds.
    const after = await smallFile(neighbour, 'after.csv');
    const announced = Date.now();
    await statusOf(after.syncRunId, 15_000);
    expect(Date.now() - announced).toBeLessThan(15_000);

    // Every part of the large file's changes reaches the topic, each far below the broker's limit.
    const parts = await expectEventually(
      () => {
        const found = changes.messages.filter((message) => message.value.syncRunId === big.syncRunId);
        if (found.length === 0 || found.length < found[0].value.parts) throw new Error(`${found.length} parts so far`);
        return found.map((message) => message.value);
      },
      { timeoutMs: 120_000, intervalMs: 200 },
    );
    expect(parts.reduce((sum, part) => sum + part.created.length, 0)).toBe(100_000);
    expect(new Set(parts.map((part) => part.part)).size).toBe(parts[0].parts);
    for (const part of parts) expect(Buffer.byteLength(JSON.stringify(part))).toBeLessThan(1024 * 1024);

    for (const run of [big, during, after]) expect(statuses.messages.filter((message) => message.value.syncRunId === run.syncRunId)).toHaveLength(1);
    const [{ count, written }] = await db.query<{ count: number; written: Date }>(
      'SELECT count(*)::int AS count, max(created_at) AS written FROM schedule_events WHERE schedule_id = $1',
      [large.scheduleId],
    );
    expect(count).toBe(100_000);
    // finishedAt is when the sync really finished, after its events were written (created_at is the
    // apply transaction's start), not the transaction's start time.
    expect(Date.parse(bigStatus.finishedAt)).toBeGreaterThan(new Date(written).getTime());
    const [{ finished_at }] = await db.query<{ finished_at: Date }>('SELECT finished_at FROM sync_runs WHERE id = $1', [big.syncRunId]);
    expect(new Date(finished_at).toISOString()).toBe(bigStatus.finishedAt);
  }, 900_000);
});
