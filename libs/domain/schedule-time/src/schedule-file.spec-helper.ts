import type { Platform } from '@bpo/contracts';
import { splitCsvLine } from './csv-line.util';
import { detectDelimiter, resolveHeader } from './header.util';
import { templateFor } from './platform-template.constant';
import { readRow, type NormalizedRow, type RowContext, type RowReading } from './schedule-row.util';

/**
 * Reads a whole schedule file the way the parser service does (first line: delimiter and header,
 * then one record per line, numbered from 1 like an editor), for tests. Records never span
 * lines here; the parser's CSV layer handles quoted line breaks.
 */
export function readScheduleFile(platform: Platform, text: string, context: RowContext): RowReading[] {
  const template = templateFor(platform);
  const [headerLine, ...lines] = text.split(/\r?\n/);
  const detection = detectDelimiter(headerLine, template);
  if (!detection.ok) throw new Error(detection.reason);
  const header = resolveHeader(template, splitCsvLine(headerLine, detection.delimiter));
  if (!header.ok) throw new Error(header.reason);
  return lines.map((line, position) => readRow(template, header.columns, splitCsvLine(line, detection.delimiter), position + 2, context));
}

/** A row with its instants as ISO 8601 text, the way the tests state them. */
export type IsoRow = Omit<NormalizedRow, 'startAt' | 'endAt'> & { startAt: string; endAt: string };

export function isoRow(row: NormalizedRow): IsoRow {
  return { ...row, startAt: new Date(row.startAt).toISOString(), endAt: new Date(row.endAt).toISOString() };
}

/** The rows of a file (instants as ISO text), failing with the problems when a record is not a row. */
export function rowsOf(readings: RowReading[]): IsoRow[] {
  return readings.filter((reading) => reading.ok || reading.skipped === undefined).map((reading) => {
    if (!reading.ok) throw new Error(`unexpected problems: ${JSON.stringify(reading.problems)}`);
    return isoRow(reading.row);
  });
}
