import { addToDigest, agentDayKey, AgentDayRuns, AgentDaysSeen, DIGEST_MODULUS, DigestTable, hashText, rowHash, type DigestRow } from './agent-day-digest.util';

const at = (hhmm: string, day = '2026-12-10') => Date.parse(`${day}T${hhmm}:00Z`);
const row = (platformAgentId: string, day: string, activity: string, line = 0): DigestRow & { line: number } => ({ platformAgentId, day, activity, line });
const digestOf = (rows: Array<[string, number, number]>) => rows.reduce((digest, [activity, start, end]) => addToDigest(digest, rowHash(hashText(activity), start, end)), 0);

describe('agent-day digests', () => {
  it('are 52-bit whole numbers that do not depend on the order of the rows', () => {
    const rows: Array<[string, number, number]> = [
      ['Phones', at('08:00'), at('12:00')],
      ['Lunch', at('12:00'), at('13:00')],
      ['Phones', at('13:00'), at('17:00')],
    ];
    const digest = digestOf(rows);
    expect(Number.isInteger(digest)).toBe(true);
    expect(digest).toBeGreaterThanOrEqual(0);
    expect(digest).toBeLessThan(DIGEST_MODULUS);
    expect(digestOf([rows[2], rows[0], rows[1]])).toBe(digest);
  });

  it('change with any field of any row, and with a repeated row', () => {
    const base: Array<[string, number, number]> = [
      ['Phones', at('08:00'), at('12:00')],
      ['Lunch', at('12:00'), at('13:00')],
    ];
    const digest = digestOf(base);
    expect(digestOf([['Phones', at('08:15'), at('12:00')], base[1]])).not.toBe(digest);
    expect(digestOf([['Phones', at('08:00'), at('12:15')], base[1]])).not.toBe(digest);
    expect(digestOf([['Break', at('08:00'), at('12:00')], base[1]])).not.toBe(digest);
    expect(digestOf([...base, base[1]])).not.toBe(digest);
    // Swapping start and end between rows is another schedule.
    expect(digestOf([['Phones', at('08:00'), at('13:00')], ['Lunch', at('12:00'), at('12:00')]])).not.toBe(digest);
  });

  it('do not collide on many similar rows', () => {
    const seen = new Set<number>();
    for (let minute = 0; minute < 24 * 60 * 20; minute += 1) seen.add(rowHash(hashText('Phones'), minute * 60_000 + at('00:00'), minute * 60_000 + at('04:00')));
    expect(seen.size).toBe(24 * 60 * 20);
  });

  it('key agent-days by platform agent id and day', () => {
    expect(agentDayKey('E1', '2026-12-10')).toBe(agentDayKey('E1', '2026-12-10'));
    expect(agentDayKey('E1', '2026-12-10')).not.toBe(agentDayKey('E1', '2026-12-11'));
    expect(agentDayKey('E1', '2026-12-10')).not.toBe(agentDayKey('E12', '026-12-10'));
  });
});

describe('DigestTable', () => {
  it('finds every stored digest and nothing else, at full capacity', () => {
    const table = new DigestTable(50_000);
    for (let i = 0; i < 50_000; i += 1) table.set(agentDayKey(`E${i}`, '2026-12-10'), i);
    expect(table.size).toBe(50_000);
    let found = 0;
    for (let i = 0; i < 50_000; i += 1) if (table.get(agentDayKey(`E${i}`, '2026-12-10')) === i) found += 1;
    expect(found).toBe(50_000);
    expect(table.get(agentDayKey('E50000', '2026-12-10'))).toBe(-1);
    table.set(agentDayKey('E7', '2026-12-10'), 70);
    expect(table.get(agentDayKey('E7', '2026-12-10'))).toBe(70);
    expect(table.size).toBe(50_000);
  });

  it('grows past what it expected, keeping every digest', () => {
    const table = new DigestTable(4);
    for (let i = 0; i < 10_000; i += 1) table.set(agentDayKey(`E${i}`, '2026-12-10'), i);
    let found = 0;
    for (let i = 0; i < 10_000; i += 1) if (table.get(agentDayKey(`E${i}`, '2026-12-10')) === i) found += 1;
    expect([table.size, found]).toEqual([10_000, 10_000]);
  });
});

describe('AgentDayRuns', () => {
  const day = '2026-12-10';
  const shift: Array<[string, string, string]> = [
    ['Phones', '08:00', '12:00'],
    ['Lunch', '12:00', '13:00'],
  ];
  const storedFor = (entries: Array<[string, string, Array<[string, string, string]>]>) => {
    const table = new DigestTable(entries.length);
    for (const [agent, onDay, rows] of entries) table.set(agentDayKey(agent, onDay), digestOf(rows.map(([activity, start, end]) => [activity, at(start, onDay), at(end, onDay)])));
    return table;
  };
  const feed = (runs: AgentDayRuns<DigestRow & { line: number }>, rows: Array<[string, string, string, string, string]>) => {
    const closed = [];
    let line = 1;
    for (const [agent, onDay, activity, start, end] of rows) {
      const run = runs.push(row(agent, onDay, activity, line++), at(start, onDay), at(end, onDay));
      if (run) closed.push(run);
    }
    const last = runs.finish();
    if (last) closed.push(last);
    return closed.map((run) => ({ agent: run.platformAgentId, day: run.day, lines: run.rows.map((r) => r.line), unchanged: run.unchanged }));
  };

  it('closes a run when the agent or the day changes, keeping file order', () => {
    const runs = new AgentDayRuns<DigestRow & { line: number }>({ stored: null, firstSkippableDay: '2000-01-01' });
    expect(
      feed(runs, [
        ['E1', day, 'Phones', '08:00', '12:00'],
        ['E1', day, 'Lunch', '12:00', '13:00'],
        ['E1', '2026-12-11', 'Phones', '08:00', '12:00'],
        ['E2', '2026-12-11', 'Phones', '08:00', '12:00'],
        ['E1', day, 'Break', '15:00', '15:15'],
      ]),
    ).toEqual([
      { agent: 'E1', day, lines: [1, 2], unchanged: false },
      { agent: 'E1', day: '2026-12-11', lines: [3], unchanged: false },
      { agent: 'E2', day: '2026-12-11', lines: [4], unchanged: false },
      { agent: 'E1', day, lines: [5], unchanged: false },
    ]);
    // E1's first day came back after other agent-days: one repeated agent-day.
    expect(runs.repeatedAgentDays).toBe(1);
  });

  it('counts repeated agent-days whether something is stored for them or not', () => {
    const runs = new AgentDayRuns<DigestRow & { line: number }>({ stored: storedFor([['E1', day, shift]]), firstSkippableDay: day });
    feed(runs, [
      ['E1', day, 'Phones', '08:00', '12:00'],
      ['E2', day, 'Phones', '08:00', '12:00'],
      ['E1', day, 'Lunch', '12:00', '13:00'],
      ['E2', day, 'Lunch', '12:00', '13:00'],
      ['E3', day, 'Phones', '08:00', '12:00'],
    ]);
    // E1 (stored) and E2 (not) came back; E3 did not.
    expect(runs.repeatedAgentDays).toBe(2);
  });

  it('counts no repeated agent-day when each comes in one run, in any order of agents and days', () => {
    const runs = new AgentDayRuns<DigestRow & { line: number }>({ stored: null, firstSkippableDay: '2000-01-01' });
    const rows: Array<[string, string, string, string, string]> = [];
    for (const onDay of ['2026-12-11', day, '2026-12-12']) for (const agent of ['E3', 'E1', 'E2']) rows.push([agent, onDay, 'Phones', '08:00', '12:00'], [agent, onDay, 'Lunch', '12:00', '13:00']);
    expect(feed(runs, rows)).toHaveLength(9);
    expect(runs.repeatedAgentDays).toBe(0);
  });

  it('marks a run unchanged only when its digest is the stored one, in any row order', () => {
    const stored = storedFor([
      ['E1', day, shift],
      ['E2', day, shift],
    ]);
    const runs = new AgentDayRuns<DigestRow & { line: number }>({ stored, firstSkippableDay: day });
    expect(
      feed(runs, [
        ['E1', day, 'Lunch', '12:00', '13:00'],
        ['E1', day, 'Phones', '08:00', '12:00'],
        ['E2', day, 'Phones', '08:15', '12:00'],
        ['E2', day, 'Lunch', '12:00', '13:00'],
        ['E3', day, 'Phones', '08:00', '12:00'],
        ['E3', day, 'Lunch', '12:00', '13:00'],
      ]).map((run) => run.unchanged),
    ).toEqual([true, false, false]);
  });

  it('never marks unchanged a day before the first skippable one, or anything without stored digests', () => {
    const stored = storedFor([['E1', day, shift]]);
    const rows: Array<[string, string, string, string, string]> = [
      ['E1', day, 'Phones', '08:00', '12:00'],
      ['E1', day, 'Lunch', '12:00', '13:00'],
    ];
    expect(feed(new AgentDayRuns({ stored, firstSkippableDay: '2026-12-11' }), rows)[0].unchanged).toBe(false);
    expect(feed(new AgentDayRuns({ stored: null, firstSkippableDay: '2000-01-01' }), rows)[0].unchanged).toBe(false);
    expect(feed(new AgentDayRuns({ stored, firstSkippableDay: day }), rows)[0].unchanged).toBe(true);
  });

  it('bounds a run, and never leaves out a run closed at the bound', () => {
    const many: Array<[string, string, Array<[string, string, string]>]> = [['E1', day, [['Phones', '08:00', '09:00'], ['Phones', '09:00', '10:00'], ['Phones', '10:00', '11:00']]]];
    const runs = new AgentDayRuns<DigestRow & { line: number }>({ stored: storedFor(many), firstSkippableDay: day, maxRunRows: 2 });
    expect(
      feed(runs, [
        ['E1', day, 'Phones', '08:00', '09:00'],
        ['E1', day, 'Phones', '09:00', '10:00'],
        ['E1', day, 'Phones', '10:00', '11:00'],
      ]),
    ).toEqual([
      { agent: 'E1', day, lines: [1, 2], unchanged: false },
      { agent: 'E1', day, lines: [3], unchanged: false },
    ]);
    // The run cut at the bound and its rest are two entries of one agent-day.
    expect(runs.repeatedAgentDays).toBe(1);
  });
});

describe('AgentDaysSeen', () => {
  it('tells a key seen before from a new one, past many growths', () => {
    const seen = new AgentDaysSeen();
    const keys = Array.from({ length: 50_000 }, (_, i) => agentDayKey(`E${i % 5_000}`, `2026-12-${String(10 + Math.floor(i / 5_000)).padStart(2, '0')}`));
    expect(keys.map((key) => seen.add(key)).filter(Boolean)).toEqual([]);
    expect(seen.size).toBe(50_000);
    expect(keys.every((key) => seen.add(key))).toBe(true);
    expect(seen.add(agentDayKey('E5000', '2026-12-10'))).toBe(false);
    expect(seen.size).toBe(50_001);
  });
});
