import type { RowErrorCode } from '@bpo/contracts';
import type { Zone } from 'luxon';
import { parseDate, parseDurationMs, parseMoment, type Moment } from './date-time-text.util';
import type { ResolvedColumns } from './header.util';
import type { ColumnKey, DateOrder, PlatformTemplate } from './platform-template.constant';
import { DAY_MS, HOUR_MS, formatDay, instantsAtLocalTime, localEpochAt, readTimeZone, settingTimeZone, singleInstantAtLocalTime } from './time-zone.util';

export interface RowContext {
  /** The integration's IANA zone for local times (already defaulted to the site's). */
  timezone: string;
  /** The site's IANA zone: the day an event belongs to is its start's date there. */
  siteTimezone: string;
  /** The integration's date order; ISO dates are read whatever it is. */
  dateOrder: DateOrder;
  /** When given, a row starting outside it is `date_out_of_range` (see RowHorizon). */
  horizon?: RowHorizon;
}

/**
 * The days a row may start on, counted in whole calendar days from the day the file was received
 * in the site's time zone (so a replay of the file judges it exactly as the first run did). A row
 * outside it is a wrong date (a mistyped year, day and month swapped), never a reason to widen the
 * days the file replaces.
 */
export interface RowHorizon {
  /** When the file was received (FileReceivedV1.receivedAt): ISO 8601, or epoch ms. */
  receivedAt: string | number;
  /** Rows starting more than this many days after the received day are refused. */
  maxDaysAhead: number;
  /** Rows starting more than this many days before the received day are refused. */
  maxDaysBehind: number;
}

/** Covers the usual 60-day publishing cadence twice over, and a month and a half of corrections. */
export const DEFAULT_ROW_HORIZON = { maxDaysAhead: 120, maxDaysBehind: 45 } as const;
/** The most either side of a horizon may be set to (ten years): a larger one guards nothing. */
export const MAX_HORIZON_DAYS = 3660;

export interface NormalizedRow {
  line: number;
  platformAgentId: string;
  agentName?: string;
  activity: string;
  /** UTC instants, epoch ms: what the row batches carry, so no ISO text is written and read back per row. */
  startAt: number;
  endAt: number;
  /** YYYY-MM-DD: the start's date in the site's time zone. */
  day: string;
  /** YYYY-MM-DD: the day the platform says the shift belongs to (IEX schedDate, Alvaria Nominal Date). */
  scheduleDay?: string;
}

export interface RowProblem {
  line: number;
  /** The column as the file names it. */
  column?: string;
  code: RowErrorCode;
  message: string;
  /** The platform agent id, for grouping problems per agent. */
  subject?: string;
}

/**
 * The outcome of reading one record. A blank record (every cell empty) or an IEX comment line
 * (first cell starting with `#`) is no schedule row and no error: it comes back as `skipped`, with
 * no problems, so a caller that only collects problems may ignore the difference.
 */
export type RowReading =
  | { ok: true; row: NormalizedRow }
  | { ok: false; problems: RowProblem[]; skipped?: undefined }
  | { ok: false; problems: []; skipped: 'blank' | 'comment' };

/** A shift longer than this is a data error (two shifts merged, a wrong date), not a long day. */
const MAX_SHIFT_MS = DAY_MS;

/** One record being read: its trimmed cells and the problems found so far. */
interface RecordReading {
  readonly template: PlatformTemplate;
  readonly columns: ResolvedColumns;
  readonly cells: readonly string[];
  readonly line: number;
  readonly context: RowContext;
  readonly problems: RowProblem[];
  subject?: string;
}

/** Where a shift's end comes from: a date-time, a time of the start's date, or a length. */
type EndValue = { kind: 'moment'; moment: Moment } | { kind: 'duration'; ms: number };

/**
 * Turns one record of a schedule export into a schedule row in UTC, or says what is wrong with it.
 * `cells` are the record's fields as the CSV layer split them; `line` is its 1-based line number.
 */
export function readRow(template: PlatformTemplate, columns: ResolvedColumns, cells: readonly string[], line: number, context: RowContext): RowReading {
  const trimmed = trimmedCells(cells);
  if (isBlankRecord(trimmed)) return { ok: false, problems: [], skipped: 'blank' };
  if (template.hasFieldsLine && trimmed[0].startsWith('#')) return { ok: false, problems: [], skipped: 'comment' };
  const reading: RecordReading = { template, columns, cells: trimmed, line, context, problems: [] };
  if (!hasHeaderShape(reading)) return { ok: false, problems: reading.problems };
  const row = readRecord(reading);
  return row && reading.problems.length === 0 ? { ok: true, row } : { ok: false, problems: reading.problems };
}

/** The cells trimmed; the same array when no cell has edge blanks (nearly every record: no copy per row). */
function trimmedCells(cells: readonly string[]): readonly string[] {
  let trimmed: string[] | undefined;
  for (let i = 0; i < cells.length; i += 1) {
    const value = cells[i].trim();
    if (value.length === cells[i].length) continue;
    trimmed ??= cells.slice();
    trimmed[i] = value;
  }
  return trimmed ?? cells;
}

/** Every cell from `from` on is empty. */
function isBlankRecord(cells: readonly string[], from = 0): boolean {
  for (let i = from; i < cells.length; i += 1) if (cells[i] !== '') return false;
  return true;
}

/**
 * A record with fewer cells than the header, or with values past its last column, was split
 * wrongly (an unquoted delimiter or line break in a value): its cells would land in the wrong columns.
 */
function hasHeaderShape(reading: RecordReading): boolean {
  const { cells, columns } = reading;
  if (cells.length >= columns.width && isBlankRecord(cells, columns.width)) return true;
  report(reading, 'malformed_row', `the record has ${cells.length} fields where the header has ${columns.width}; is a value with a delimiter unquoted?`);
  return false;
}

function readRecord(reading: RecordReading): NormalizedRow | undefined {
  const platformAgentId = requiredCell(reading, 'agentId');
  reading.subject = platformAgentId || undefined;
  const activity = requiredCell(reading, 'activity');
  const zone = rowZone(reading);
  const siteZone = siteZoneOf(reading);
  const scheduleDay = dateCell(reading, 'scheduleDate');
  const segmentDay = dateCell(reading, 'segmentDate');
  const start = momentCell(reading, 'start');
  const end = endValue(reading);
  if (reading.problems.length > 0 || !zone || !siteZone || !start || !end) return undefined;
  const startAt = startInstant(reading, start, segmentDay ?? scheduleDay, zone);
  if (startAt === undefined) return undefined;
  const endAt = endInstant(reading, end, startAt, zone);
  if (endAt === undefined || !isSensibleShift(reading, startAt, endAt, end.kind === 'duration' ? 'durationMinutes' : 'end')) return undefined;
  // The start's day decides the days the file replaces; the platform's schedule day must be sane too.
  const startDateKey = start.kind === 'clock' ? (segmentDay !== undefined ? 'segmentDate' : 'scheduleDate') : 'start';
  const startSiteLocal = localEpochAt(startAt, siteZone);
  if (!isWithinHorizon(reading, startSiteLocal, siteZone, startDateKey, 'starts')) return undefined;
  if (scheduleDay !== undefined && !isWithinHorizon(reading, scheduleDay, siteZone, 'scheduleDate', 'is scheduled')) return undefined;
  const agentName = cell(reading, 'agentName');
  const line = reading.line;
  const day = formatDay(startSiteLocal);
  // Written out rather than spread: the same fields in the same order, without the throwaway objects.
  const row: NormalizedRow = agentName ? { line, platformAgentId, agentName, activity, startAt, endAt, day } : { line, platformAgentId, activity, startAt, endAt, day };
  if (scheduleDay !== undefined) row.scheduleDay = formatDay(scheduleDay);
  return row;
}

function cell(reading: RecordReading, key: ColumnKey): string {
  const position = reading.columns.index[key];
  return position === undefined ? '' : (reading.cells[position] ?? '');
}

function report(reading: RecordReading, code: RowErrorCode, message: string, key?: ColumnKey): void {
  const column = key && columnName(reading, key);
  reading.problems.push({
    line: reading.line,
    ...(column ? { column } : {}),
    code,
    message,
    ...(reading.subject ? { subject: reading.subject } : {}),
  });
}

/** The column as the file names it, or as the template does when the file lacks it. */
function columnName(reading: RecordReading, key: ColumnKey): string {
  return reading.columns.label[key] ?? reading.template.columns.find((column) => column.key === key)?.header ?? key;
}

function requiredCell(reading: RecordReading, key: ColumnKey): string {
  const value = cell(reading, key);
  if (value === '') report(reading, 'missing_value', `${columnName(reading, key)} is empty`, key);
  return value;
}

/** The row's own zone when the template has a zone column and it is filled, else the integration's. */
function rowZone(reading: RecordReading): Zone | undefined {
  const text = cell(reading, 'timeZone');
  if (text !== '') {
    const zone = readTimeZone(text);
    if (!zone) report(reading, 'invalid_timezone', `'${text}' is neither an IANA time zone nor a UTC offset`, 'timeZone');
    return zone;
  }
  return settingZone(reading, reading.context.timezone, 'integration');
}

function siteZoneOf(reading: RecordReading): Zone | undefined {
  return settingZone(reading, reading.context.siteTimezone, 'site');
}

function settingZone(reading: RecordReading, name: string, owner: 'integration' | 'site'): Zone | undefined {
  // Settings must be IANA names (a fixed offset would lose DST), as config-api validates them.
  const zone = settingTimeZone(name);
  if (!zone) report(reading, 'invalid_timezone', `the ${owner} time zone '${name}' is not an IANA time zone`);
  return zone;
}

/** An optional date column (schedule day, segment date) as the local epoch of its midnight. */
function dateCell(reading: RecordReading, key: ColumnKey): number | undefined {
  const text = cell(reading, key);
  if (text === '') return undefined;
  const date = parseDate(text, reading.context.dateOrder);
  if (date === undefined) report(reading, 'invalid_date', `'${text}' is not a date in ${reading.context.dateOrder} order`, key);
  return date;
}

function momentCell(reading: RecordReading, key: 'start' | 'end'): Moment | undefined {
  const text = key === 'start' ? requiredCell(reading, key) : cell(reading, key);
  if (text === '') return undefined;
  const parsed = parseMoment(text, reading.context.dateOrder);
  if (parsed.ok) return parsed.moment;
  report(reading, parsed.code, `${columnName(reading, key)}: ${parsed.message}`, key);
  return undefined;
}

/** The end as written: an end date-time or time when filled, else a length in minutes. */
function endValue(reading: RecordReading): EndValue | undefined {
  if (cell(reading, 'end') !== '') {
    const moment = momentCell(reading, 'end');
    return moment && { kind: 'moment', moment };
  }
  const text = cell(reading, 'durationMinutes');
  if (text === '') {
    const names = (['end', 'durationMinutes'] as const).filter((key) => reading.columns.index[key] !== undefined).map((key) => columnName(reading, key));
    report(reading, 'missing_value', `${names.join(' and ') || columnName(reading, 'end')} ${names.length > 1 ? 'are' : 'is'} empty`, 'end');
    return undefined;
  }
  const ms = parseDurationMs(text);
  if (ms === undefined) report(reading, 'invalid_time', `'${text}' is not a number of minutes`, 'durationMinutes');
  return ms === undefined ? undefined : { kind: 'duration', ms };
}

/** The start instant: a time alone is placed on the row's date (IEX excDate or schedDate, Alvaria Nominal Date). */
function startInstant(reading: RecordReading, start: Moment, date: number | undefined, zone: Zone): number | undefined {
  if (start.kind === 'instant') return start.instant;
  if (start.kind === 'local') return localInstant(reading, start.localEpoch, zone, 'start');
  if (date !== undefined) return localInstant(reading, date + start.clockMs, zone, 'start');
  const dateKey = (['scheduleDate', 'segmentDate'] as const).find((key) => reading.columns.index[key] !== undefined);
  if (dateKey) report(reading, 'missing_value', `${columnName(reading, dateKey)} is empty and ${columnName(reading, 'start')} has no date`, dateKey);
  else report(reading, 'invalid_date', `${columnName(reading, 'start')} has a time but no date`, 'start');
  return undefined;
}

/**
 * The end instant. A time alone is on the start's local date, or the next day when it is not
 * after the start's time (overnight shifts: 22:00 to 06:00).
 */
function endInstant(reading: RecordReading, end: EndValue, startAt: number, zone: Zone): number | undefined {
  if (end.kind === 'duration') return startAt + end.ms;
  const { moment } = end;
  if (moment.kind === 'instant') return moment.instant;
  if (moment.kind === 'local') return localInstant(reading, moment.localEpoch, zone, 'end', startAt);
  const startLocal = localEpochAt(startAt, zone);
  const startDay = Math.floor(startLocal / DAY_MS) * DAY_MS;
  const overnight = moment.clockMs <= startLocal - startDay;
  return localInstant(reading, startDay + (overnight ? DAY_MS : 0) + moment.clockMs, zone, 'end', startAt);
}

/**
 * A local time in the row's zone as an instant. Each time is converted on its own, so a shift
 * across a DST change lasts the real hours in between. A time skipped by the change is an error;
 * a repeated one takes its earlier offset, unless it is an end that would then not be after its
 * start (01:30 to 01:15 on the fall-back night is 45 minutes, so the end takes the later offset).
 */
function localInstant(reading: RecordReading, localEpoch: number, zone: Zone, key: 'start' | 'end', startAt?: number): number | undefined {
  const single = singleInstantAtLocalTime(localEpoch, zone);
  if (single !== undefined) return single;
  const instants = instantsAtLocalTime(localEpoch, zone);
  if (instants.length === 0) {
    const shown = new Date(localEpoch).toISOString().slice(0, 16).replace('T', ' ');
    report(reading, 'nonexistent_local_time', `${shown} does not exist in ${zone.name}: the clocks skip it for daylight saving time`, key);
    return undefined;
  }
  const [earlier, later = earlier] = instants;
  return startAt !== undefined && earlier <= startAt ? later : earlier;
}

/** `endKey` is the column the end came from: the end itself or the length. */
function isSensibleShift(reading: RecordReading, startAt: number, endAt: number, endKey: 'end' | 'durationMinutes'): boolean {
  if (endAt <= startAt) {
    const end = `${columnName(reading, endKey)} gives an end (${new Date(endAt).toISOString()})`;
    report(reading, 'end_not_after_start', `${end} not after the start (${new Date(startAt).toISOString()})`, endKey);
    return false;
  }
  if (endAt - startAt > MAX_SHIFT_MS) {
    const hours = Math.round(((endAt - startAt) / HOUR_MS) * 100) / 100;
    report(reading, 'shift_too_long', `the shift lasts ${hours} hours; the longest accepted is 24`, endKey);
    return false;
  }
  return true;
}

/** Whole calendar days from one local epoch's date to another's: DST never makes a day 23 or 25 hours here. */
function calendarDaysBetween(fromLocalEpoch: number, toLocalEpoch: number): number {
  return Math.floor(toLocalEpoch / DAY_MS) - Math.floor(fromLocalEpoch / DAY_MS);
}

/**
 * A day of the row (a local epoch in the site's zone) against the file's horizon; reports
 * `date_out_of_range` when outside. Days are counted on the calendar, never as 24-hour steps.
 */
function isWithinHorizon(reading: RecordReading, dayLocal: number, siteZone: Zone, key: ColumnKey, verb: string): boolean {
  const horizon = reading.context.horizon;
  if (!horizon) return true;
  const { maxDaysAhead, maxDaysBehind, receivedLocal } = checkedHorizon(horizon, siteZone);
  const days = calendarDaysBetween(receivedLocal, dayLocal);
  if (days <= maxDaysAhead && -days <= maxDaysBehind) return true;
  const when = days > 0 ? `${days} days after` : `${-days} days before`;
  const limit = days > 0 ? `more than ${maxDaysAhead} days ahead` : `more than ${maxDaysBehind} days back`;
  report(
    reading,
    'date_out_of_range',
    `the row ${verb} on ${formatDay(dayLocal)}, ${when} the file was received (${formatDay(receivedLocal)} in ${siteZone.name}); a date ${limit} is taken for a mistake`,
    key,
  );
  return false;
}

interface CheckedHorizon {
  readonly horizon: RowHorizon;
  readonly receivedAtText: string | number;
  readonly siteZone: Zone;
  readonly maxDaysAhead: number;
  readonly maxDaysBehind: number;
  /** The received instant on the site's clocks. */
  readonly receivedLocal: number;
}

// Every row of a file asks for the same horizon: it is checked once and kept while its fields stay the same.
let lastHorizon: CheckedHorizon | undefined;

/** A horizon's numbers, checked: a wrong one is a programming or configuration error, not a row's. */
function checkedHorizon(horizon: RowHorizon, siteZone: Zone): CheckedHorizon {
  const last = lastHorizon;
  if (
    last !== undefined &&
    last.horizon === horizon &&
    last.siteZone === siteZone &&
    last.receivedAtText === horizon.receivedAt &&
    last.maxDaysAhead === horizon.maxDaysAhead &&
    last.maxDaysBehind === horizon.maxDaysBehind
  ) {
    return last;
  }
  const receivedAt = typeof horizon.receivedAt === 'number' ? horizon.receivedAt : Date.parse(horizon.receivedAt);
  if (!Number.isFinite(receivedAt)) throw new RangeError(`horizon: receivedAt '${horizon.receivedAt}' is not an instant`);
  for (const [name, value] of [['maxDaysAhead', horizon.maxDaysAhead], ['maxDaysBehind', horizon.maxDaysBehind]] as const) {
    if (!Number.isInteger(value) || value < 0 || value > MAX_HORIZON_DAYS) throw new RangeError(`horizon: ${name} must be a whole number of days from 0 to ${MAX_HORIZON_DAYS}, got ${value}`);
  }
  const checked = {
    horizon,
    receivedAtText: horizon.receivedAt,
    siteZone,
    maxDaysAhead: horizon.maxDaysAhead,
    maxDaysBehind: horizon.maxDaysBehind,
    receivedLocal: localEpochAt(receivedAt, siteZone),
  };
  lastHorizon = checked;
  return checked;
}
