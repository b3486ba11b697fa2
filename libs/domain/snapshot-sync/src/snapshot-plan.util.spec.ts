import fc from 'fast-check';
import { applySnapshotPlan } from './apply-snapshot-plan.util';
import type { IncomingEvent, SnapshotInput, SnapshotPlan, StoredEvent } from './snapshot-sync.types';
import { planSnapshotSync } from './snapshot-plan.util';

const DAY1 = '2025-03-10';
const DAY2 = '2025-03-11';
const DAY3 = '2025-03-12';

/** `at(DAY1, 9)` is 09:00 UTC that day; the site is on UTC in these examples. */
const at = (day: string, hour: number) => `${day}T${String(hour).padStart(2, '0')}:00:00.000Z`;

let nextLine = 1;
function incoming(agentId: string, eventTypeId: string, day: string, from: number, to: number): IncomingEvent {
  return { line: nextLine++, agentId, eventTypeId, startAt: at(day, from), endAt: at(day, to), day };
}
function stored(id: string, agentId: string, eventTypeId: string, day: string, from: number, to: number): StoredEvent {
  return { id, agentId, eventTypeId, startAt: at(day, from), endAt: at(day, to), day };
}

function input(overrides: Partial<SnapshotInput>): SnapshotInput {
  const events = overrides.incoming ?? [];
  return {
    incoming: events,
    stored: [],
    window: { from: DAY1, to: DAY3 },
    replaceScope: 'agents_in_file',
    agentsInFile: [...new Set(events.map((event) => event.agentId))],
    fileReceivedAt: '2025-03-09T06:00:00Z',
    dayVersions: new Map(),
    pastCutoff: null,
    ...overrides,
  };
}

/** The plan reduced to ids and counts, which is what the tables compare. */
function summary(plan: SnapshotPlan) {
  return {
    create: plan.create.map((event) => `${event.agentId} ${event.eventTypeId} ${event.startAt.slice(5, 13)}`),
    update: plan.update.map((change) => change.id),
    delete: plan.delete.map((event) => event.id),
    unchanged: plan.unchanged.map((kept) => kept.id),
    skippedPast: plan.skippedPast,
  };
}
const nothing = { create: [], update: [], delete: [], unchanged: [], skippedPast: 0 };

describe('planSnapshotSync', () => {
  it.each<[string, Partial<SnapshotInput>, Partial<ReturnType<typeof summary>>]>([
    [
      "replaces an agent's day with the file's events",
      { stored: [stored('s1', 'ana', 'work', DAY1, 8, 12), stored('s2', 'ana', 'lunch', DAY1, 12, 13)], incoming: [incoming('ana', 'work', DAY1, 14, 18)] },
      { create: ['ana work 03-10T14'], delete: ['s1', 's2'] },
    ],
    [
      'keeps the id of an identical event (unchanged)',
      { stored: [stored('s1', 'ana', 'work', DAY1, 8, 12)], incoming: [incoming('ana', 'work', DAY1, 8, 12)] },
      { unchanged: ['s1'] },
    ],
    [
      'keeps the id of an event that starts at the same instant (update of type or end)',
      {
        stored: [stored('s1', 'ana', 'work', DAY1, 8, 12), stored('s2', 'ana', 'work', DAY1, 13, 17)],
        incoming: [incoming('ana', 'training', DAY1, 8, 12), incoming('ana', 'work', DAY1, 13, 18)],
      },
      { update: ['s1', 's2'] },
    ],
    [
      'prefers an identical event over one that only starts together',
      {
        stored: [stored('s1', 'ana', 'work', DAY1, 8, 10), stored('s2', 'ana', 'work', DAY1, 8, 12)],
        incoming: [incoming('ana', 'work', DAY1, 8, 12)],
      },
      { unchanged: ['s2'], delete: ['s1'] },
    ],
    [
      'leaves agents that are not in the file alone (agents_in_file)',
      { stored: [stored('s1', 'ana', 'work', DAY1, 8, 12), stored('s2', 'ben', 'work', DAY1, 8, 12)], incoming: [incoming('ana', 'work', DAY2, 8, 12)] },
      { create: ['ana work 03-11T08'], delete: ['s1'] },
    ],
    [
      'an agent in the file without events on a day loses that day (agents_in_file)',
      { stored: [stored('s1', 'ben', 'work', DAY3, 8, 12)], agentsInFile: ['ben'] },
      { delete: ['s1'] },
    ],
    [
      'replaces every agent of the site (all_site_agents)',
      { replaceScope: 'all_site_agents', stored: [stored('s1', 'ana', 'work', DAY1, 8, 12), stored('s2', 'ben', 'work', DAY1, 8, 12)], incoming: [incoming('ana', 'work', DAY1, 8, 12)] },
      { unchanged: ['s1'], delete: ['s2'] },
    ],
    [
      'leaves days outside the window alone',
      { stored: [stored('s1', 'ana', 'work', '2025-03-13', 8, 12), stored('s2', 'ana', 'work', '2025-03-09', 8, 12)], incoming: [incoming('ana', 'work', DAY1, 8, 12)] },
      { create: ['ana work 03-10T08'] },
    ],
    [
      'collapses exact duplicate rows into one event',
      { incoming: [incoming('ana', 'work', DAY1, 8, 12), incoming('ana', 'work', DAY1, 8, 12), incoming('ana', 'lunch', DAY1, 8, 12)] },
      { create: ['ana work 03-10T08', 'ana lunch 03-10T08'] },
    ],
    [
      'compares instants, not their spelling',
      { stored: [stored('s1', 'ana', 'work', DAY1, 8, 12)], incoming: [{ line: 1, agentId: 'ana', eventTypeId: 'work', startAt: `${DAY1}T08:00:00Z`, endAt: `${DAY1}T12:00:00+00:00`, day: DAY1 }] },
      { unchanged: ['s1'] },
    ],
    [
      'past events are neither created nor deleted nor updated',
      {
        pastCutoff: at(DAY2, 0),
        stored: [stored('past', 'ana', 'work', DAY1, 8, 12), stored('past2', 'ana', 'work', DAY1, 13, 17), stored('future', 'ana', 'work', DAY2, 8, 12)],
        incoming: [incoming('ana', 'lunch', DAY1, 8, 12), incoming('ana', 'work', DAY1, 18, 20), incoming('ana', 'work', DAY3, 8, 12)],
      },
      { create: ['ana work 03-12T08'], delete: ['future'], skippedPast: 2 },
    ],
    [
      'the past cutoff applies within a day: the rest of today is synced',
      {
        pastCutoff: at(DAY1, 12),
        stored: [stored('morning', 'ana', 'work', DAY1, 8, 12), stored('afternoon', 'ana', 'work', DAY1, 13, 17)],
        incoming: [incoming('ana', 'work', DAY1, 9, 12), incoming('ana', 'work', DAY1, 14, 17)],
      },
      { create: ['ana work 03-10T14'], delete: ['afternoon'], skippedPast: 1 },
    ],
  ])('%s', (_, overrides, expected) => {
    expect(summary(planSnapshotSync(input(overrides)))).toEqual({ ...nothing, ...expected });
  });

  it('an older file processed late leaves the days of a newer file alone, but applies its other days', () => {
    const plan = planSnapshotSync(
      input({
        fileReceivedAt: '2025-03-09T06:00:00Z',
        dayVersions: new Map([
          [DAY1, '2025-03-08T06:00:00Z'],
          [DAY2, '2025-03-09T07:00:00Z'],
        ]),
        stored: [stored('s1', 'ana', 'work', DAY1, 8, 12), stored('s2', 'ana', 'work', DAY2, 8, 12)],
        incoming: [incoming('ana', 'lunch', DAY1, 12, 13), incoming('ana', 'lunch', DAY2, 12, 13), incoming('ana', 'lunch', DAY3, 12, 13)],
        pastCutoff: '2025-03-20T00:00:00Z', // superseded days are not even counted as past
      }),
    );
    expect(plan.appliedDays).toEqual([DAY1, DAY3]);
    expect(plan.supersededDays).toEqual([DAY2]);
    expect(summary(plan)).toEqual({ ...nothing, skippedPast: 2 });

    const future = planSnapshotSync(
      input({
        fileReceivedAt: '2025-03-09T06:00:00Z',
        dayVersions: new Map([[DAY2, '2025-03-09T07:00:00Z']]),
        stored: [stored('s1', 'ana', 'work', DAY1, 8, 12), stored('s2', 'ana', 'work', DAY2, 8, 12)],
        incoming: [incoming('ana', 'lunch', DAY1, 12, 13), incoming('ana', 'lunch', DAY2, 12, 13)],
      }),
    );
    expect(summary(future)).toEqual({ ...nothing, create: ['ana lunch 03-10T12'], delete: ['s1'] });
  });

  it('replaying the same file (equal receivedAt) is idempotent: only unchanged', () => {
    const first = input({
      stored: [stored('s1', 'ana', 'work', DAY1, 8, 12), stored('s2', 'ana', 'work', DAY2, 8, 12), stored('s3', 'ben', 'work', DAY2, 8, 12)],
      incoming: [incoming('ana', 'work', DAY1, 8, 12), incoming('ana', 'lunch', DAY2, 8, 12), incoming('ana', 'work', DAY3, 9, 17)],
    });
    const plan = planSnapshotSync(first);
    const after = applySnapshotPlan(first.stored, plan, (index) => `new${index}`);
    const dayVersions = new Map(plan.appliedDays.map((day) => [day, first.fileReceivedAt]));
    const replay = planSnapshotSync({ ...first, stored: after, dayVersions });
    expect(summary(replay)).toEqual({ ...nothing, unchanged: ['s1', 's2', 'new0'] });
    expect(replay.appliedDays).toEqual([DAY1, DAY2, DAY3]);
  });

  it('plans a million rows quickly (grouped with Maps, no quadratic matching)', () => {
    const agents = Array.from({ length: 2_000 }, (_, index) => `agent-${index}`);
    const days = ['2025-03-10', '2025-03-11', '2025-03-12', '2025-03-13', '2025-03-14'];
    const rows: IncomingEvent[] = [];
    const old: StoredEvent[] = [];
    for (const agentId of agents) {
      for (const day of days) {
        for (let hour = 0; hour < 100; hour += 1) {
          const startAt = `${day}T${String(Math.floor(hour / 5)).padStart(2, '0')}:${String((hour % 5) * 10).padStart(2, '0')}:00.000Z`;
          rows.push({ line: rows.length + 1, agentId, eventTypeId: 'work', startAt, endAt: startAt, day });
          if (hour % 2 === 0) old.push({ id: `s${old.length}`, agentId, eventTypeId: hour % 4 === 0 ? 'work' : 'lunch', startAt, endAt: startAt, day });
        }
      }
    }
    const started = performance.now();
    const plan = planSnapshotSync(input({ incoming: rows, stored: old, window: { from: days[0], to: days[4] } }));
    const elapsed = performance.now() - started;
    expect(plan.create.length + plan.update.length + plan.unchanged.length).toBe(1_000_000);
    expect(plan.update.length).toBe(250_000);
    expect(elapsed).toBeLessThan(8_000);
  }, 30_000);
});

describe('property: applying the plan yields the snapshot, and planning again changes nothing', () => {
  const days = ['2025-03-09', DAY1, DAY2, DAY3, '2025-03-13'];
  const someEvent = fc.record({
    agentId: fc.constantFrom('ana', 'ben', 'cho'),
    eventTypeId: fc.constantFrom('work', 'lunch'),
    day: fc.constantFrom(...days),
    from: fc.integer({ min: 0, max: 5 }),
    hours: fc.integer({ min: 1, max: 2 }),
  });
  const toEvent = (draft: { agentId: string; eventTypeId: string; day: string; from: number; hours: number }) => ({
    agentId: draft.agentId,
    eventTypeId: draft.eventTypeId,
    startAt: at(draft.day, draft.from * 4),
    endAt: at(draft.day, draft.from * 4 + draft.hours),
    day: draft.day,
  });
  const version = fc.option(fc.constantFrom('2025-03-01T00:00:00Z', '2025-03-09T06:00:00Z', '2025-03-20T00:00:00Z'));
  const someInput = fc
    .record({
      incoming: fc.array(someEvent, { maxLength: 25 }),
      stored: fc.array(someEvent, { maxLength: 25 }),
      window: fc.constantFrom([1, 3], [0, 4], [2, 2], [1, 2]),
      replaceScope: fc.constantFrom('agents_in_file' as const, 'all_site_agents' as const),
      extraAgents: fc.subarray(['ana', 'ben', 'cho']),
      versions: fc.array(version, { minLength: days.length, maxLength: days.length }),
      pastCutoff: fc.option(fc.constantFrom(at(DAY1, 10), at(DAY2, 0), at(DAY2, 13))),
    })
    .map(
      (drafts): SnapshotInput => ({
        incoming: drafts.incoming.map((draft, index) => ({ line: index + 1, ...toEvent(draft) })),
        stored: drafts.stored.map((draft, index) => ({ id: `s${index}`, ...toEvent(draft) })),
        window: { from: days[drafts.window[0]], to: days[drafts.window[1]] },
        replaceScope: drafts.replaceScope,
        agentsInFile: [...new Set([...drafts.incoming.map((draft) => draft.agentId), ...drafts.extraAgents])],
        fileReceivedAt: '2025-03-09T06:00:00Z',
        dayVersions: new Map(days.flatMap((day, index) => (drafts.versions[index] === null ? [] : [[day, drafts.versions[index] as string] as const]))),
        pastCutoff: drafts.pastCutoff,
      }),
    );

  const content = (event: Omit<StoredEvent, 'id'>) => `${event.agentId}|${event.eventTypeId}|${Date.parse(event.startAt)}|${Date.parse(event.endAt)}|${event.day}`;
  const sorted = (events: ReadonlyArray<Omit<StoredEvent, 'id'>>) => events.map(content).sort();

  /** The snapshot rule stated directly: which events a day and agent should hold afterwards. */
  function expectedSchedule(given: SnapshotInput): string[] {
    const window = days.slice(days.indexOf(given.window.from), days.indexOf(given.window.to) + 1);
    const owned = new Set(window.filter((day) => !(Date.parse(given.dayVersions.get(day) ?? '1970-01-01T00:00:00Z') > Date.parse(given.fileReceivedAt))));
    const inScope = (agentId: string) => given.replaceScope === 'all_site_agents' || given.agentsInFile.includes(agentId);
    const isPast = (event: Omit<StoredEvent, 'id'>) => given.pastCutoff !== null && Date.parse(event.startAt) < Date.parse(given.pastCutoff);
    const replaced = (event: Omit<StoredEvent, 'id'>) => owned.has(event.day) && inScope(event.agentId) && !isPast(event);
    const kept = given.stored.filter((event) => !replaced(event));
    const wanted = [...new Set(given.incoming.filter(replaced).map(content))];
    return [...sorted(kept), ...wanted].sort();
  }

  it('holds for random files and schedules', () => {
    fc.assert(
      fc.property(someInput, (given) => {
        const plan = planSnapshotSync(given);
        const after = applySnapshotPlan(given.stored, plan, (index) => `new${index}`);
        expect(sorted(after)).toEqual(expectedSchedule(given));

        const touchedIds = [...plan.unchanged.map((kept) => kept.id), ...plan.update.map((change) => change.id), ...plan.delete.map((event) => event.id)];
        expect(new Set(touchedIds).size).toBe(touchedIds.length); // each stored event is used once
        const storedIds = new Set(given.stored.map((event) => event.id));
        expect(touchedIds.every((id) => storedIds.has(id))).toBe(true);

        const dayVersions = new Map(given.dayVersions);
        for (const day of plan.appliedDays) dayVersions.set(day, given.fileReceivedAt);
        const again = planSnapshotSync({ ...given, stored: after, dayVersions });
        expect([again.create, again.update, again.delete]).toEqual([[], [], []]);
        expect(again.unchanged.length).toBe(plan.create.length + plan.update.length + plan.unchanged.length);
      }),
      { numRuns: 1_000 },
    );
  });
});
