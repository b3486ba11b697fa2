import fc from 'fast-check';
import { DateTime, IANAZone } from 'luxon';
import {
  DAY_MS,
  HOUR_MS,
  MINUTE_MS,
  daysBetween,
  endOfLocalDay,
  firstInstantAtOrAfter,
  instantsAtLocalTime,
  isValidTimeZone,
  localDay,
  readTimeZone,
} from './time-zone.util';

const local = (text: string) => Date.parse(`${text}Z`);
const iso = (instants: number[]) => instants.map((instant) => new Date(instant).toISOString());

describe('isValidTimeZone', () => {
  it.each([
    ['America/New_York', true],
    ['Europe/London', true],
    ['Asia/Kolkata', true],
    ['UTC', true],
    ['Mars/Olympus_Mons', false],
    ['', false],
    ['-05:00', false],
    ['+05:30', false],
    ['EST5EDTX', false],
    ['EST', false],
    ['IST', false],
    ['CST', false],
    ['US/Eastern', true],
  ])('%s -> %s', (zone, valid) => {
    expect(isValidTimeZone(zone)).toBe(valid);
  });
});

describe('readTimeZone (a row time zone cell)', () => {
  const at = Date.parse('2025-07-01T12:00:00Z');
  it.each([
    ['America/New_York', -240],
    ['-05:00', -300],
    ['+0530', 330],
    ['UTC-5', -300],
    ['UTC+05:30', 330],
    ['GMT+1', 60],
    ['utc', 0],
    ['Z', 0],
  ])('%s has offset %i minutes in July', (text, offset) => {
    expect(readTimeZone(text)?.offset(at)).toBe(offset);
  });

  it.each(['CST', 'UTC+15', 'Eastern', '5', 'America/Springfield'])('%s is no zone', (text) => {
    expect(readTimeZone(text)).toBeUndefined();
  });
});

describe('instantsAtLocalTime', () => {
  it.each([
    ['America/New_York', '2025-03-09T01:59:00', ['2025-03-09T06:59:00.000Z']],
    ['America/New_York', '2025-03-09T02:00:00', []],
    ['America/New_York', '2025-03-09T02:59:00', []],
    ['America/New_York', '2025-03-09T03:00:00', ['2025-03-09T07:00:00.000Z']],
    ['America/New_York', '2025-11-02T01:30:00', ['2025-11-02T05:30:00.000Z', '2025-11-02T06:30:00.000Z']],
    ['America/New_York', '2025-11-02T02:00:00', ['2025-11-02T07:00:00.000Z']],
    ['Europe/London', '2025-03-30T01:30:00', []],
    ['Europe/London', '2025-10-26T01:30:00', ['2025-10-26T00:30:00.000Z', '2025-10-26T01:30:00.000Z']],
    ['Australia/Sydney', '2025-10-05T02:30:00', []],
    ['Australia/Sydney', '2025-04-06T02:30:00', ['2025-04-05T15:30:00.000Z', '2025-04-05T16:30:00.000Z']],
    ['Asia/Kolkata', '2025-03-09T02:30:00', ['2025-03-08T21:00:00.000Z']],
    // Samoa skipped the whole of 30 December 2011.
    ['Pacific/Apia', '2011-12-30T12:00:00', []],
  ])('%s %s', (zone, wallClock, expected) => {
    expect(iso(instantsAtLocalTime(local(wallClock), IANAZone.create(zone)))).toEqual(expected);
  });

  const zones = ['America/New_York', 'Europe/London', 'Australia/Sydney', 'Asia/Kolkata', 'Pacific/Auckland', 'America/Santiago', 'Australia/Lord_Howe'];
  const someLocalTime = fc.record({
    zone: fc.constantFrom(...zones),
    // 2000..2035, at minute resolution, so transition minutes are hit now and then.
    localEpoch: fc.integer({ min: 0, max: 36 * 365 * 24 * 60 }).map((minutes) => Date.UTC(2000, 0, 1) + minutes * MINUTE_MS),
  });

  it('returns exactly the instants whose wall clock is the local time (checked with luxon)', () => {
    fc.assert(
      fc.property(someLocalTime, ({ zone, localEpoch }) => {
        const instants = instantsAtLocalTime(localEpoch, IANAZone.create(zone));
        for (const instant of instants) {
          const wall = DateTime.fromMillis(instant, { zone }).toISO({ includeOffset: false });
          expect(wall).toBe(new Date(localEpoch).toISOString().slice(0, 23));
        }
        // luxon shifts a nonexistent time forward: its wall clock then differs from the input.
        const luxon = DateTime.fromMillis(localEpoch, { zone: 'utc' }).setZone(zone, { keepLocalTime: true });
        const exists = luxon.toISO({ includeOffset: false }) === new Date(localEpoch).toISOString().slice(0, 23);
        expect(instants.length > 0).toBe(exists);
        expect(instants.length).toBeLessThanOrEqual(2);
      }),
      { numRuns: 2000 },
    );
  });

  /** Instants at which a zone's offset changes, found hour by hour, to aim properties at DST. */
  function transitionsOf(zone: string, fromYear: number, toYear: number): number[] {
    const ianaZone = IANAZone.create(zone);
    const transitions: number[] = [];
    for (let hour = Date.UTC(fromYear, 0, 1); hour < Date.UTC(toYear + 1, 0, 1); hour += HOUR_MS) {
      if (ianaZone.offset(hour) !== ianaZone.offset(hour + HOUR_MS)) transitions.push(hour + HOUR_MS);
    }
    return transitions;
  }
  const transitions = zones.flatMap((zone) => transitionsOf(zone, 2024, 2026).map((transition) => ({ zone, transition })));
  const nearTransitions = fc
    .tuple(fc.constantFrom(...transitions), fc.integer({ min: -180, max: 180 }))
    .map(([{ zone, transition }, minutes]) => ({ zone, instant: transition + minutes * MINUTE_MS }));

  it('around DST changes, every instant is among the instants of its own wall-clock time', () => {
    fc.assert(
      fc.property(nearTransitions, ({ zone, instant }) => {
        const ianaZone = IANAZone.create(zone);
        const instants = instantsAtLocalTime(instant + ianaZone.offset(instant) * MINUTE_MS, ianaZone);
        expect(instants).toContain(instant);
        if (instants.length === 2) {
          // A repeated time: the earlier instant has the larger (summer) offset, one DST shift apart.
          const [earlier, later] = instants;
          expect(ianaZone.offset(earlier)).toBeGreaterThan(ianaZone.offset(later));
          expect(later - earlier).toBe((ianaZone.offset(earlier) - ianaZone.offset(later)) * MINUTE_MS);
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('firstInstantAtOrAfter', () => {
  it.each([
    ['America/New_York', '2025-03-09T02:30:00', '2025-03-09T07:00:00.000Z'],
    ['America/New_York', '2025-11-02T01:30:00', '2025-11-02T05:30:00.000Z'],
    // Santiago springs forward at midnight: 7 September 2025 starts at 01:00.
    ['America/Santiago', '2025-09-07T00:00:00', '2025-09-07T04:00:00.000Z'],
  ])('%s %s', (zone, wallClock, expected) => {
    expect(new Date(firstInstantAtOrAfter(local(wallClock), IANAZone.create(zone))).toISOString()).toBe(expected);
  });
});

describe('localDay', () => {
  it.each([
    ['2025-11-03T04:30:00.000Z', 'America/New_York', '2025-11-02'],
    ['2025-11-03T05:30:00.000Z', 'America/New_York', '2025-11-03'],
    ['2025-11-02T19:00:00.000Z', 'Asia/Kolkata', '2025-11-03'],
    ['2025-10-25T23:00:00.000Z', 'Europe/London', '2025-10-26'],
    ['2025-04-05T13:00:00.000Z', 'Australia/Sydney', '2025-04-06'],
  ])('%s in %s is %s', (instant, zone, day) => {
    expect(localDay(instant, zone)).toBe(day);
  });

  it('refuses a zone that is not IANA', () => {
    expect(() => localDay('2025-11-03T04:30:00.000Z', 'Nowhere/City')).toThrow(RangeError);
  });
});

describe('endOfLocalDay', () => {
  it.each([
    ['2025-11-03T15:00:00.000Z', 'America/New_York', '2025-11-04T05:00:00.000Z'],
    // 23:30 in New York on 1 November: the next day (fall-back day) starts at 00:00 EDT.
    ['2025-11-02T03:30:00.000Z', 'America/New_York', '2025-11-02T04:00:00.000Z'],
    // On the fall-back day itself (25 hours long) the next day starts at 00:00 EST.
    ['2025-11-02T12:00:00.000Z', 'America/New_York', '2025-11-03T05:00:00.000Z'],
    ['2025-03-09T12:00:00.000Z', 'America/New_York', '2025-03-10T04:00:00.000Z'],
    ['2025-11-02T19:00:00.000Z', 'Asia/Kolkata', '2025-11-03T18:30:00.000Z'],
    // Sydney springs forward on 5 October: that day starts at +10:00, the next one at +11:00.
    ['2025-10-04T12:00:00.000Z', 'Australia/Sydney', '2025-10-04T14:00:00.000Z'],
    ['2025-10-04T15:00:00.000Z', 'Australia/Sydney', '2025-10-05T13:00:00.000Z'],
    // Santiago's 7 September 2025 has no midnight: it starts at 01:00 (-03:00).
    ['2025-09-06T15:00:00.000Z', 'America/Santiago', '2025-09-07T04:00:00.000Z'],
  ])('after %s in %s comes %s', (now, zone, expected) => {
    expect(endOfLocalDay(new Date(now), zone).toISOString()).toBe(expected);
  });

  it('is always after now, at most 25 hours later, and on a local midnight (or DST jump)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) }),
        fc.constantFrom('America/New_York', 'Europe/London', 'Australia/Sydney', 'Asia/Kolkata', 'Pacific/Chatham'),
        (now, zone) => {
          const end = endOfLocalDay(new Date(now), zone).getTime();
          expect(end).toBeGreaterThan(now);
          expect(end - now).toBeLessThanOrEqual(25 * HOUR_MS);
          const wall = DateTime.fromMillis(end, { zone });
          expect(wall.toFormat('HH:mm')).toBe('00:00');
          expect(DateTime.fromMillis(end - 1, { zone }).toISODate()).not.toBe(wall.toISODate());
        },
      ),
    );
  });
});

describe('daysBetween', () => {
  it.each([
    ['2025-11-01', '2025-11-03', ['2025-11-01', '2025-11-02', '2025-11-03']],
    ['2025-11-03', '2025-11-03', ['2025-11-03']],
    ['2025-11-04', '2025-11-03', []],
    ['2024-02-28', '2024-03-01', ['2024-02-28', '2024-02-29', '2024-03-01']],
    ['2025-12-31', '2026-01-01', ['2025-12-31', '2026-01-01']],
    // DST changes are no concern of calendar days.
    ['2025-03-08', '2025-03-10', ['2025-03-08', '2025-03-09', '2025-03-10']],
  ])('%s..%s', (from, to, days) => {
    expect(daysBetween(from, to)).toEqual(days);
  });

  it.each([
    ['2025-02-30', '2025-03-01'],
    ['2025-11-01', '11/03/2025'],
  ])('refuses %s..%s', (from, to) => {
    expect(() => daysBetween(from, to)).toThrow(RangeError);
  });

  it('lists to - from + 1 consecutive days', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 20_000 }), fc.integer({ min: 0, max: 400 }), (start, length) => {
        const from = new Date(Date.UTC(1990, 0, 1) + start * DAY_MS).toISOString().slice(0, 10);
        const to = new Date(Date.UTC(1990, 0, 1) + (start + length) * DAY_MS).toISOString().slice(0, 10);
        const days = daysBetween(from, to);
        expect(days).toHaveLength(length + 1);
        expect(days[0]).toBe(from);
        expect(days[days.length - 1]).toBe(to);
      }),
    );
  });
});
