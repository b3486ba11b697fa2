import type { DateOrder } from './platform-template.constant';
import { DAY_MS, HOUR_MS, MINUTE_MS } from './time-zone.util';

/**
 * A date or time cell as written in a schedule file:
 * - `instant`: it carried `Z` or a UTC offset, so it is taken as given;
 * - `local`: a date and time on the wall clock of the row's zone (a local epoch, see time-zone.util);
 * - `clock`: a time only (ms since local midnight, up to 24:00), placed on a date of the row later.
 */
export type Moment = { kind: 'instant'; instant: number } | { kind: 'local'; localEpoch: number } | { kind: 'clock'; clockMs: number };

export type MomentReading = { ok: true; moment: Moment } | { ok: false; code: 'invalid_date' | 'invalid_time'; message: string };

const ISO_DATE = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/;
const SEPARATED_DATE = /^(\d{1,2})([-/.])(\d{1,2})\2(\d{4})$/;
const COMPACT_DATE = /^(\d{8})$/;
const CLOCK_24 = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?$/;
const CLOCK_12 = /^(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?\s*([ap])\.?\s*m\.?$/i;
const ISO_BASIC_CLOCK = /^(\d{2})(\d{2})(?:(\d{2})(?:[.,](\d{1,9}))?)?$/;
const OFFSET_SUFFIX = /\s*(?:(Z|UTC|GMT)|(?:UTC|GMT)?\s*([+-])(\d{1,2})(?::?(\d{2}))?)$/i;
const DURATION_MINUTES = /^\d+(?:[.,]\d+)?$/;
const DURATION_CLOCK = /^(\d+):([0-5]\d)$/;

type DayMonthYear = [year: number, month: number, day: number];

/** How each date order lays out the fields of a date written with separators or as 8 digits. */
const FIELD_ORDER: Record<DateOrder, 'MDY' | 'DMY' | 'YMD'> = {
  'MM/DD/YYYY': 'MDY',
  MMDDYYYY: 'MDY',
  'DD/MM/YYYY': 'DMY',
  'YYYY-MM-DD': 'YMD',
  YYYYMMDD: 'YMD',
};

/** A date as the local epoch of its midnight, or undefined when it is not a calendar date. */
export function parseDate(text: string, order: DateOrder): number | undefined {
  const fields = dateFields(text.trim(), FIELD_ORDER[order]);
  return fields && calendarDate(...fields);
}

function dateFields(text: string, order: 'MDY' | 'DMY' | 'YMD'): DayMonthYear | undefined {
  // A date starting with a four-digit year can only be year-month-day, whatever the order.
  const iso = ISO_DATE.exec(text);
  if (iso) return [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  const separated = SEPARATED_DATE.exec(text);
  if (separated && order !== 'YMD') return orderFields(order, separated[1], separated[3], separated[4]);
  const compact = COMPACT_DATE.exec(text)?.[1];
  if (!compact) return undefined;
  return order === 'YMD'
    ? [Number(compact.slice(0, 4)), Number(compact.slice(4, 6)), Number(compact.slice(6))]
    : orderFields(order, compact.slice(0, 2), compact.slice(2, 4), compact.slice(4));
}

function orderFields(order: 'MDY' | 'DMY', first: string, second: string, year: string): DayMonthYear {
  return order === 'MDY' ? [Number(year), Number(first), Number(second)] : [Number(year), Number(second), Number(first)];
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function calendarDate(year: number, month: number, day: number): number | undefined {
  // Years before 1900 are typos in a schedule, and Date.UTC misreads years below 100.
  if (year < 1900 || month < 1 || month > 12 || day < 1) return undefined;
  // The Gregorian month lengths Date.UTC rolls over by, checked without a Date per cell.
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > DAYS_IN_MONTH[month - 1] + (leap ? 1 : 0)) return undefined;
  return Date.UTC(year, month - 1, day);
}

/** A time of day as ms since midnight: `HH:mm`, `HH:mm:ss(.fff)`, `h:mm AM`; `24:00` ends a day. */
export function parseClock(text: string): number | undefined {
  return readClock(text.trim(), false);
}

/** ISO 8601 basic times (`0800`) are read only after a `T`: alone, `2025` would pass for 20:25. */
function readClock(value: string, allowIsoBasic: boolean): number | undefined {
  const twelve = CLOCK_12.exec(value);
  if (twelve) return twelveHourClock(Number(twelve[1]), twelve[2], twelve[3], twelve[4]);
  const match = CLOCK_24.exec(value) ?? (allowIsoBasic ? ISO_BASIC_CLOCK.exec(value) : null);
  return match ? clockMs(Number(match[1]), Number(match[2]), Number(match[3] ?? '0'), match[4]) : undefined;
}

function twelveHourClock(hour: number, minute = '0', second = '0', half: string): number | undefined {
  if (hour < 1 || hour > 12) return undefined;
  const hour24 = (hour % 12) + (half.toLowerCase() === 'p' ? 12 : 0);
  return clockMs(hour24, Number(minute), Number(second), undefined);
}

function clockMs(hour: number, minute: number, second: number, fraction: string | undefined): number | undefined {
  const millisecond = fraction ? Number(fraction.slice(0, 3).padEnd(3, '0')) : 0;
  if (minute > 59 || second > 59) return undefined;
  const ms = hour * HOUR_MS + minute * MINUTE_MS + second * 1000 + millisecond;
  return hour < 24 || ms === DAY_MS ? ms : undefined;
}

/** A UTC offset at the end of a date-time, in minutes, and the text before it. */
function splitOffset(text: string): { rest: string; offsetMinutes?: number } {
  const match = OFFSET_SUFFIX.exec(text);
  if (!match) return { rest: text };
  const rest = text.slice(0, match.index);
  if (match[1]) return { rest, offsetMinutes: 0 };
  const minutes = Number(match[3]) * 60 + Number(match[4] ?? '0');
  return { rest, offsetMinutes: match[2] === '-' ? -minutes : minutes };
}

/**
 * Reads a start or end cell: `<date> <time>` (date in the integration's order, or ISO), ISO 8601
 * with `T`, either optionally followed by `Z` or an offset; or a time alone.
 */
export function parseMoment(text: string, order: DateOrder): MomentReading {
  const value = text.trim();
  return fixedIsoMoment(value) ?? readMoment(value, order);
}

const DASH = 0x2d;
const COLON = 0x3a;
const LOWER_T = 0x74;
const LOWER_Z = 0x7a;
const CASE_BIT = 0x20;

/**
 * The cell nearly every file writes, `YYYY-MM-DDTHH:MM` or `YYYY-MM-DDTHH:MM:SS` with an optional
 * `Z`, read by character codes: the regular expressions of readMoment cost more than the rest of a
 * row. Only a valid moment is answered here, exactly as readMoment reads it; any other text, and
 * every error, is left to readMoment.
 */
function fixedIsoMoment(value: string): MomentReading | undefined {
  const utc = (value.charCodeAt(value.length - 1) | CASE_BIT) === LOWER_Z;
  const length = utc ? value.length - 1 : value.length;
  if (length !== 16 && length !== 19) return undefined;
  if (value.charCodeAt(4) !== DASH || value.charCodeAt(7) !== DASH || (value.charCodeAt(10) | CASE_BIT) !== LOWER_T || value.charCodeAt(13) !== COLON) return undefined;
  if (length === 19 && value.charCodeAt(16) !== COLON) return undefined;
  const year = digitsAt(value, 0, 4);
  const month = digitsAt(value, 5, 2);
  const day = digitsAt(value, 8, 2);
  const hour = digitsAt(value, 11, 2);
  const minute = digitsAt(value, 14, 2);
  const second = length === 19 ? digitsAt(value, 17, 2) : 0;
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return undefined;
  const date = calendarDate(year, month, day);
  const clock = clockMs(hour, minute, second, undefined);
  if (date === undefined || clock === undefined) return undefined;
  const epoch = date + clock;
  return { ok: true, moment: utc ? { kind: 'instant', instant: epoch } : { kind: 'local', localEpoch: epoch } };
}

/** The number written by `count` ASCII digits at `start`, or -1 when one of them is no digit. */
function digitsAt(text: string, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i += 1) {
    const digit = text.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/**
 * parseMoment's general reading of a trimmed cell: every form and every error. Exported for the
 * tests that hold the fixed ISO path to it.
 */
export function readMoment(value: string, order: DateOrder): MomentReading {
  const isoT = /^(\d{4}-?\d{2}-?\d{2})[Tt](.+)$/.exec(value);
  if (isoT) return dateTimeMoment(value, isoT[1], isoT[2], 'YYYY-MM-DD', true);
  const spaced = /^(\S+)\s+(.+)$/.exec(value);
  // `8:00 AM` also has a space: a first word that reads as a time is no date.
  if (spaced && parseClock(spaced[1]) === undefined) return dateTimeMoment(value, spaced[1], spaced[2], order, false);
  const clock = parseClock(value);
  if (clock !== undefined) return { ok: true, moment: { kind: 'clock', clockMs: clock } };
  if (parseDate(value, order) !== undefined) return invalid('invalid_time', `'${value}' has a date but no time`);
  return invalid('invalid_time', `'${value}' is not a date and time (expected ${order} followed by HH:mm or h:mm AM/PM)`);
}

function dateTimeMoment(value: string, dateText: string, timeText: string, order: DateOrder, iso: boolean): MomentReading {
  const date = parseDate(dateText, order);
  if (date === undefined) return invalid('invalid_date', `'${dateText}' in '${value}' is not a date in ${order} order`);
  const { rest, offsetMinutes } = splitOffset(timeText);
  const clock = readClock(rest.trim(), iso);
  if (clock === undefined) return invalid('invalid_time', `'${timeText}' in '${value}' is not a time (HH:mm, HH:mm:ss or h:mm AM/PM)`);
  if (offsetMinutes !== undefined && Math.abs(offsetMinutes) > 18 * 60) return invalid('invalid_time', `'${value}' has an impossible UTC offset`);
  const localEpoch = date + clock;
  const moment: Moment = offsetMinutes === undefined ? { kind: 'local', localEpoch } : { kind: 'instant', instant: localEpoch - offsetMinutes * MINUTE_MS };
  return { ok: true, moment };
}

function invalid(code: 'invalid_date' | 'invalid_time', message: string): MomentReading {
  return { ok: false, code, message };
}

/** A duration in minutes (`510`, `7.5`) or hours and minutes (`8:30`), as ms; undefined otherwise. */
export function parseDurationMs(text: string): number | undefined {
  const value = text.trim();
  if (DURATION_MINUTES.test(value)) return Math.round(Number(value.replace(',', '.')) * MINUTE_MS);
  const clock = DURATION_CLOCK.exec(value);
  return clock ? Number(clock[1]) * HOUR_MS + Number(clock[2]) * MINUTE_MS : undefined;
}
