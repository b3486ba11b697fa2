const DAY_MS = 86_400_000;
const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Every day from `from` to `to` inclusive (YYYY-MM-DD); empty when the window is malformed or reversed. */
export function windowDays(from: string, to: string): string[] {
  const first = dayEpoch(from);
  const last = dayEpoch(to);
  if (first === null || last === null) return [];
  const days: string[] = [];
  for (let epoch = first; epoch <= last; epoch += DAY_MS) days.push(new Date(epoch).toISOString().slice(0, 10));
  return days;
}

function dayEpoch(day: string): number | null {
  const parts = DAY_PATTERN.exec(day);
  if (!parts) return null;
  const epoch = Date.UTC(Number(parts[1]), Number(parts[2]) - 1, Number(parts[3]));
  // Date.UTC rolls 2025-02-30 over to March: such a day does not exist
  return new Date(epoch).toISOString().slice(0, 10) === day ? epoch : null;
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
