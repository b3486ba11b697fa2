import { validateEnv } from '@bpo/service-kit';
import { file, parse } from './parser-test.fixtures';
import { ParserConfig } from './parser.config';

// The measured incident: a 14-day file (received 2026-11-25) holding one mistyped row dated 2099.
describe('ParserService: rows outside the date horizon', () => {
  const days = Array.from({ length: 14 }, (_, index) => new Date(Date.UTC(2026, 11, 1 + index)).toISOString().slice(0, 10));
  const lines = ['agent_id,start_time,end_time,activity'];
  for (const day of days) lines.push(`A1,${day}T09:00:00,${day}T17:00:00,Phones`, `A2,${day}T22:00:00,${day}T23:30:00,Chat`);
  const badLine = 10; // a row in the middle of the file, as the incident's was
  lines.splice(badLine - 1, 0, 'A1,2099-12-07T09:00:00,2099-12-07T17:00:00,Phones');

  it('refuses the 2099 row with its line and column, and the window stays the 14 days', async () => {
    const { rows, errors, end } = await parse(lines.join('\n'));
    expect(rows).toHaveLength(28);
    expect(new Set(rows.map((row) => row.day))).toEqual(new Set(days));
    expect(errors).toEqual([
      {
        line: badLine,
        column: 'start_time',
        code: 'date_out_of_range',
        subject: 'A1',
        message: 'the row starts on 2099-12-07, 26675 days after the file was received (2026-11-25 in America/New_York); a date more than 120 days ahead is taken for a mistake',
      },
    ]);
    expect(end).toMatchObject({ rowCount: 29, rowErrorCount: 1, window: { from: '2026-12-01', to: '2026-12-14' } });
  });

  it('counts from the file’s received time, not the clock, so a replay months later reads the file alike', async () => {
    expect(file.receivedAt).toBe('2026-11-25T10:00:00.000Z');
    const first = await parse(lines.join('\n'));
    // Replayed half a year later: by the clock, December 2026 is then more than 45 days back.
    jest.useFakeTimers({ now: new Date('2027-06-01T12:00:00Z'), doNotFake: ['nextTick', 'setImmediate', 'clearImmediate', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'queueMicrotask'] });
    try {
      expect(new Date().toISOString()).toBe('2027-06-01T12:00:00.000Z');
      const again = await parse(lines.join('\n'));
      expect(again.rows).toEqual(first.rows);
      expect(again.errors).toEqual(first.errors);
      expect(again.end.window).toEqual({ from: '2026-12-01', to: '2026-12-14' });
    } finally {
      jest.useRealTimers();
    }
  });

  it('takes the deployment’s limits', async () => {
    const narrow = await parse(lines.join('\n'), { rowHorizon: { maxDaysAhead: 10, maxDaysBehind: 0 } });
    // 2026-11-25 + 10 = 2026-12-05: the days after it are refused too, and the window ends there.
    expect(narrow.end.window).toEqual({ from: '2026-12-01', to: '2026-12-05' });
    expect(narrow.errors.filter((error) => error.code === 'date_out_of_range')).toHaveLength(1 + 9 * 2);
  });

  it('a file of only out-of-range rows has no window, so it replaces nothing', async () => {
    const { rows, end } = await parse('agent_id,start_time,end_time,activity\nA1,2099-12-07T09:00:00,2099-12-07T17:00:00,Phones\nA1,2019-12-07T09:00:00,2019-12-07T17:00:00,Phones\n');
    expect(rows).toEqual([]);
    expect(end).toMatchObject({ rowCount: 2, rowErrorCount: 2 });
    expect(end.window).toBeUndefined();
  });
});

describe('ParserConfig: ROW_MAX_DAYS_AHEAD and ROW_MAX_DAYS_BEHIND', () => {
  const env = { KAFKA_BROKERS: '127.0.0.1:9092', DATABASE_URL: 'postgres://x@127.0.0.1/db' };

  it('defaults to 120 days ahead and 45 back', () => {
    expect(validateEnv(ParserConfig, env)).toMatchObject({ ROW_MAX_DAYS_AHEAD: 120, ROW_MAX_DAYS_BEHIND: 45 });
  });

  it('reads the limits', () => {
    expect(validateEnv(ParserConfig, { ...env, ROW_MAX_DAYS_AHEAD: '90', ROW_MAX_DAYS_BEHIND: '0' })).toMatchObject({ ROW_MAX_DAYS_AHEAD: 90, ROW_MAX_DAYS_BEHIND: 0 });
    expect(validateEnv(ParserConfig, { ...env, ROW_MAX_DAYS_AHEAD: '3660', ROW_MAX_DAYS_BEHIND: '3660' })).toMatchObject({ ROW_MAX_DAYS_AHEAD: 3660 });
  });

  it.each([
    [{ ROW_MAX_DAYS_AHEAD: '0' }, 'ROW_MAX_DAYS_AHEAD'],
    [{ ROW_MAX_DAYS_AHEAD: '3661' }, 'ROW_MAX_DAYS_AHEAD'],
    [{ ROW_MAX_DAYS_AHEAD: 'soon' }, 'ROW_MAX_DAYS_AHEAD'],
    [{ ROW_MAX_DAYS_BEHIND: '-1' }, 'ROW_MAX_DAYS_BEHIND'],
    [{ ROW_MAX_DAYS_BEHIND: '4.5' }, 'ROW_MAX_DAYS_BEHIND'],
  ])('refuses %j', (bad, name) => {
    expect(() => validateEnv(ParserConfig, { ...env, ...bad })).toThrow(new RegExp(`invalid configuration: ${name}: `));
  });
});
