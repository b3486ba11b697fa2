import fc from 'fast-check';
import { parseClock, parseDate, parseDurationMs, parseMoment, readMoment, type MomentReading } from './date-time-text.util';
import type { DateOrder } from './platform-template.constant';

const day = (text: string) => Date.parse(`${text}T00:00:00Z`);
const local = (text: string): MomentReading => ({ ok: true, moment: { kind: 'local', localEpoch: Date.parse(`${text}Z`) } });
const instant = (text: string): MomentReading => ({ ok: true, moment: { kind: 'instant', instant: Date.parse(text) } });
const clock = (hours: number, minutes = 0, seconds = 0): MomentReading => ({
  ok: true,
  moment: { kind: 'clock', clockMs: ((hours * 60 + minutes) * 60 + seconds) * 1000 },
});

describe('parseDate', () => {
  it.each<[string, DateOrder, string | undefined]>([
    ['11/03/2025', 'MM/DD/YYYY', '2025-11-03'],
    ['1/3/2025', 'MM/DD/YYYY', '2025-01-03'],
    ['11-03-2025', 'MM/DD/YYYY', '2025-11-03'],
    ['11032025', 'MM/DD/YYYY', '2025-11-03'],
    ['03/11/2025', 'DD/MM/YYYY', '2025-11-03'],
    ['03.11.2025', 'DD/MM/YYYY', '2025-11-03'],
    ['03112025', 'DD/MM/YYYY', '2025-11-03'],
    ['2025-11-03', 'YYYY-MM-DD', '2025-11-03'],
    ['20251103', 'YYYY-MM-DD', '2025-11-03'],
    ['20251103', 'YYYYMMDD', '2025-11-03'],
    ['11032025', 'MMDDYYYY', '2025-11-03'],
    ['11/03/2025', 'MMDDYYYY', '2025-11-03'],
    // ISO dates are read whatever the order: a four-digit year first cannot be misread.
    ['2025-11-03', 'MM/DD/YYYY', '2025-11-03'],
    ['2025-11-03', 'DD/MM/YYYY', '2025-11-03'],
    ['2025-11-03', 'MMDDYYYY', '2025-11-03'],
    ['2024-02-29', 'YYYY-MM-DD', '2024-02-29'],
    // Wrong or impossible dates.
    ['11/03/2025', 'YYYY-MM-DD', undefined],
    ['11/03/2025', 'YYYYMMDD', undefined],
    ['20251103', 'MMDDYYYY', undefined],
    ['13/03/2025', 'MM/DD/YYYY', undefined],
    ['02/30/2025', 'MM/DD/YYYY', undefined],
    ['2025-02-29', 'YYYY-MM-DD', undefined],
    ['11/03/25', 'MM/DD/YYYY', undefined],
    ['11/03-2025', 'MM/DD/YYYY', undefined],
    ['1825-11-03', 'YYYY-MM-DD', undefined],
    ['', 'YYYY-MM-DD', undefined],
    ['tomorrow', 'YYYY-MM-DD', undefined],
  ])('%s as %s -> %s', (text, order, expected) => {
    expect(parseDate(text, order)).toBe(expected === undefined ? undefined : day(expected));
  });
});

describe('parseClock', () => {
  it.each<[string, string | undefined]>([
    ['08:00', '08:00:00.000'],
    ['8:00', '08:00:00.000'],
    ['23:59:59', '23:59:59.000'],
    ['07:30:15.25', '07:30:15.250'],
    ['00:00', '00:00:00.000'],
    ['24:00', '24:00'],
    ['8:00 AM', '08:00:00.000'],
    ['8:00am', '08:00:00.000'],
    ['12:30 pm', '12:30:00.000'],
    ['12:00 AM', '00:00:00.000'],
    ['12:00 PM', '12:00:00.000'],
    ['11:59:30 P.M.', '23:59:30.000'],
    ['9 PM', '21:00:00.000'],
    ['24:30', undefined],
    ['25:00', undefined],
    ['08:60', undefined],
    ['13:00 PM', undefined],
    ['0:30 AM', undefined],
    ['0800', undefined],
    ['2025', undefined],
    ['noon', undefined],
  ])('%s -> %s', (text, expected) => {
    const ms = parseClock(text);
    if (expected === undefined) expect(ms).toBeUndefined();
    else if (expected === '24:00') expect(ms).toBe(86_400_000);
    else expect(new Date(ms ?? NaN).toISOString().slice(11, 23)).toBe(expected);
  });
});

describe('parseMoment', () => {
  it.each<[string, DateOrder, MomentReading | string]>([
    ['2025-11-03T08:00:00', 'YYYY-MM-DD', local('2025-11-03T08:00:00')],
    ['2025-11-03T08:00', 'MM/DD/YYYY', local('2025-11-03T08:00:00')],
    ['2025-11-03 08:00', 'DD/MM/YYYY', local('2025-11-03T08:00:00')],
    ['20251103T083015', 'MMDDYYYY', local('2025-11-03T08:30:15')],
    ['2025-11-03T08:00:00Z', 'YYYY-MM-DD', instant('2025-11-03T08:00:00Z')],
    ['2025-11-03T08:00:00.500z', 'YYYY-MM-DD', instant('2025-11-03T08:00:00.500Z')],
    ['2025-11-03T08:00:00-05:00', 'YYYY-MM-DD', instant('2025-11-03T13:00:00Z')],
    ['2025-11-03T08:00:00+0530', 'YYYY-MM-DD', instant('2025-11-03T02:30:00Z')],
    ['2025-11-03 08:00:00 +01:00', 'YYYY-MM-DD', instant('2025-11-03T07:00:00Z')],
    ['2025-11-03 08:00 UTC', 'YYYY-MM-DD', instant('2025-11-03T08:00:00Z')],
    ['11/03/2025 08:00', 'MM/DD/YYYY', local('2025-11-03T08:00:00')],
    ['11/03/2025 8:00 PM', 'MM/DD/YYYY', local('2025-11-03T20:00:00')],
    ['11/03/2025  8:00:30 pm', 'MM/DD/YYYY', local('2025-11-03T20:00:30')],
    ['11/03/2025 8:00 AM -05:00', 'MM/DD/YYYY', instant('2025-11-03T13:00:00Z')],
    ['03/11/2025 22:15', 'DD/MM/YYYY', local('2025-11-03T22:15:00')],
    ['11032025 06:00', 'MMDDYYYY', local('2025-11-03T06:00:00')],
    ['20251103 06:00', 'YYYYMMDD', local('2025-11-03T06:00:00')],
    ['11/03/2025 24:00', 'MM/DD/YYYY', local('2025-11-04T00:00:00')],
    ['08:00', 'MM/DD/YYYY', clock(8)],
    ['8:00 AM', 'MM/DD/YYYY', clock(8)],
    ['10:30:15 pm', 'MM/DD/YYYY', clock(22, 30, 15)],
  ])('%s (%s)', (text, order, expected) => {
    expect(parseMoment(text, order)).toEqual(expected);
  });

  it.each<[string, DateOrder, 'invalid_date' | 'invalid_time']>([
    ['11/03/2025 08:00', 'YYYY-MM-DD', 'invalid_date'],
    ['13/03/2025 08:00', 'MM/DD/YYYY', 'invalid_date'],
    ['2025-13-03T08:00', 'MM/DD/YYYY', 'invalid_date'],
    ['11/03/2025 25:00', 'MM/DD/YYYY', 'invalid_time'],
    ['11/03/2025', 'MM/DD/YYYY', 'invalid_time'],
    ['2025-11-03T08:00+19:00', 'YYYY-MM-DD', 'invalid_time'],
    ['11/03/2025 08:00 EST', 'MM/DD/YYYY', 'invalid_time'],
    ['soon', 'MM/DD/YYYY', 'invalid_time'],
  ])('%s (%s) is %s, quoted in the message', (text, order, code) => {
    expect(parseMoment(text, order)).toEqual({ ok: false, code, message: expect.stringContaining(`'${text.split(' ')[0]}`) });
  });
});

describe('parseMoment: the fixed ISO path reads as the general reading does', () => {
  const orders: DateOrder[] = ['YYYY-MM-DD', 'MM/DD/YYYY', 'DD/MM/YYYY', 'MMDDYYYY', 'YYYYMMDD'];
  const same = (text: string) => {
    for (const order of orders) expect(parseMoment(text, order)).toEqual(readMoment(text.trim(), order));
  };

  it.each([
    '2026-12-02T06:30:00',
    '2026-12-02T06:30',
    '2026-12-02t06:30:00',
    '2026-12-02T06:30:00Z',
    '2026-12-02T06:30z',
    '2026-12-02T24:00',
    '2026-12-02T24:00:00',
    '2026-12-02T24:00:01',
    '2026-12-02T24:01',
    '2026-12-02T23:59:59',
    '2026-12-02T00:00:00',
    '2026-12-02T06:60',
    '2026-12-02T06:30:60',
    '2026-12-02T25:00',
    '2026-02-30T08:00',
    '2024-02-29T08:00',
    '2025-02-29T08:00',
    '1900-02-29T08:00',
    '2000-02-29T08:00',
    '1899-12-31T08:00',
    '2026-00-10T08:00',
    '2026-13-10T08:00',
    '2026-12-00T08:00',
    '2026-12-32T08:00',
    '2026-12-02T06:30:00+01:00',
    '2026-12-02T06:30:00-0500',
    '2026-12-02T06:30:00 UTC',
    '2026-12-02T06:30:00.250',
    '2026-12-02 06:30:00',
    '2026/12/02T06:30:00',
    '2026-12-02T6:30:00',
    '2026-12-02T06:3a',
    '2026-12-02T0630',
    '  2026-12-02T06:30:00 ',
    '2026-03-08T02:30',
    '2026-11-01T01:30',
    '２０２６-12-02T06:30',
    'Z',
    '',
  ])('%s', (text) => same(text));

  it('agrees on any text of the fixed shape, digits or not', () => {
    const char = fc.constantFrom('0', '1', '2', '3', '4', '5', '9', 'a', ' ', '-', ':', 'T', 'Z');
    const digit = fc.integer({ min: 0, max: 9 }).map(String);
    const field = (n: number) => fc.array(fc.oneof({ arbitrary: digit, weight: 9 }, { arbitrary: char, weight: 1 }), { minLength: n, maxLength: n }).map((c) => c.join(''));
    const shaped = fc
      .tuple(field(4), field(2), field(2), field(2), field(2), fc.option(field(2)), fc.constantFrom('', 'Z', 'z', '+01:00', 'x'))
      .map(([y, mo, d, h, mi, s, suffix]) => `${y}-${mo}-${d}T${h}:${mi}${s === null ? '' : `:${s}`}${suffix}`);
    fc.assert(fc.property(shaped, (text) => same(text)), { numRuns: 1000 });
  });
});

describe('parseDate: month lengths', () => {
  it('accepts exactly the days Date.UTC keeps in their month, leap years included', () => {
    for (const year of [1900, 1904, 1999, 2000, 2024, 2025, 2100, 2400, 9999]) {
      for (let month = 1; month <= 12; month += 1) {
        for (let dayOfMonth = 1; dayOfMonth <= 32; dayOfMonth += 1) {
          const text = `${year}-${String(month).padStart(2, '0')}-${String(dayOfMonth).padStart(2, '0')}`;
          const epoch = Date.UTC(year, month - 1, dayOfMonth);
          expect(parseDate(text, 'YYYY-MM-DD')).toBe(new Date(epoch).getUTCDate() === dayOfMonth ? epoch : undefined);
        }
      }
    }
  });
});

describe('parseDurationMs', () => {
  it.each<[string, number | undefined]>([
    ['480', 480],
    ['7.5', 7.5],
    ['7,5', 7.5],
    ['8:30', 510],
    ['0', 0],
    ['-30', undefined],
    ['8h', undefined],
    ['', undefined],
  ])('%s -> %s minutes', (text, minutes) => {
    expect(parseDurationMs(text)).toBe(minutes === undefined ? undefined : minutes * 60_000);
  });
});
