import { formatTime } from './format.util';

const HOUR_MS = 3_600_000;

/** The zone's offset from UTC at an instant, in ms (e.g. +3,600,000 for Paris in winter). */
function offsetAt(instant: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(new Date(instant));
  const get = (type: string) => Number(parts.find((part) => part.type === type)?.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour') % 24, get('minute'), get('second'));
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/** The instant a local day (YYYY-MM-DD) starts in a zone: its midnight (or, where midnight is skipped, the first moment after). */
export function startOfDayIn(day: string, timeZone: string): number {
  const wall = Date.parse(`${day}T00:00:00Z`);
  let instant = wall - offsetAt(wall, timeZone);
  const second = wall - offsetAt(instant, timeZone);
  if (second !== instant) instant = Math.max(instant, second);
  return instant;
}

export interface TimelineEvent {
  id: string;
  agent: { id: string; name: string };
  eventType: { name: string; color: string | null };
  startAt: string;
  endAt: string;
}

export interface TimelineBlock {
  id: string;
  type: string;
  color: string | null;
  /** Local clock times in the site's zone, e.g. "22:00". */
  start: string;
  end: string;
  /** Position on the day's track, in % of the day's real length (23, 24 or 25 hours). */
  leftPct: number;
  widthPct: number;
  /** The event began the day before / goes on into the next day (the block is cut at the edge). */
  continuesBefore: boolean;
  continuesAfter: boolean;
}

export interface TimelineDay {
  hours: number;
  /** One tick per real hour from the day's start, labelled with the local clock hour (01 twice when clocks go back; no 02 when they go forward). */
  ticks: { label: string; leftPct: number }[];
  rows: { agentId: string; agentName: string; blocks: TimelineBlock[] }[];
}

/**
 * The events of one local day on a timeline: one row per agent (by name), each event a block placed
 * by real elapsed time from the day's start in the site's zone, cut at the day's edges. A DST day is
 * 23 or 25 hours long, so every block sits where its instants are, and the clock labels say the
 * local time.
 */
export function timelineOfDay(events: readonly TimelineEvent[], day: string, timeZone: string): TimelineDay {
  const start = startOfDayIn(day, timeZone);
  const end = startOfDayIn(nextDay(day), timeZone);
  const length = end - start;
  const pct = (ms: number) => Math.round((ms / length) * 100_000) / 1000;
  const ticks = [];
  for (let at = start; at < end; at += HOUR_MS) ticks.push({ label: formatTime(new Date(at).toISOString(), timeZone), leftPct: pct(at - start) });
  const rows = new Map<string, TimelineDay['rows'][number]>();
  for (const event of [...events].sort((a, b) => a.startAt.localeCompare(b.startAt))) {
    const from = Date.parse(event.startAt);
    const to = Date.parse(event.endAt);
    if (to <= start || from >= end) continue;
    const shownFrom = Math.max(from, start);
    const shownTo = Math.min(to, end);
    let row = rows.get(event.agent.id);
    if (!row) rows.set(event.agent.id, (row = { agentId: event.agent.id, agentName: event.agent.name, blocks: [] }));
    row.blocks.push({
      id: event.id,
      type: event.eventType.name,
      color: event.eventType.color,
      start: formatTime(event.startAt, timeZone),
      end: formatTime(event.endAt, timeZone),
      leftPct: pct(shownFrom - start),
      widthPct: pct(shownTo - shownFrom),
      continuesBefore: from < start,
      continuesAfter: to > end,
    });
  }
  return { hours: length / HOUR_MS, ticks, rows: [...rows.values()].sort((a, b) => a.agentName.localeCompare(b.agentName)) };
}

function nextDay(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + 1);
  return date.toISOString().slice(0, 10);
}
