import { isDeepStrictEqual } from 'node:util';
import { DateTime } from 'luxon';
import type { ReplaceScope, SyncCountsV1 } from '@bpo/contracts';
import { endOfLocalDay, localDay } from '@bpo/schedule-time';
import { applySnapshotPlan, planSnapshotSync, type IncomingEvent, type StoredEvent } from '@bpo/snapshot-sync';
import { addAgents, arrangeOrganization, customCsv, dayFromToday, storeAndAnnounceFile, utc, type Db, type Setup } from './support/fixtures';
import { pipelineHarness, type PipelineHarness } from './support/pipeline-harness';

/*
 * Model-based check of the schedule-writer's routing. The writer compares each agent-day with what
 * is stored (in SQL), leaves identical ones alone, creates those with nothing stored set-based and
 * plans only the rest (routeAgentDays). The claim: the outcome is exactly what the pure snapshot
 * rule (planSnapshotSync) gives for the file's whole window. Here random sequences of files (seeded:
 * WRITER_EQUIVALENCE_SEED=<n> replays one) go through the real pipeline with tiny ranges, and after
 * each file the database is compared with an in-memory model that applies planSnapshotSync to what
 * was stored, with the inputs the writer gives it: events, counts, and the ids of unchanged and
 * updated events.
 */

const SEED = Number(process.env.WRITER_EQUIVALENCE_SEED ?? 20261125);
const FILES_PER_INTEGRATION = Number(process.env.WRITER_EQUIVALENCE_FILES ?? 8);
const AGENTS = ['A1', 'A2', 'A3', 'A4'];
/** Activities and the event types the mapping rules of arrangeOrganization give them. */
const ACTIVITIES: Record<string, string> = { Phones: 'Phones', chat: 'Chat', 'BRK-15': 'Break', Lunch: 'Lunch' };
/** Days relative to today (site zone): yesterday and today are past unless past events are synced. */
const DAY_OFFSETS = [-1, 0, 1, 2, 3];
const CANDIDATE_ZONES = ['America/New_York', 'Europe/Berlin', 'Asia/Tokyo', 'America/Los_Angeles', 'Asia/Kolkata', 'Pacific/Auckland'];

/** mulberry32: small, seeded, deterministic. */
function random(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  return { next, int, chance: (p: number) => next() < p, pick: <T>(items: readonly T[]) => items[int(0, items.length - 1)] };
}
type Random = ReturnType<typeof random>;

/** A zone where the test cannot run across midnight: the past cutoff (end of today) stays put. */
function zoneAwayFromMidnight(): string {
  return CANDIDATE_ZONES.find((zone) => DateTime.now().setZone(zone).hour >= 1 && DateTime.now().setZone(zone).hour <= 22)!;
}

/** One row of a file: platform agent id, local day, start and end minutes from the day's midnight, activity. */
interface Row {
  agent: string;
  day: string;
  startMinute: number;
  endMinute: number;
  activity: string;
}

interface FileSpec {
  name: string;
  rows: Row[];
  receivedAt: Date;
  syncPastEvents: boolean;
}

const clock = (minute: number) => `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
/** An instant `minute` minutes after the local midnight of `day` (past 24:00 it is the next day). */
const instant = (day: string, minute: number, zone: string) =>
  minute < 24 * 60 ? utc(day, clock(minute), zone) : utc(DateTime.fromISO(day).plus({ days: 1 }).toISODate()!, clock(minute - 24 * 60), zone);

function randomEvent(rng: Random, agent: string, day: string): Row {
  const overnight = rng.chance(0.05);
  const startMinute = overnight ? 23 * 60 : 6 * 60 + 15 * rng.int(0, 56);
  return { agent, day, startMinute, endMinute: startMinute + 15 * rng.int(1, 8), activity: rng.pick(Object.keys(ACTIVITIES)) };
}

/** A new version of an agent-day's rows: often the same, else moved, changed, dropped, added or doubled rows. */
function nextRows(rng: Random, agent: string, day: string, previous: Row[] | undefined): Row[] {
  const roll = rng.next();
  if (previous && roll < 0.45) return previous.map((row) => ({ ...row }));
  if (!previous || roll > 0.85) return Array.from({ length: rng.int(0, 5) }, () => randomEvent(rng, agent, day));
  const rows: Row[] = [];
  for (const row of previous) {
    const change = rng.next();
    if (change < 0.5) rows.push({ ...row });
    else if (change < 0.62) {
      const shift = 15 * rng.pick([-4, -2, -1, 1, 2, 4]);
      const startMinute = Math.min(20 * 60, Math.max(0, row.startMinute + shift));
      rows.push({ ...row, startMinute, endMinute: startMinute + (row.endMinute - row.startMinute) });
    } else if (change < 0.74) rows.push({ ...row, activity: rng.pick(Object.keys(ACTIVITIES)) });
    else if (change < 0.86) rows.push({ ...row, endMinute: row.startMinute + 15 * rng.int(1, 8) });
    // else: dropped
  }
  for (let extra = rng.int(0, 2); extra > 0 && rows.length < 5; extra -= 1) rows.push(randomEvent(rng, agent, day));
  if (rows.length > 0 && rng.chance(0.3)) rows.push({ ...rng.pick(rows) }); // an exact duplicate row
  return rows;
}

/** A sequence of files for one integration: a few agents, a few days, agents dropped, older files late. */
function generateFiles(rng: Random, zone: string, count: number): FileSpec[] {
  const days = DAY_OFFSETS.map((offset) => dayFromToday(offset, zone));
  const previous = new Map<string, Row[]>();
  const files: FileSpec[] = [];
  let newest = Date.now() - 2 * 3600_000;
  for (let index = 0; index < count; index += 1) {
    const from = rng.int(0, days.length - 1);
    const to = Math.min(days.length - 1, from + rng.int(0, 3));
    let agents = AGENTS.filter(() => rng.chance(0.7));
    if (agents.length === 0) agents = [rng.pick(AGENTS)];
    let rows: Row[] = [];
    for (const agent of agents) {
      for (const day of days.slice(from, to + 1)) {
        const next = nextRows(rng, agent, day, previous.get(`${agent} ${day}`));
        previous.set(`${agent} ${day}`, next);
        rows.push(...next);
      }
    }
    if (rows.length === 0) rows.push(randomEvent(rng, agents[0], days[from]));
    if (rng.chance(0.5)) rows = shuffle(rng, rows);
    // Mostly newer than every file before; sometimes older than the newest one (it arrives late).
    const older = index > 0 && rng.chance(0.25);
    const receivedAt = older ? newest - 60_000 * rng.int(1, 3) - 1000 * (index + 1) : (newest += 60_000);
    files.push({ name: `f${index}.csv`, rows, receivedAt: new Date(receivedAt), syncPastEvents: rng.chance(0.3) });
  }
  return files;
}

function shuffle<T>(rng: Random, items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = rng.int(0, i);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

describe(`schedule-writer: routed agent-days end exactly as planSnapshotSync alone (seed ${SEED})`, () => {
  let pipeline: PipelineHarness;
  let db: Db;
  let namespace: string;

  beforeAll(async () => {
    console.log(`writer equivalence seed: ${SEED} (WRITER_EQUIVALENCE_SEED=${SEED} replays it)`);
    // Tiny ranges: most files are applied in several ranges, a day of more rows alone.
    pipeline = await pipelineHarness({ name: 'equivalence', env: { 'schedule-writer': { WRITER_ROWS_PER_RANGE: '3' } } });
    ({ db, namespace } = pipeline);
  }, 180_000);

  afterAll(() => pipeline?.stop());

  const scenarios: Array<{ replaceScope: ReplaceScope; seed: number }> = [
    { replaceScope: 'agents_in_file', seed: SEED },
    { replaceScope: 'all_site_agents', seed: SEED + 1 },
    { replaceScope: 'agents_in_file', seed: SEED + 2 },
    { replaceScope: 'all_site_agents', seed: SEED + 3 },
  ];

  /** What the sequences exercised, summed over every file: a run that planned nothing proves little. */
  const exercised = { files: 0, superseded: 0, created: 0, updated: 0, deleted: 0, unchanged: 0, skippedPast: 0 };

  it('every file of random sequences, for both replace scopes, ends as the snapshot rule says', async () => {
    const zone = zoneAwayFromMidnight();
    // Every sequence runs to its end or first difference before the services stop.
    const outcomes = await Promise.allSettled(scenarios.map((scenario) => runScenario(scenario, zone)));
    for (const outcome of outcomes) if (outcome.status === 'rejected') throw outcome.reason;
    console.log(`writer equivalence exercised (seed ${SEED}): ${JSON.stringify(exercised)}`);
    for (const count of ['superseded', 'created', 'updated', 'deleted', 'unchanged', 'skippedPast'] as const) expect(exercised[count]).toBeGreaterThan(0);
  }, 120_000);

  async function runScenario({ replaceScope, seed }: { replaceScope: ReplaceScope; seed: number }, zone: string): Promise<void> {
    const setup = await arrangeOrganization(db, { timezone: zone });
    const agentIds = new Map(Object.entries(setup.agents));
    for (const [platformId, id] of await addAgents(db, setup, [{ platformId: 'A4', name: 'Agent A4' }])) agentIds.set(platformId, id);
    await db.query('UPDATE integrations SET replace_scope = $2 WHERE id = $1', [setup.integrationId, replaceScope]);
    const names = new Map<string, string>([...[...agentIds].map(([name, id]): [string, string] => [id, name]), ...Object.entries(setup.eventTypes).map(([name, id]): [string, string] => [id, name])]);

    const files = generateFiles(random(seed), zone, FILES_PER_INTEGRATION);
    const dayVersions = new Map<string, string>();
    let stored = await storedEvents(db, setup);
    for (const [index, file] of files.entries()) {
      const context = () => `seed ${seed}, ${replaceScope}, zone ${zone}, file ${index}\n${describeFiles(files.slice(0, index + 1))}`;
      await db.query('UPDATE integrations SET sync_past_events = $2 WHERE id = $1', [setup.integrationId, file.syncPastEvents]);
      const csv = customCsv(file.rows.map((row) => [row.agent, instant(row.day, row.startMinute, zone), instant(row.day, row.endMinute, zone), row.activity]));
      const { syncRunId } = await storeAndAnnounceFile(db, setup, namespace, file.name, csv, file.receivedAt);

      // The model: the snapshot rule over the file's whole window, with the inputs the writer gives it.
      const incoming: IncomingEvent[] = file.rows.map((row, at) => {
        const startAt = new Date(instant(row.day, row.startMinute, zone)).toISOString();
        return { line: at + 2, agentId: agentIds.get(row.agent)!, eventTypeId: setup.eventTypes[ACTIVITIES[row.activity]], startAt, endAt: new Date(instant(row.day, row.endMinute, zone)).toISOString(), day: localDay(startAt, zone) };
      });
      const fileDays = incoming.map((event) => event.day).sort();
      const window = { from: fileDays[0], to: fileDays[fileDays.length - 1] };
      const pastCutoff = file.syncPastEvents ? null : endOfLocalDay(new Date(), zone).toISOString();
      const plan = planSnapshotSync({
        incoming,
        stored,
        window,
        replaceScope,
        agentsInFile: [...new Set(incoming.map((event) => event.agentId))],
        fileReceivedAt: file.receivedAt.toISOString(),
        dayVersions,
        pastCutoff,
      });
      const expectedCounts: SyncCountsV1 = {
        rows: file.rows.length,
        created: plan.create.length,
        updated: plan.update.length,
        deleted: plan.delete.length,
        unchanged: plan.unchanged.length,
        skippedPast: plan.skippedPast,
        rowErrors: 0,
      };
      const expectedEvents = applySnapshotPlan(stored, plan, () => 'new');

      const status = await pipeline.statusOf(syncRunId, 30_000);
      const after = await storedEvents(db, setup);
      const known = new Set(stored.map((event) => event.id));
      // Ids of events that were there before must be the model's (unchanged and updated keep theirs); new ones are just new.
      const render = (events: StoredEvent[]) =>
        events
          .map((event) => `${known.has(event.id) ? `#${event.id}` : 'new'} ${names.get(event.agentId)} ${event.day} ${names.get(event.eventTypeId)} ${event.startAt}-${event.endAt}`)
          .sort();
      const actual = { status: status.status, counts: status.counts, window: status.window, events: render(after) };
      const expected = { status: plan.appliedDays.length === 0 ? 'superseded' : 'succeeded', counts: expectedCounts, window, events: render(expectedEvents) };
      if (!isDeepStrictEqual(actual, expected)) {
        console.log(`writer equivalence: the writer differs from the snapshot rule at ${context()}`);
        expect(actual).toEqual(expected);
      }
      // Every unchanged and updated event kept its id with the planned content.
      for (const { id, event } of plan.unchanged) expect(after.find((stayed) => stayed.id === id)).toMatchObject({ startAt: event.startAt, endAt: event.endAt, eventTypeId: event.eventTypeId });
      for (const { id, to } of plan.update) expect(after.find((changed) => changed.id === id)).toMatchObject({ startAt: to.startAt, endAt: to.endAt, eventTypeId: to.eventTypeId, day: to.day });

      exercised.files += 1;
      if (expected.status === 'superseded') exercised.superseded += 1;
      for (const count of ['created', 'updated', 'deleted', 'unchanged', 'skippedPast'] as const) exercised[count] += expectedCounts[count];
      for (const day of plan.appliedDays) dayVersions.set(day, file.receivedAt.toISOString());
      stored = after;
    }
  }

  function describeFiles(files: FileSpec[]): string {
    return files
      .map(
        (file, index) =>
          `  file ${index} received ${file.receivedAt.toISOString()} syncPastEvents=${file.syncPastEvents}: ` +
          file.rows.map((row) => `${row.agent} ${row.day} ${clock(row.startMinute)}+${row.endMinute - row.startMinute}m ${row.activity}`).join('; '),
      )
      .join('\n');
  }
});

/** The events the integration stored, as the writer reads them (ISO instants, id order). */
async function storedEvents(db: Db, setup: Setup): Promise<StoredEvent[]> {
  return db.query<StoredEvent>(
    `SELECT id::text AS id, agent_id AS "agentId", event_type_id AS "eventTypeId",
            to_char(start_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "startAt",
            to_char(end_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "endAt", to_char(day, 'YYYY-MM-DD') AS day
       FROM schedule_events WHERE schedule_id = $1 AND source_integration_id = $2 ORDER BY id`,
    [setup.scheduleId, setup.integrationId],
  );
}
