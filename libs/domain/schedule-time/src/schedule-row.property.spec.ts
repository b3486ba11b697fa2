import { Platforms, type Platform } from '@bpo/contracts';
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { renderCsvLine } from './csv-line.util';
import { DateOrders, Delimiters, templateFor, type ColumnKey, type DateOrder, type Delimiter } from './platform-template.constant';
import { readScheduleFile, rowsOf, type IsoRow } from './schedule-file.spec-helper';

/**
 * Round trip: random shifts (zone, date, time, length) are written as a platform would write them
 * (random delimiter, date order, time format, header aliases, column order, extra columns), read
 * back, and must give the same UTC events. Times the zone skips or repeats are not generated here:
 * schedule-row.dst.spec.ts pins their documented outcome.
 */

const IANA_ZONES = ['America/New_York', 'America/Los_Angeles', 'America/Sao_Paulo', 'Europe/London', 'Europe/Berlin', 'Australia/Sydney', 'Pacific/Auckland', 'Asia/Kolkata', 'Asia/Tokyo', 'UTC'];
/** Fixed offsets as files write them, with the luxon zone that renders them. */
const FIXED_OFFSETS: Array<[cell: string, luxonZone: string]> = [
  ['-05:00', 'UTC-5'],
  ['UTC+05:30', 'UTC+5:30'],
  ['+0100', 'UTC+1'],
  ['GMT-3', 'UTC-3'],
  ['UTC', 'UTC'],
];
const DATE_FORMATS: Record<DateOrder, string[]> = {
  'MM/DD/YYYY': ['MM/dd/yyyy', 'M/d/yyyy'],
  'DD/MM/YYYY': ['dd/MM/yyyy', 'dd.MM.yyyy'],
  'YYYY-MM-DD': ['yyyy-MM-dd'],
  YYYYMMDD: ['yyyyMMdd'],
  MMDDYYYY: ['MMddyyyy', 'MM/dd/yyyy'],
};
const TIME_FORMATS = ['HH:mm', 'H:mm', 'HH:mm:ss', 'h:mm a', 'h:mm:ss a'];
const NAME_CHARACTERS = 'abcdefXYZ ,;|"\'-é'.split('');

type StartForm = 'clock' | 'local' | 'offset';
type EndForm = StartForm | 'duration';

/** Which forms each platform writes its start and end in. */
const FORMS: Record<Platform, { start: StartForm[]; end: EndForm[] }> = {
  custom: { start: ['local', 'offset'], end: ['local', 'offset'] },
  nice_iex: { start: ['clock'], end: ['clock', 'duration'] },
  verint: { start: ['local', 'offset'], end: ['local', 'offset', 'duration'] },
  injixo: { start: ['local', 'offset'], end: ['local', 'offset', 'duration'] },
  alvaria: { start: ['clock', 'local', 'offset'], end: ['clock', 'local', 'offset', 'duration'] },
};

interface FileLayout {
  platform: Platform;
  delimiter: Delimiter;
  dateOrder: DateOrder;
  integrationZone: string;
  siteZone: string;
  /** Header cells: a template column (by key, under one of its names) or an extra column. */
  header: Array<{ key?: ColumnKey; name: string }>;
  fieldsPrefix: '' | '#fields:' | '#fields';
}

interface Shift {
  agentId: string;
  agentName: string;
  activity: string;
  /** [cell, luxon zone] of the row's own zone, when the file has a zone column and the row fills it. */
  ownZone?: [string, string];
  dayOffset: number;
  startMinute: number;
  minutes: number;
  startForm: StartForm;
  endForm: EndForm;
  dateFormat: number;
  timeFormat: string;
  lowerCaseMeridiem: boolean;
  isoDate: boolean;
  /** Local date-times written ISO style (`2025-11-03T08:00:00`) rather than `<date> <time>`. */
  isoT: boolean;
  /** IEX / Alvaria: the shift belongs to the day before its start (a segment past midnight). */
  belongsToPreviousDay: boolean;
  durationAsClock: boolean;
}

const styles: Array<(name: string) => string> = [(name) => name, (name) => name.toUpperCase(), (name) => name.toLowerCase(), (name) => name.replaceAll(' ', '_')];

function layoutArbitrary(): fc.Arbitrary<FileLayout> {
  return fc.constantFrom(...Platforms).chain((platform) => {
    const template = templateFor(platform);
    const optional = template.columns.filter((column) => !column.required).map((column) => column.key);
    return fc
      .record({
        delimiter: fc.constantFrom(...Delimiters),
        dateOrder: fc.constantFrom(...DateOrders),
        integrationZone: fc.constantFrom(...IANA_ZONES),
        siteZone: fc.constantFrom(...IANA_ZONES),
        optionalKeys: fc.subarray(optional),
        names: fc.array(fc.nat(), { minLength: template.columns.length, maxLength: template.columns.length }),
        style: fc.nat({ max: styles.length - 1 }),
        extras: fc.subarray(['Notes', 'Skill Group', 'Site']),
        order: fc.nat(),
        fieldsPrefix: fc.constantFrom<FileLayout['fieldsPrefix']>('', '#fields:', '#fields'),
      })
      .map((drawn) => {
        const keys = new Set([...template.columns.filter((column) => column.required).map((column) => column.key), ...drawn.optionalKeys]);
        // An end needs a column: keep the stop/end column when neither of the pair was drawn.
        if (!keys.has('end') && !keys.has('durationMinutes')) keys.add('end');
        const columns = template.columns
          .filter((column) => keys.has(column.key))
          .map((column, position) => {
            const names = [column.header, ...column.aliases];
            return { key: column.key, name: styles[drawn.style](names[drawn.names[position] % names.length]) };
          });
        const header = shuffle([...columns, ...drawn.extras.map((name) => ({ name }))], drawn.order);
        return {
          platform,
          delimiter: drawn.delimiter,
          dateOrder: drawn.dateOrder,
          integrationZone: drawn.integrationZone,
          siteZone: drawn.siteZone,
          header,
          fieldsPrefix: template.hasFieldsLine ? drawn.fieldsPrefix : '',
        };
      });
  });
}

/** A deterministic shuffle from one drawn number, so fast-check can shrink it. */
function shuffle<T>(items: T[], seed: number): T[] {
  const shuffled = [...items];
  let state = seed;
  for (let index = shuffled.length - 1; index > 0; index -= 1) {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    const other = state % (index + 1);
    [shuffled[index], shuffled[other]] = [shuffled[other], shuffled[index]];
  }
  return shuffled;
}

function shiftArbitrary(layout: FileLayout): fc.Arbitrary<Shift> {
  const has = (key: ColumnKey) => layout.header.some((cell) => cell.key === key);
  const forms = FORMS[layout.platform];
  const endForms = forms.end.filter((form) => (form === 'duration' ? has('durationMinutes') : has('end')));
  return fc.record({
    agentId: fc.stringMatching(/^[A-Z0-9][A-Za-z0-9-]{0,9}$/),
    agentName: fc.string({ unit: fc.constantFrom(...NAME_CHARACTERS), maxLength: 14 }).map((name) => name.trim()),
    activity: fc.constantFrom('Phone', 'Break', 'Lunch', 'Training', 'OPEN', 'Email, chat'),
    ownZone: has('timeZone')
      ? fc.option(fc.oneof(fc.constantFrom(...FIXED_OFFSETS), fc.constantFrom(...IANA_ZONES).map((zone): [string, string] => [zone, zone])), { nil: undefined })
      : fc.constant(undefined),
    dayOffset: fc.integer({ min: 0, max: 3650 }),
    startMinute: fc.integer({ min: 0, max: 1439 }),
    minutes: fc.integer({ min: 1, max: 1440 }),
    startForm: fc.constantFrom(...forms.start),
    endForm: fc.constantFrom(...endForms),
    dateFormat: fc.nat(),
    timeFormat: fc.constantFrom(...TIME_FORMATS),
    lowerCaseMeridiem: fc.boolean(),
    isoDate: fc.boolean(),
    isoT: fc.boolean(),
    belongsToPreviousDay: fc.boolean(),
    durationAsClock: fc.boolean(),
  });
}

/** A shift as written in a file, and the row it must read back as; undefined when its times are skipped or repeated. */
interface WrittenShift {
  cells: Map<ColumnKey, string>;
  expected: Omit<IsoRow, 'line'>;
}

function writeShift(layout: FileLayout, shift: Shift): WrittenShift | undefined {
  const has = (key: ColumnKey) => layout.header.some((cell) => cell.key === key);
  const zone = shift.ownZone?.[1] ?? layout.integrationZone;
  const date = DateTime.fromObject({ year: 2020, month: 1, day: 1 }, { zone: 'utc' }).plus({ days: shift.dayOffset });
  const start = DateTime.fromObject({ year: date.year, month: date.month, day: date.day, hour: Math.floor(shift.startMinute / 60), minute: shift.startMinute % 60 }, { zone });
  if (!isPlainLocalTime(start, date.toISODate() ?? '', shift.startMinute)) return undefined;
  const end = DateTime.fromMillis(start.toMillis() + shift.minutes * 60_000, { zone });
  const endForm = shift.endForm === 'clock' && !isClockWritable(start, end) ? 'duration' : shift.endForm;
  if (endForm === 'duration' && !has('durationMinutes')) return undefined;
  if ((endForm === 'clock' || endForm === 'local') && isRepeated(end)) return undefined;

  const cells = new Map<ColumnKey, string>();
  cells.set('agentId', shift.agentId);
  cells.set('agentName', shift.agentName);
  cells.set('activity', shift.activity);
  cells.set('organizationUnit', 'Unit 1');
  cells.set('activityName', 'Some name');
  cells.set('timeZone', shift.ownZone?.[0] ?? '');
  // A schedule day before the start's date needs the start's own date elsewhere: IEX's excDate,
  // or an Alvaria start written with its date.
  const startDated = layout.platform === 'alvaria' ? shift.startForm !== 'clock' : has('segmentDate');
  const previousDay = shift.belongsToPreviousDay && start.hour < 6 && startDated;
  const shownScheduleDay = previousDay ? start.minus({ days: 1 }) : start;
  cells.set('scheduleDate', writeDate(shownScheduleDay, layout, shift));
  cells.set('segmentDate', writeDate(start, layout, shift));
  cells.set('start', writeMoment(start, shift.startForm, layout, shift));
  cells.set('end', endForm === 'duration' ? '' : writeMoment(end, endForm, layout, shift));
  cells.set('durationMinutes', endForm === 'duration' ? writeDuration(shift) : '');

  return {
    cells,
    expected: {
      platformAgentId: shift.agentId,
      ...(shift.agentName && has('agentName') ? { agentName: shift.agentName } : {}),
      activity: shift.activity,
      startAt: start.toUTC().toISO() ?? '',
      endAt: end.toUTC().toISO() ?? '',
      day: start.setZone(layout.siteZone).toISODate() ?? '',
      ...(has('scheduleDate') ? { scheduleDay: shownScheduleDay.toISODate() ?? '' } : {}),
    },
  };
}

/** The wall-clock time exists (luxon did not shift it) and happens only once. */
function isPlainLocalTime(time: DateTime, isoDate: string, minuteOfDay: number): boolean {
  const exists = time.toISODate() === isoDate && time.hour * 60 + time.minute === minuteOfDay;
  return exists && !isRepeated(time);
}

function isRepeated(time: DateTime): boolean {
  const wall = time.toFormat('yyyy-MM-dd HH:mm');
  return [-60, 60].some((minutes) => time.plus({ minutes }).toFormat('yyyy-MM-dd HH:mm') === wall);
}

/** A time-only end reads as the start's date, or the next day when not after the start's time. */
function isClockWritable(start: DateTime, end: DateTime): boolean {
  const startClock = start.hour * 60 + start.minute;
  const endClock = end.hour * 60 + end.minute;
  const days = end.startOf('day').diff(start.startOf('day'), 'days').days;
  const sameDay = end.toISODate() === start.toISODate();
  return (sameDay && endClock > startClock) || (!sameDay && Math.round(days) === 1 && endClock <= startClock);
}

function writeDate(date: DateTime, layout: FileLayout, shift: Shift): string {
  if (shift.isoDate) return date.toFormat('yyyy-MM-dd');
  const formats = DATE_FORMATS[layout.dateOrder];
  return date.toFormat(formats[shift.dateFormat % formats.length]);
}

function writeClock(time: DateTime, shift: Shift): string {
  const text = time.toFormat(shift.timeFormat);
  return shift.lowerCaseMeridiem ? text.toLowerCase() : text;
}

function writeMoment(time: DateTime, form: StartForm, layout: FileLayout, shift: Shift): string {
  if (form === 'clock') return writeClock(time, shift);
  if (form === 'offset') return shift.isoDate ? (time.toISO({ suppressMilliseconds: true }) ?? '') : (time.toUTC().toISO() ?? '');
  if (shift.isoT) return time.toFormat("yyyy-MM-dd'T'HH:mm:ss");
  return `${writeDate(time, layout, shift)} ${writeClock(time, shift)}`;
}

function writeDuration(shift: Shift): string {
  if (!shift.durationAsClock) return String(shift.minutes);
  return `${Math.floor(shift.minutes / 60)}:${String(shift.minutes % 60).padStart(2, '0')}`;
}

function writeFile(layout: FileLayout, shifts: WrittenShift[]): string {
  const names = layout.header.map((cell) => cell.name);
  const header = renderCsvLine(layout.fieldsPrefix === '#fields' ? ['#fields', ...names] : names, layout.delimiter);
  const records = shifts.map((shift) => renderCsvLine(layout.header.map((cell) => (cell.key ? (shift.cells.get(cell.key) ?? '') : 'x')), layout.delimiter));
  return [`${layout.fieldsPrefix === '#fields:' ? '#fields:' : ''}${header}`, ...records].join('\r\n');
}

describe('readRow round trip (property)', () => {
  const fileArbitrary = layoutArbitrary().chain((layout) =>
    fc.record({ layout: fc.constant(layout), shifts: fc.array(shiftArbitrary(layout), { minLength: 1, maxLength: 8 }) }),
  );

  it('reads back the UTC events a file was written from, for every platform', () => {
    fc.assert(
      fc.property(fileArbitrary, ({ layout, shifts }) => {
        const written = shifts.map((shift) => writeShift(layout, shift)).filter((shift): shift is WrittenShift => shift !== undefined);
        fc.pre(written.length > 0);
        const context = { timezone: layout.integrationZone, siteTimezone: layout.siteZone, dateOrder: layout.dateOrder };
        const rows = rowsOf(readScheduleFile(layout.platform, writeFile(layout, written), context));
        expect(rows).toEqual(written.map((shift, position) => ({ line: position + 2, ...shift.expected })));
      }),
      { numRuns: 500 },
    );
  }, 120_000);

  it('reads a repeated local start (fall-back hour) as its earlier instant', () => {
    const repeatedStarts = fc
      .record({
        zone: fc.constantFrom('America/New_York', 'Europe/London', 'Australia/Sydney', 'Pacific/Auckland'),
        year: fc.integer({ min: 2020, max: 2030 }),
        minute: fc.integer({ min: 0, max: 59 }),
        minutes: fc.integer({ min: 1, max: 600 }),
      })
      .map(({ zone, year, minute, minutes }) => {
        const fallBack = fallBackOf(zone, year);
        // The first pass through the repeated hour: an hour before the change, plus some minutes.
        const earlier = fallBack.minus({ hours: 1 }).plus({ minutes: minute });
        return { zone, earlier, minutes };
      });
    fc.assert(
      fc.property(repeatedStarts, ({ zone, earlier, minutes }) => {
        const later = earlier.plus({ hours: 1 });
        expect(later.toFormat('HH:mm')).toBe(earlier.toFormat('HH:mm'));
        const end = later.plus({ minutes }).toUTC().toISO() ?? '';
        const file = `agent_id,start_time,end_time,activity\nA1,${later.toFormat("yyyy-MM-dd'T'HH:mm")},${end},Phone`;
        const [row] = rowsOf(readScheduleFile('custom', file, { timezone: zone, siteTimezone: zone, dateOrder: 'YYYY-MM-DD' }));
        expect(row.startAt).toBe(earlier.toUTC().toISO());
      }),
    );
  }, 60_000);
});

const fallBacks = new Map<string, DateTime>();

/** The instant a zone falls back in a year (its offset shrinks): the day first, then the hour. */
function fallBackOf(zone: string, year: number): DateTime {
  const key = `${zone} ${year}`;
  const known = fallBacks.get(key);
  if (known) return known;
  const firstAfter = (from: DateTime, step: { days: number } | { hours: number }): DateTime => {
    let time = from;
    while (time.plus(step).offset >= time.offset) time = time.plus(step);
    return time;
  };
  const dayBefore = firstAfter(DateTime.fromObject({ year }, { zone: 'utc' }).setZone(zone), { days: 1 });
  const fallBack = firstAfter(dayBefore, { hours: 1 }).plus({ hours: 1 });
  fallBacks.set(key, fallBack);
  return fallBack;
}
