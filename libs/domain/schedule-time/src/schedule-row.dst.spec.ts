import type { RowErrorCode } from '@bpo/contracts';
import { isoRow, readScheduleFile } from './schedule-file.spec-helper';
import type { RowReading } from './schedule-row.util';

/**
 * DST rules, through the public readRow: each local time is converted on its own; a time in the
 * spring-forward gap is an error; a repeated time takes the earlier offset unless it is an end
 * that would then not be after its start.
 */

/** A custom-platform row: start and end are full local date-times. */
function dateTimes(zone: string, start: string, end: string): RowReading {
  const file = `agent_id,start_time,end_time,activity\nA1,${start},${end},Phone`;
  return readScheduleFile('custom', file, { timezone: zone, siteTimezone: zone, dateOrder: 'YYYY-MM-DD' })[0];
}

/** An IEX row: times on the schedule date, the stop on the next day when not after the start. */
function clocks(zone: string, date: string, start: string, stop: string): RowReading {
  const file = `tvID|schedDate|excCode|startTime|stopTime\n1|${date}|OPEN|${start}|${stop}`;
  return readScheduleFile('nice_iex', file, { timezone: zone, siteTimezone: zone, dateOrder: 'MMDDYYYY' })[0];
}

type Expected = { startAt: string; endAt: string; hours: number; day?: string } | { code: RowErrorCode; column: string };

const cases: Array<[string, string, () => RowReading, Expected]> = [
  // America/New_York: spring forward 2025-03-09 02:00 -> 03:00, fall back 2025-11-02 02:00 -> 01:00.
  ['America/New_York', '00:00-08:00 on the spring-forward day lasts 7 hours', () => dateTimes('America/New_York', '2025-03-09T00:00', '2025-03-09T08:00'), { startAt: '2025-03-09T05:00:00.000Z', endAt: '2025-03-09T12:00:00.000Z', hours: 7, day: '2025-03-09' }],
  ['America/New_York', '00:00-08:00 on the fall-back day lasts 9 hours', () => dateTimes('America/New_York', '2025-11-02T00:00', '2025-11-02T08:00'), { startAt: '2025-11-02T04:00:00.000Z', endAt: '2025-11-02T13:00:00.000Z', hours: 9, day: '2025-11-02' }],
  ['America/New_York', 'the same with times on the schedule date', () => clocks('America/New_York', '03092025', '00:00', '08:00'), { startAt: '2025-03-09T05:00:00.000Z', endAt: '2025-03-09T12:00:00.000Z', hours: 7 }],
  ['America/New_York', 'overnight 22:00-06:00 into spring forward lasts 7 hours', () => clocks('America/New_York', '03082025', '22:00', '06:00'), { startAt: '2025-03-09T03:00:00.000Z', endAt: '2025-03-09T10:00:00.000Z', hours: 7, day: '2025-03-08' }],
  ['America/New_York', 'overnight 22:00-06:00 into fall back lasts 9 hours', () => clocks('America/New_York', '11012025', '22:00', '06:00'), { startAt: '2025-11-02T02:00:00.000Z', endAt: '2025-11-02T11:00:00.000Z', hours: 9, day: '2025-11-01' }],
  ['America/New_York', 'a start in the gap does not exist', () => dateTimes('America/New_York', '2025-03-09T02:30', '2025-03-09T08:00'), { code: 'nonexistent_local_time', column: 'start_time' }],
  ['America/New_York', 'an end in the gap does not exist', () => dateTimes('America/New_York', '2025-03-09T01:00', '2025-03-09T02:00'), { code: 'nonexistent_local_time', column: 'end_time' }],
  ['America/New_York', 'a stop time in the gap does not exist', () => clocks('America/New_York', '03092025', '1:00 AM', '2:59 AM'), { code: 'nonexistent_local_time', column: 'stopTime' }],
  ['America/New_York', 'a repeated start takes the earlier offset (EDT)', () => dateTimes('America/New_York', '2025-11-02T01:30', '2025-11-02T03:00'), { startAt: '2025-11-02T05:30:00.000Z', endAt: '2025-11-02T08:00:00.000Z', hours: 2.5 }],
  ['America/New_York', 'a repeated start and end in order both take the earlier offset', () => dateTimes('America/New_York', '2025-11-02T01:10', '2025-11-02T01:50'), { startAt: '2025-11-02T05:10:00.000Z', endAt: '2025-11-02T05:50:00.000Z', hours: 2 / 3 }],
  ['America/New_York', 'a repeated end after a plain start takes the earlier offset', () => dateTimes('America/New_York', '2025-11-02T00:30', '2025-11-02T01:30'), { startAt: '2025-11-02T04:30:00.000Z', endAt: '2025-11-02T05:30:00.000Z', hours: 1 }],
  ['America/New_York', 'a repeated end before its start takes the later offset (EST)', () => dateTimes('America/New_York', '2025-11-02T01:30', '2025-11-02T01:15'), { startAt: '2025-11-02T05:30:00.000Z', endAt: '2025-11-02T06:15:00.000Z', hours: 0.75 }],
  ['America/New_York', 'a repeated end equal to its start takes the later offset', () => dateTimes('America/New_York', '2025-11-02T01:30', '2025-11-02T01:30'), { startAt: '2025-11-02T05:30:00.000Z', endAt: '2025-11-02T06:30:00.000Z', hours: 1 }],
  ['America/New_York', 'times alone: a stop before the start is overnight first, so 01:30-01:15 is too long', () => clocks('America/New_York', '11022025', '01:30', '01:15'), { code: 'shift_too_long', column: 'stopTime' }],
  ['America/New_York', 'a date-time end given with its offset is taken as given', () => dateTimes('America/New_York', '2025-11-02T01:30', '2025-11-02T01:15-05:00'), { startAt: '2025-11-02T05:30:00.000Z', endAt: '2025-11-02T06:15:00.000Z', hours: 0.75 }],

  // Europe/London: spring forward 2025-03-30 01:00 -> 02:00, fall back 2025-10-26 02:00 -> 01:00.
  ['Europe/London', '00:00-08:00 on the spring-forward day lasts 7 hours', () => dateTimes('Europe/London', '2025-03-30T00:00', '2025-03-30T08:00'), { startAt: '2025-03-30T00:00:00.000Z', endAt: '2025-03-30T07:00:00.000Z', hours: 7, day: '2025-03-30' }],
  ['Europe/London', '00:00-08:00 on the fall-back day lasts 9 hours (and starts on the 25th in UTC)', () => dateTimes('Europe/London', '2025-10-26T00:00', '2025-10-26T08:00'), { startAt: '2025-10-25T23:00:00.000Z', endAt: '2025-10-26T08:00:00.000Z', hours: 9, day: '2025-10-26' }],
  ['Europe/London', 'overnight 22:00-06:00 into spring forward lasts 7 hours', () => clocks('Europe/London', '03292025', '22:00', '06:00'), { startAt: '2025-03-29T22:00:00.000Z', endAt: '2025-03-30T05:00:00.000Z', hours: 7 }],
  ['Europe/London', 'overnight 22:00-06:00 into fall back lasts 9 hours', () => clocks('Europe/London', '10252025', '10:00 PM', '6:00 AM'), { startAt: '2025-10-25T21:00:00.000Z', endAt: '2025-10-26T06:00:00.000Z', hours: 9 }],
  ['Europe/London', 'a start in the gap does not exist', () => dateTimes('Europe/London', '2025-03-30T01:30', '2025-03-30T08:00'), { code: 'nonexistent_local_time', column: 'start_time' }],
  ['Europe/London', 'a repeated start takes the earlier offset (BST)', () => dateTimes('Europe/London', '2025-10-26T01:30', '2025-10-26T03:00'), { startAt: '2025-10-26T00:30:00.000Z', endAt: '2025-10-26T03:00:00.000Z', hours: 2.5 }],
  ['Europe/London', 'a repeated end before its start takes the later offset (GMT)', () => dateTimes('Europe/London', '2025-10-26T01:45', '2025-10-26T01:15'), { startAt: '2025-10-26T00:45:00.000Z', endAt: '2025-10-26T01:15:00.000Z', hours: 0.5 }],

  // Australia/Sydney (southern hemisphere): fall back 2025-04-06 03:00 -> 02:00, spring forward 2025-10-05 02:00 -> 03:00.
  ['Australia/Sydney', '00:00-08:00 on the spring-forward day (October) lasts 7 hours', () => dateTimes('Australia/Sydney', '2025-10-05T00:00', '2025-10-05T08:00'), { startAt: '2025-10-04T14:00:00.000Z', endAt: '2025-10-04T21:00:00.000Z', hours: 7, day: '2025-10-05' }],
  ['Australia/Sydney', '00:00-08:00 on the fall-back day (April) lasts 9 hours', () => dateTimes('Australia/Sydney', '2025-04-06T00:00', '2025-04-06T08:00'), { startAt: '2025-04-05T13:00:00.000Z', endAt: '2025-04-05T22:00:00.000Z', hours: 9, day: '2025-04-06' }],
  ['Australia/Sydney', 'overnight 22:00-06:00 into spring forward lasts 7 hours', () => clocks('Australia/Sydney', '10042025', '22:00', '06:00'), { startAt: '2025-10-04T12:00:00.000Z', endAt: '2025-10-04T19:00:00.000Z', hours: 7, day: '2025-10-04' }],
  ['Australia/Sydney', 'overnight 22:00-06:00 into fall back lasts 9 hours', () => clocks('Australia/Sydney', '04052025', '22:00', '06:00'), { startAt: '2025-04-05T11:00:00.000Z', endAt: '2025-04-05T20:00:00.000Z', hours: 9, day: '2025-04-05' }],
  ['Australia/Sydney', 'a start in the gap does not exist', () => dateTimes('Australia/Sydney', '2025-10-05T02:30', '2025-10-05T08:00'), { code: 'nonexistent_local_time', column: 'start_time' }],
  ['Australia/Sydney', 'a repeated start takes the earlier offset (AEDT)', () => dateTimes('Australia/Sydney', '2025-04-06T02:30', '2025-04-06T04:00'), { startAt: '2025-04-05T15:30:00.000Z', endAt: '2025-04-05T18:00:00.000Z', hours: 2.5 }],
  ['Australia/Sydney', 'a repeated end before its start takes the later offset (AEST)', () => dateTimes('Australia/Sydney', '2025-04-06T02:45', '2025-04-06T02:15'), { startAt: '2025-04-05T15:45:00.000Z', endAt: '2025-04-05T16:15:00.000Z', hours: 0.5 }],

  // Asia/Kolkata: +05:30 all year; the other zones' transition days are ordinary days.
  ['Asia/Kolkata', '00:00-08:00 on 9 March lasts 8 hours', () => dateTimes('Asia/Kolkata', '2025-03-09T00:00', '2025-03-09T08:00'), { startAt: '2025-03-08T18:30:00.000Z', endAt: '2025-03-09T02:30:00.000Z', hours: 8, day: '2025-03-09' }],
  ['Asia/Kolkata', '00:00-08:00 on 2 November lasts 8 hours', () => dateTimes('Asia/Kolkata', '2025-11-02T00:00', '2025-11-02T08:00'), { startAt: '2025-11-01T18:30:00.000Z', endAt: '2025-11-02T02:30:00.000Z', hours: 8, day: '2025-11-02' }],
  ['Asia/Kolkata', 'overnight 22:00-06:00 lasts 8 hours', () => clocks('Asia/Kolkata', '11012025', '22:00', '06:00'), { startAt: '2025-11-01T16:30:00.000Z', endAt: '2025-11-02T00:30:00.000Z', hours: 8, day: '2025-11-01' }],
  ['Asia/Kolkata', '02:30 exists', () => dateTimes('Asia/Kolkata', '2025-03-09T02:30', '2025-03-09T03:30'), { startAt: '2025-03-08T21:00:00.000Z', endAt: '2025-03-08T22:00:00.000Z', hours: 1 }],
  ['Asia/Kolkata', '01:30 happens once, so an end before it is an error', () => dateTimes('Asia/Kolkata', '2025-11-02T01:30', '2025-11-02T01:15'), { code: 'end_not_after_start', column: 'end_time' }],
];

describe('readRow across DST changes', () => {
  it.each(cases)('%s: %s', (_zone, _case, read, expected) => {
    const reading = read();
    if ('code' in expected) {
      expect(reading).toEqual({ ok: false, problems: [expect.objectContaining(expected)] });
      return;
    }
    expect(reading.ok).toBe(true);
    if (!reading.ok) return;
    const { startAt, endAt, day } = isoRow(reading.row);
    expect({ startAt, endAt }).toEqual({ startAt: expected.startAt, endAt: expected.endAt });
    expect((Date.parse(endAt) - Date.parse(startAt)) / 3_600_000).toBeCloseTo(expected.hours, 6);
    if (expected.day) expect(day).toBe(expected.day);
  });
});
