import type { Platform } from '@bpo/contracts';
import { readScheduleFile } from './schedule-file.spec-helper';
import { DEFAULT_ROW_HORIZON, MAX_HORIZON_DAYS, type RowContext, type RowHorizon, type RowReading } from './schedule-row.util';

// The file of the measured incident: received 2026-11-25 (10:00 UTC, 05:00 in New York).
const RECEIVED = '2026-11-25T10:00:00.000Z';
const NEW_YORK = 'America/New_York';

const context = (horizon: Partial<RowHorizon> = {}, dateOrder: RowContext['dateOrder'] = 'YYYY-MM-DD', siteTimezone = NEW_YORK): RowContext => ({
  timezone: siteTimezone,
  siteTimezone,
  dateOrder,
  horizon: { receivedAt: RECEIVED, ...DEFAULT_ROW_HORIZON, ...horizon },
});

const custom = (start: string, end: string, rowContext: RowContext = context()): RowReading =>
  readScheduleFile('custom', `agent_id,start_time,end_time,activity\nA1,${start},${end},Phone`, rowContext)[0];

const codes = (reading: RowReading) => (reading.ok ? [] : reading.problems.map((problem) => [problem.code, problem.column]));

describe('readRow: the date horizon', () => {
  it('defaults to 120 days ahead and 45 back: enough for a 60-day publishing cadence, not for a mistyped year', () => {
    expect(DEFAULT_ROW_HORIZON).toEqual({ maxDaysAhead: 120, maxDaysBehind: 45 });
  });

  it.each([
    ['the day received', '2026-11-25T08:00', true],
    ['the last day ahead (2026-11-25 + 120)', '2027-03-25T23:00', true],
    ['the first day too far ahead (+121)', '2027-03-26T00:00', false],
    ['the last day back (-45)', '2026-10-11T00:00', true],
    ['the first day too far back (-46)', '2026-10-10T23:00', false],
    ['the measured 2099 row', '2099-11-27T09:00', false],
  ])('%s: %s', (_case, start, accepted) => {
    const end = start.replace(/T\d\d:\d\d$/, 'T23:59');
    const reading = custom(start, end);
    expect(reading.ok).toBe(accepted);
    if (!accepted) expect(codes(reading)).toEqual([['date_out_of_range', 'start_time']]);
  });

  it('explains the refusal with the row’s day, the received day and the limit', () => {
    const reading = custom('2099-11-27T09:00', '2099-11-27T17:00');
    expect(!reading.ok && reading.problems[0]).toEqual({
      line: 2,
      column: 'start_time',
      code: 'date_out_of_range',
      subject: 'A1',
      message: 'the row starts on 2099-11-27, 26665 days after the file was received (2026-11-25 in America/New_York); a date more than 120 days ahead is taken for a mistake',
    });
    const back = custom('2026-10-10T09:00', '2026-10-10T17:00');
    expect(!back.ok && back.problems[0].message).toContain('46 days before the file was received (2026-11-25 in America/New_York); a date more than 45 days back');
  });

  it('counts from the received day in the site’s zone, not in UTC', () => {
    // 03:00 UTC on the 26th is still the 25th in New York; in UTC it is the 26th.
    const lateEvening = { receivedAt: '2026-11-26T03:00:00Z' };
    expect(custom('2026-10-11T09:00', '2026-10-11T17:00', context(lateEvening)).ok).toBe(true);
    expect(codes(custom('2026-10-11T09:00Z', '2026-10-11T17:00Z', context(lateEvening, 'YYYY-MM-DD', 'UTC')))).toEqual([['date_out_of_range', 'start_time']]);
    // The row's day is its start's day in the site's zone too: 02:00 UTC on 2027-03-26 is the 25th in New York.
    expect(custom('2027-03-26T02:00:00Z', '2027-03-26T04:00:00Z').ok).toBe(true);
    expect(custom('2027-03-26T05:00:00Z', '2027-03-26T06:00:00Z').ok).toBe(false);
  });

  it('counts calendar days across the spring-forward night, where 24 real hours span two dates', () => {
    // Received 2026-03-07 23:30 EST (04:30 UTC on the 8th); the clocks skip 02:00-03:00 on the 8th.
    const spring = { receivedAt: '2026-03-08T04:30:00Z', maxDaysAhead: 1 };
    expect(custom('2026-03-08T23:30', '2026-03-08T23:45', context(spring)).ok).toBe(true);
    // Exactly 24 real hours after the file arrived, yet two calendar days ahead: refused.
    const twoDays = custom('2026-03-09T00:30', '2026-03-09T01:00', context(spring));
    expect(new Date(Date.parse('2026-03-09T04:30:00Z')).getTime() - Date.parse(spring.receivedAt)).toBe(24 * 3600_000);
    expect(codes(twoDays)).toEqual([['date_out_of_range', 'start_time']]);
  });

  it('counts calendar days across the fall-back night, where one date lasts 25 hours', () => {
    // Received 2026-11-01 00:30 EDT (04:30 UTC); 23:45 EST the same date is 24 h 15 min later.
    const fall = { receivedAt: '2026-11-01T04:30:00Z', maxDaysAhead: 0, maxDaysBehind: 0 };
    expect(custom('2026-11-01T23:45', '2026-11-01T23:59', context(fall)).ok).toBe(true);
    expect(custom('2026-11-02T00:00', '2026-11-02T01:00', context(fall)).ok).toBe(false);
    expect(custom('2026-10-31T23:59', '2026-11-01T00:10', context(fall)).ok).toBe(false);
  });

  it('with 0 and 0 accepts only the received day', () => {
    const sameDay = context({ maxDaysAhead: 0, maxDaysBehind: 0 });
    expect(custom('2026-11-25T00:00', '2026-11-25T01:00', sameDay).ok).toBe(true);
    expect(custom('2026-11-25T23:59', '2026-11-26T01:00', sameDay).ok).toBe(true);
    expect(custom('2026-11-26T00:00', '2026-11-26T01:00', sameDay).ok).toBe(false);
    expect(custom('2026-11-24T23:59', '2026-11-25T01:00', sameDay).ok).toBe(false);
  });

  it('judges a replay like the first run: the received time decides, not the clock', () => {
    const first = custom('2027-03-25T09:00', '2027-03-25T17:00');
    const replayedLater = custom('2027-03-25T09:00', '2027-03-25T17:00', context({ receivedAt: Date.parse(RECEIVED) }));
    expect(first).toEqual(replayedLater);
    expect(first.ok).toBe(true);
  });

  it('applies no horizon when the context has none (library callers that judge dates themselves)', () => {
    const reading = readScheduleFile('custom', 'agent_id,start_time,end_time,activity\nA1,2099-11-27T09:00,2099-11-27T17:00,Phone', { timezone: 'UTC', siteTimezone: 'UTC', dateOrder: 'YYYY-MM-DD' })[0];
    expect(reading.ok).toBe(true);
  });

  it.each([
    [{ maxDaysAhead: -1 }, 'maxDaysAhead'],
    [{ maxDaysBehind: -1 }, 'maxDaysBehind'],
    [{ maxDaysAhead: 1.5 }, 'maxDaysAhead'],
    [{ maxDaysAhead: Number.NaN }, 'maxDaysAhead'],
    [{ maxDaysBehind: MAX_HORIZON_DAYS + 1 }, 'maxDaysBehind'],
    [{ receivedAt: 'yesterday' }, 'receivedAt'],
  ])('refuses a horizon that guards nothing: %j', (horizon, name) => {
    expect(() => custom('2026-11-25T08:00', '2026-11-25T09:00', context(horizon as Partial<RowHorizon>))).toThrow(new RegExp(`horizon: ${name}`));
  });

  it('is checked once per horizon yet follows a change to it, and a wrong one fails every row', () => {
    const rowContext = context();
    const horizon = rowContext.horizon!;
    expect(custom('2027-03-25T08:00', '2027-03-25T09:00', rowContext).ok).toBe(true);
    horizon.receivedAt = '2026-11-24T10:00:00.000Z';
    expect(codes(custom('2027-03-25T08:00', '2027-03-25T09:00', rowContext))).toEqual([['date_out_of_range', 'start_time']]);
    horizon.maxDaysAhead = 121;
    expect(custom('2027-03-25T08:00', '2027-03-25T09:00', rowContext).ok).toBe(true);
    // Received on the 23rd in Pago Pago (UTC-11), the row starting on the 25th there is 122 days ahead.
    expect(codes(custom('2027-03-25T08:00', '2027-03-25T09:00', { ...rowContext, siteTimezone: 'Pacific/Pago_Pago' }))).toEqual([['date_out_of_range', 'start_time']]);
    horizon.maxDaysAhead = -1;
    for (let row = 0; row < 2; row += 1) expect(() => custom('2026-11-25T08:00', '2026-11-25T09:00', rowContext)).toThrow(/horizon: maxDaysAhead/);
  });

  it('accepts the largest horizon', () => {
    const wide = context({ maxDaysAhead: MAX_HORIZON_DAYS, maxDaysBehind: MAX_HORIZON_DAYS });
    expect(custom('2036-11-25T08:00', '2036-11-25T09:00', wide).ok).toBe(true);
    expect(custom('2016-11-25T08:00', '2016-11-25T09:00', wide).ok).toBe(true);
  });
});

/** Every other way one row could widen a file's window: each is refused before it can. */
describe('readRow: a single wrong row cannot widen the window', () => {
  const read = (platform: Platform, header: string, record: string, dateOrder: RowContext['dateOrder']) => readScheduleFile(platform, `${header}\n${record}`, context({}, dateOrder))[0];

  it.each([
    ['an end years after its start', 'custom', 'agent_id,start_time,end_time,activity', 'A1,2026-12-01T08:00,2099-12-01T09:00,Phone', 'YYYY-MM-DD', [['shift_too_long', 'end_time']]],
    ['a length of months', 'verint', 'Employee ID|Activity|Start|Duration', '7|Phone|12/01/2026 08:00|99999', 'MM/DD/YYYY', [['shift_too_long', 'Duration']]],
    ['a wrong year in a DD/MM file', 'injixo', 'Personnel number;Activity;Start;End', '7;Phone;01/12/2099 08:00;01/12/2099 16:00', 'DD/MM/YYYY', [['date_out_of_range', 'Start']]],
    ['a wrong year in a nominal date (Alvaria)', 'alvaria', 'Employee ID,Nominal Date,Segment Code,Start,Stop', 'E1,12/01/2099,OPEN,08:00,09:00', 'MM/DD/YYYY', [['date_out_of_range', 'Nominal Date']]],
    ['a wrong year in a segment date (IEX)', 'nice_iex', 'tvID|schedDate|excDate|excCode|startTime|stopTime', '1|12012026|12012099|OPEN|08:00|09:00', 'MMDDYYYY', [['date_out_of_range', 'excDate']]],
    ['a wrong year in a schedule date only (IEX)', 'nice_iex', 'tvID|schedDate|excDate|excCode|startTime|stopTime', '1|12012099|12012026|OPEN|08:00|09:00', 'MMDDYYYY', [['date_out_of_range', 'schedDate']]],
    ['a year long past', 'custom', 'agent_id,start_time,end_time,activity', 'A1,2016-12-01T08:00,2016-12-01T09:00,Phone', 'YYYY-MM-DD', [['date_out_of_range', 'start_time']]],
    ['a two-digit year', 'injixo', 'Personnel number;Activity;Start;End', '7;Phone;01/12/26 08:00;01/12/26 16:00', 'DD/MM/YYYY', [['invalid_date', 'Start'], ['invalid_date', 'End']]],
    ['a two-digit year in a nominal date', 'alvaria', 'Employee ID,Nominal Date,Segment Code,Start,Stop', 'E1,12/01/26,OPEN,08:00,09:00', 'MM/DD/YYYY', [['invalid_date', 'Nominal Date']]],
    ['a year written with two digits and zeros', 'custom', 'agent_id,start_time,end_time,activity', 'A1,0026-12-01T08:00,0026-12-01T09:00,Phone', 'YYYY-MM-DD', [['invalid_date', 'start_time'], ['invalid_date', 'end_time']]],
    ['an Excel serial date-time', 'custom', 'agent_id,start_time,end_time,activity', 'A1,46357.375,46357.5,Phone', 'YYYY-MM-DD', [['invalid_time', 'start_time'], ['invalid_time', 'end_time']]],
    ['an Excel serial nominal date', 'alvaria', 'Employee ID,Nominal Date,Segment Code,Start,Stop', 'E1,46357,OPEN,08:00,09:00', 'MM/DD/YYYY', [['invalid_date', 'Nominal Date']]],
    ['an Excel serial date before a time', 'verint', 'Employee ID|Activity|Start|End', '7|Phone|46357 08:00|46357 09:00', 'MM/DD/YYYY', [['invalid_date', 'Start'], ['invalid_date', 'End']]],
    ['February 30', 'custom', 'agent_id,start_time,end_time,activity', 'A1,2026-02-30T08:00,2026-02-30T09:00,Phone', 'YYYY-MM-DD', [['invalid_date', 'start_time'], ['invalid_date', 'end_time']]],
    ['February 30 in a DD/MM file', 'injixo', 'Personnel number;Activity;Start;End', '7;Phone;30/02/2027 08:00;30/02/2027 16:00', 'DD/MM/YYYY', [['invalid_date', 'Start'], ['invalid_date', 'End']]],
    ['day and month swapped past 12', 'verint', 'Employee ID|Activity|Start|End', '7|Phone|25/12/2026 08:00|25/12/2026 09:00', 'MM/DD/YYYY', [['invalid_date', 'Start'], ['invalid_date', 'End']]],
  ] as const)('%s', (_case, platform, header, record, dateOrder, expected) => {
    expect(codes(read(platform, header, record, dateOrder))).toEqual(expected);
  });
});
