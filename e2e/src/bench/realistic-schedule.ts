import { closeSync, openSync, writeSync } from 'node:fs';
import { DateTime } from 'luxon';

/**
 * The shape of a real contact-centre export, as the bench uploads it: per agent and day one
 * 8-hour shift in 3-4 segments (Phones 4 h, Lunch 1 h, then Phones 3 h, or on every other day a
 * 15-minute Break and Phones 2 h 45), shift starts varying per agent (06:00-10:00) and a little by
 * day, local times in the site's time zone, days starting `firstDay` days from today. About
 * agents x days x 3.5 rows. Every agent whose number ends in 999, and the last one, is not
 * registered (an agent the BPO still exports after they left): its rows are `unknown_agent`
 * errors, as in real files.
 */
export interface ScheduleShape {
  agents: number;
  days: number;
  /** First day, as an offset from today in `zone`. */
  firstDay: number;
  zone: string;
}

export interface ShapedRow {
  /** 0-based running number of the row in the file (header excluded). */
  index: number;
  agent: number;
  platformId: string;
  name: string;
  /** YYYY-MM-DD, the local day. */
  day: string;
  /** Minutes after local midnight. */
  startMinute: number;
  endMinute: number;
  activity: string;
}

/** What a variant of the file changes: nothing, or about `changedShare` of its rows. */
export interface Variant {
  changedShare: number;
}

const SURNAMES = ['Reyes', 'Santos', 'Cruz', 'Bautista', 'Garcia', 'Mendoza', 'Torres', 'Müller', 'Smith', 'Nguyen', 'Okafor', 'Kowalski', 'Ramos', 'Lim'];
const GIVEN = ['Ana', 'Jose', 'Maria', 'Mark', 'Grace', 'John', 'Jörg', 'Li', 'Chidi', 'Ewa', 'Paolo', 'Joy', 'Rey', 'Kim', 'Lea'];

export const agentsForRows = (rows: number, days: number) => Math.max(1, Math.round(rows / (days * 3.5)));
export const platformIdOf = (agent: number) => `E${String(10_000 + agent)}`;
export const isRegistered = (agent: number, agents: number) => agent % 1000 !== 999 && agent !== agents - 1;
export const nameOf = (agent: number) => `${SURNAMES[agent % SURNAMES.length]}, ${GIVEN[(agent * 7) % GIVEN.length]} ${agent}`;

/** Whether row `index` is among the changed ones of a variant (a fixed, well-spread pseudo-random choice). */
function isChanged(index: number, variant: Variant): boolean {
  if (variant.changedShare <= 0) return false;
  return ((Math.imul(index + 1, 2654435761) >>> 0) % 10_000) < variant.changedShare * 10_000;
}

export function* shapedRows(shape: ScheduleShape, variant: Variant = { changedShare: 0 }): Generator<ShapedRow> {
  const today = DateTime.now().setZone(shape.zone).startOf('day');
  const days = Array.from({ length: shape.days }, (_, d) => today.plus({ days: shape.firstDay + d }).toISODate()!);
  let index = 0;
  for (let agent = 0; agent < shape.agents; agent += 1) {
    const platformId = platformIdOf(agent);
    const name = nameOf(agent);
    for (let d = 0; d < days.length; d += 1) {
      const start = 360 + ((agent * 7) % 17) * 15 + ((agent + d) % 5 === 0 ? 30 : 0);
      const segments: Array<[number, number, string]> = [
        [start, start + 240, 'Phones'],
        [start + 240, start + 300, 'Lunch'],
      ];
      if ((agent + d) % 2 === 0) segments.push([start + 300, start + 315, 'Break'], [start + 315, start + 480, 'Phones']);
      else segments.push([start + 300, start + 480, 'Phones']);
      for (const [startMinute, endMinute, activity] of segments) {
        const row: ShapedRow = { index, agent, platformId, name, day: days[d], startMinute, endMinute, activity };
        if (isChanged(index, variant)) {
          // A moved start for a long Phones segment, else another activity.
          if (activity === 'Phones' && index % 2 === 0) row.startMinute += 15;
          else row.activity = 'Live chat';
        }
        index += 1;
        yield row;
      }
    }
  }
}

const hhmm = (minute: number) => `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}:00`;

/** Writes the rows as a Custom-template CSV (local date-times, quoted names, CRLF); returns rows and bytes. */
export function writeCustomCsv(path: string, rows: Iterable<ShapedRow>): { rows: number; bytes: number } {
  const fd = openSync(path, 'w');
  let count = 0;
  let bytes = 0;
  let buffer = 'agent_id,agent_name,start_time,end_time,activity\r\n';
  try {
    for (const row of rows) {
      buffer += `${row.platformId},"${row.name}",${row.day}T${hhmm(row.startMinute)},${row.day}T${hhmm(row.endMinute)},${row.activity}\r\n`;
      count += 1;
      if (buffer.length > 1 << 20) {
        bytes += writeSync(fd, buffer);
        buffer = '';
      }
    }
    bytes += writeSync(fd, buffer);
  } finally {
    closeSync(fd);
  }
  return { rows: count, bytes };
}

/** UTC milliseconds of a local time on a day; shifts run 06:00-19:00, clear of any DST switch at night. */
export function utcClock(zone: string): (day: string, minute: number) => number {
  const offsets = new Map<string, number>();
  return (day, minute) => {
    let offset = offsets.get(day);
    if (offset === undefined) {
      offset = DateTime.fromISO(`${day}T12:00:00`, { zone }).offset;
      offsets.set(day, offset);
    }
    return Date.parse(`${day}T00:00:00Z`) + (minute - offset) * 60_000;
  };
}
