import { daysBetween } from '@bpo/schedule-time';

/** Every day from `from` to `to` inclusive (YYYY-MM-DD); empty when the window is malformed or reversed. */
export function windowDays(from: string, to: string): string[] {
  try {
    return daysBetween(from, to);
  } catch {
    return [];
  }
}

export interface WindowDays {
  /** Days this file owns from now on. */
  applied: string[];
  /** Days a newer file already owns. */
  superseded: string[];
}

/**
 * Newest file wins, per day: a day is superseded when a file received strictly later was already
 * applied to it. Equal receivedAt is the same file replayed, which applies again (idempotently).
 */
export function splitWindowDays(
  window: { from: string; to: string },
  fileReceivedAt: string,
  dayVersions: ReadonlyMap<string, string>,
): WindowDays {
  const receivedAt = Date.parse(fileReceivedAt);
  const split: WindowDays = { applied: [], superseded: [] };
  for (const day of windowDays(window.from, window.to)) {
    const newest = dayVersions.get(day);
    const isSuperseded = newest !== undefined && Date.parse(newest) > receivedAt;
    (isSuperseded ? split.superseded : split.applied).push(day);
  }
  return split;
}
