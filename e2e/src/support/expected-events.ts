import { DateTime } from 'luxon';
import { eventKey } from './fixtures';

export type CsvRow = [agentId: string, start: string, end: string, activity: string];

/** What the mapping rules of `arrangeOrganization` make of the activities these tests write. */
export const EVENT_TYPE_OF: Record<string, string> = { Phones: 'Phones', 'BRK-15': 'Break', Lunch: 'Lunch', 'Live chat': 'Chat', chat: 'Chat' };

/**
 * The events an integration's schedule must hold after its files were applied in `files` order
 * (each received after the one before), computed independently of the services: a file replaces,
 * for each agent in it, every day from its first to its last day (site zone), and the newest
 * received file wins each day. Every row must be valid, mapped, of a known agent and in the future.
 */
export function expectedEvents(files: CsvRow[][], zone = 'America/New_York'): string[] {
  const dayOf = (instant: string) => DateTime.fromISO(instant, { setZone: true }).setZone(zone).toISODate()!;
  const byAgentDay = new Map<string, string[]>();
  for (const rows of files) {
    const days = rows.map((row) => dayOf(row[1])).sort();
    const [from, to] = [days[0], days[days.length - 1]];
    for (const agent of new Set(rows.map((row) => row[0]))) {
      for (const key of [...byAgentDay.keys()]) {
        const [keyAgent, day] = key.split(' ');
        if (keyAgent === agent && day >= from && day <= to) byAgentDay.delete(key);
      }
    }
    for (const [agent, start, end, activity] of rows) {
      const key = `${agent} ${dayOf(start)}`;
      const type = EVENT_TYPE_OF[activity];
      if (!type) throw new Error(`no event type for activity ${activity}`);
      byAgentDay.set(key, [...(byAgentDay.get(key) ?? []), eventKey(agent, start, end, type)]);
    }
  }
  return [...byAgentDay.values()].flat().sort();
}
