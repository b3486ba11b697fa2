import { windowDays } from './window-days.util';

/**
 * Splits a file's window into consecutive day ranges of at most about `maxRows` staged rows each,
 * so a file is applied in bounded pieces whatever its size. Days are the unit: an agent's day is
 * replaced whole, so one day with more rows than `maxRows` is a range of its own. Days without rows
 * are kept (the file still replaces them) and ride along with their neighbours.
 */
export function windowChunks(window: { from: string; to: string }, rowsPerDay: ReadonlyMap<string, number>, maxRows: number): Array<{ from: string; to: string }> {
  const chunks: Array<{ from: string; to: string }> = [];
  let current: { from: string; to: string } | null = null;
  let rows = 0;
  for (const day of windowDays(window.from, window.to)) {
    const dayRows = rowsPerDay.get(day) ?? 0;
    if (current && rows + dayRows > maxRows) {
      chunks.push(current);
      current = null;
      rows = 0;
    }
    if (current) current.to = day;
    else current = { from: day, to: day };
    rows += dayRows;
  }
  if (current) chunks.push(current);
  return chunks;
}
