import { arrangeOrganization, customCsv, dayFromToday, storeAndAnnounceFile, type Db, type Setup } from './support/fixtures';
import { pipelineHarness, type PipelineHarness } from './support/pipeline-harness';

// Issue 11, the measured incident: a 14-day file held one row mistyped as 2099. Its window became
// "first day to 2099" and the snapshot rule deleted every later event the integration had written.
describe('date horizon: one mistyped row never changes days the file does not cover', () => {
  let pipeline: PipelineHarness;
  let db: Db;
  let namespace: string;

  beforeAll(async () => {
    pipeline = await pipelineHarness({ name: 'horizon' });
    ({ db, namespace } = pipeline);
  }, 180_000);

  afterAll(() => pipeline?.stop());

  const statusOf = (syncRunId: string) => pipeline.statusOf(syncRunId);

  const eventsOf = (setup: Setup) =>
    db.query<{ id: string; agent: string; type: string; day: string }>(
      `SELECT e.id::text, p.platform_agent_id AS agent, t.name AS type, to_char(e.day, 'YYYY-MM-DD') AS day
         FROM schedule_events e JOIN agent_platform_ids p ON p.agent_id = e.agent_id JOIN event_types t ON t.id = e.event_type_id
        WHERE e.schedule_id = $1 ORDER BY e.day, p.platform_agent_id`,
      [setup.scheduleId],
    );

  it('a 14-day file with a 2099 row syncs its 14 days, reports the row, and leaves the 42 later days alone', async () => {
    const setup = await arrangeOrganization(db);
    // 56 days from the day after tomorrow (future, so the past-event rule plays no part), two agents: 112 events.
    const days = Array.from({ length: 56 }, (_, index) => dayFromToday(2 + index));
    const rowsOf = (covered: string[], activity: string) =>
      covered.flatMap((day) => (['A1', 'A2'] as const).map((agent): [string, string, string, string] => [agent, `${day}T09:00:00`, `${day}T17:00:00`, activity]));

    const first = await storeAndAnnounceFile(db, setup, namespace, 'eight-weeks.csv', customCsv(rowsOf(days, 'Phones')));
    expect(await statusOf(first.syncRunId)).toMatchObject({ status: 'succeeded', counts: { rows: 112, created: 112 }, window: { from: days[0], to: days[55] } });
    const before = await eventsOf(setup);
    expect(before).toHaveLength(112);

    const twoWeeks = rowsOf(days.slice(0, 14), 'chat');
    // Line 1 is the header: the mistyped row is line 10 of the file.
    twoWeeks.splice(8, 0, ['A1', '2099-12-07T09:00:00', '2099-12-07T17:00:00', 'chat']);
    const second = await storeAndAnnounceFile(db, setup, namespace, 'two-weeks.csv', customCsv(twoWeeks));
    const status = await statusOf(second.syncRunId);
    expect(status).toMatchObject({
      status: 'succeeded_with_errors',
      counts: { rows: 29, created: 0, updated: 28, deleted: 0, unchanged: 0, rowErrors: 1 },
      window: { from: days[0], to: days[13] },
    });
    expect(status.errors).toEqual([expect.objectContaining({ line: 10, code: 'date_out_of_range', message: expect.stringContaining('the row starts on 2099-12-07') })]);

    const after = await eventsOf(setup);
    expect(after).toHaveLength(112);
    expect(after.some((event) => event.day.startsWith('2099'))).toBe(false);
    // The file's 14 days now hold its events (updated in place, so their ids stay)...
    const inFile = after.filter((event) => event.day <= days[13]);
    expect(inFile.map((event) => [event.agent, event.type, event.day])).toEqual(days.slice(0, 14).flatMap((day) => [['A1', 'Chat', day], ['A2', 'Chat', day]]));
    // ...and the 84 events after day 14 are exactly the ones there before: same ids, same content.
    const later = (events: typeof before) => events.filter((event) => event.day > days[13]);
    expect(later(after)).toHaveLength(84);
    expect(later(after)).toEqual(later(before));
    // The recorded run says the same.
    const run = await db.one<{ window_from: string; window_to: string }>(
      `SELECT to_char(window_from, 'YYYY-MM-DD') AS window_from, to_char(window_to, 'YYYY-MM-DD') AS window_to FROM sync_runs WHERE id = $1`,
      [second.syncRunId],
    );
    expect(run).toEqual({ window_from: days[0], window_to: days[13] });
  });
});
