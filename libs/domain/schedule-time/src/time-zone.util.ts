import { FixedOffsetZone, IANAZone, type Zone } from 'luxon';

/**
 * Local wall-clock times are handled as "local epochs": the milliseconds a UTC clock would show for
 * the same fields (Date.UTC(y, m - 1, d, h, mi, s, ms)). Date arithmetic on them is plain calendar
 * arithmetic, free of any zone, and only `instantsAtLocalTime` turns them into real instants.
 */
export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const OFFSET_PATTERN = /^(?:(?:UTC|GMT)\s*)?([+-])(\d{1,2})(?::?(\d{2}))?$/i;
const UTC_NAMES = new Set(['z', 'utc', 'gmt', 'uct']);

/**
 * True for IANA zone names (`Europe/London`, `UTC`). UTC offsets are not zone names, and neither
 * are abbreviations, though the runtime accepts some: `IST` (India? Ireland? Israel?) is ambiguous
 * and `EST` is a fixed offset that ignores the DST an Eastern site keeps.
 */
export function isValidTimeZone(zone: string): boolean {
  if (/^[A-Z]{2,5}$/.test(zone) && !UTC_NAMES.has(zone.toLowerCase())) return false;
  return /^[A-Za-z]/.test(zone) && isKnownToIntl(zone);
}

const ZONE_MEMO_LIMIT = 1_000;
const knownZoneNames = new Map<string, boolean>();

/** luxon checks a name by building an Intl formatter (a tenth of a millisecond): once per name is enough. */
function isKnownToIntl(zone: string): boolean {
  let known = knownZoneNames.get(zone);
  if (known === undefined) {
    if (knownZoneNames.size >= ZONE_MEMO_LIMIT) knownZoneNames.clear();
    known = IANAZone.isValidZone(zone);
    knownZoneNames.set(zone, known);
  }
  return known;
}

/**
 * Reads a time zone as files write it: an IANA name, or a fixed UTC offset such as `-05:00`,
 * `+0530`, `UTC-5` or `GMT+01:00` (an offset has no DST). Undefined when it is neither.
 */
export function readTimeZone(text: string): Zone | undefined {
  const value = text.trim();
  if (UTC_NAMES.has(value.toLowerCase())) return FixedOffsetZone.utcInstance;
  const offset = OFFSET_PATTERN.exec(value);
  if (offset) return fixedOffsetZone(offset[1], Number(offset[2]), Number(offset[3] ?? '0'));
  return isValidTimeZone(value) ? IANAZone.create(value) : undefined;
}

function fixedOffsetZone(sign: string, hours: number, minutes: number): Zone | undefined {
  if (hours > 14 || minutes > 59) return undefined;
  const total = (hours * 60 + minutes) * (sign === '-' ? -1 : 1);
  return FixedOffsetZone.instance(total);
}

const settingZones = new Map<string, Zone | null>();

/** The zone of a setting (integration or site): IANA names only, so DST is never lost. Asked on every row, so kept per name. */
export function settingTimeZone(zone: string): Zone | undefined {
  let found = settingZones.get(zone);
  if (found === undefined) {
    if (settingZones.size >= ZONE_MEMO_LIMIT) settingZones.clear();
    found = isValidTimeZone(zone) ? IANAZone.create(zone) : null;
    settingZones.set(zone, found);
  }
  return found ?? undefined;
}

function settingZone(zone: string): Zone {
  const found = settingTimeZone(zone);
  if (!found) throw new RangeError(`'${zone}' is not an IANA time zone`);
  return found;
}

const OFFSET_MEMO_LIMIT = 100_000;
const offsetMemo = new Map<string, Map<number, number>>();

/**
 * A zone's UTC offset (minutes) at an instant. Asking Intl costs microseconds and a file of a
 * million rows asks a few million times, mostly for the same round times: the answers are kept.
 */
export function offsetAt(zone: Zone, instant: number): number {
  if (zone.isUniversal) return zone.offset(instant);
  const steady = steadyOffset(zone, Math.floor(instant / DAY_MS));
  if (steady !== null) return steady;
  let memo = offsetMemo.get(zone.name);
  if (!memo) offsetMemo.set(zone.name, (memo = new Map()));
  let offset = memo.get(instant);
  if (offset === undefined) {
    if (memo.size >= OFFSET_MEMO_LIMIT) memo.clear();
    offset = zone.offset(instant);
    memo.set(instant, offset);
  }
  return offset;
}

const STEADY_MEMO_LIMIT = 100_000;
const STEADY_SAMPLE_MS = 6 * HOUR_MS;
const steadyMemo = new Map<string, Map<number, number | null>>();

/**
 * The zone's offset when it holds from the day before UTC day `day` to the day after (sampled every
 * six hours: offsets change at most a few times a year, never twice within hours), else null. A
 * local epoch of day `day` differs from its instants by at most 14 hours, so it lies within that
 * span too. Answered once per zone and day, by integer key: the common path of every conversion.
 */
function steadyOffset(zone: Zone, day: number): number | null {
  let memo = steadyMemo.get(zone.name);
  if (!memo) steadyMemo.set(zone.name, (memo = new Map()));
  let steady = memo.get(day);
  if (steady === undefined) {
    if (memo.size >= STEADY_MEMO_LIMIT) memo.clear();
    const first = zone.offset((day - 1) * DAY_MS);
    steady = first;
    for (let at = (day - 1) * DAY_MS + STEADY_SAMPLE_MS; at <= (day + 2) * DAY_MS; at += STEADY_SAMPLE_MS) {
      if (zone.offset(at) !== first) {
        steady = null;
        break;
      }
    }
    memo.set(day, steady);
  }
  return steady;
}

/**
 * The instants at which the zone's clocks show a local time: one normally, none in a
 * spring-forward gap, two (earlier first) in a fall-back repeated hour. Each candidate offset is
 * checked against the zone, which is how a nonexistent time is told from one luxon would shift.
 */
export function instantsAtLocalTime(localEpoch: number, zone: Zone): number[] {
  const single = singleInstantAtLocalTime(localEpoch, zone);
  if (single !== undefined) return [single];
  const offsets = new Set([offsetAt(zone, localEpoch - DAY_MS), offsetAt(zone, localEpoch), offsetAt(zone, localEpoch + DAY_MS)]);
  const instants = [...offsets]
    .map((offset) => localEpoch - offset * MINUTE_MS)
    .filter((instant) => localEpochAt(instant, zone) === localEpoch);
  return [...new Set(instants)].sort((a, b) => a - b);
}

/**
 * The one instant of a local time away from any offset change (all but a few days a year), else
 * undefined: instantsAtLocalTime's common case, without an array per call.
 */
export function singleInstantAtLocalTime(localEpoch: number, zone: Zone): number | undefined {
  const steady = zone.isUniversal ? zone.offset(localEpoch) : steadyOffset(zone, Math.floor(localEpoch / DAY_MS));
  return steady === null ? undefined : localEpoch - steady * MINUTE_MS;
}

/** What the zone's clocks show at an instant, as a local epoch. */
export function localEpochAt(instant: number, zone: Zone): number {
  return instant + offsetAt(zone, instant) * MINUTE_MS;
}

/**
 * The first instant whose local time is at or after `localEpoch`: the instant itself when it
 * exists (the earlier one when repeated), else the moment the clocks jump over the gap.
 */
export function firstInstantAtOrAfter(localEpoch: number, zone: Zone): number {
  const instants = instantsAtLocalTime(localEpoch, zone);
  if (instants.length > 0) return instants[0];
  // In a gap: the jump lies between reading the time with the offset after and the one before.
  let low = localEpoch - offsetAt(zone, localEpoch + DAY_MS) * MINUTE_MS;
  let high = localEpoch - offsetAt(zone, localEpoch - DAY_MS) * MINUTE_MS;
  while (high - low > MINUTE_MS) {
    const middle = low + Math.floor((high - low) / 2 / MINUTE_MS) * MINUTE_MS;
    if (localEpochAt(middle, zone) >= localEpoch) high = middle;
    else low = middle;
  }
  return high;
}

// A file's rows fall on a few hundred days, met again agent after agent: each is formatted once (toISOString costs half a microsecond).
const DAY_TEXT_LIMIT = 10_000;
const dayTexts = new Map<number, string>();

/** `YYYY-MM-DD` of a local epoch. */
export function formatDay(localEpoch: number): string {
  const dayNumber = Math.floor(localEpoch / DAY_MS);
  let text = dayTexts.get(dayNumber);
  if (text === undefined) {
    if (dayTexts.size >= DAY_TEXT_LIMIT) dayTexts.clear();
    text = new Date(dayNumber * DAY_MS).toISOString().slice(0, 10);
    dayTexts.set(dayNumber, text);
  }
  return text;
}

/** The local epoch of a `YYYY-MM-DD` day's midnight, or undefined when it is no calendar day. */
export function parseDay(day: string): number | undefined {
  const match = DAY_PATTERN.exec(day);
  if (!match) return undefined;
  const epoch = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  return formatDay(epoch) === day ? epoch : undefined;
}

/** The date (YYYY-MM-DD) an instant falls on in a zone: which day a schedule event belongs to. */
export function localDay(instantIso: string, zone: string): string {
  const instant = Date.parse(instantIso);
  if (Number.isNaN(instant)) throw new RangeError(`'${instantIso}' is not an ISO 8601 instant`);
  return formatDay(localEpochAt(instant, settingZone(zone)));
}

/**
 * The first instant of the local day after `now`'s: events starting before it are "past" (today
 * included). A midnight skipped by DST makes the day start when the clocks jump.
 */
export function endOfLocalDay(now: Date, zone: string): Date {
  const siteZone = settingZone(zone);
  const today = Math.floor(localEpochAt(now.getTime(), siteZone) / DAY_MS) * DAY_MS;
  return new Date(firstInstantAtOrAfter(today + DAY_MS, siteZone));
}

/** Every day from `from` to `to`, both included; empty when `to` is before `from`. */
export function daysBetween(from: string, to: string): string[] {
  const first = parseDay(from);
  const last = parseDay(to);
  if (first === undefined || last === undefined) throw new RangeError(`days must be YYYY-MM-DD, got '${from}' and '${to}'`);
  const days: string[] = [];
  for (let day = first; day <= last; day += DAY_MS) days.push(formatDay(day));
  return days;
}
