import type { Platform } from '@bpo/contracts';
import { detectDelimiter, readRow, resolveHeader, splitCsvLine, templateFor, type DateOrder, type RowContext, type RowReading } from '@bpo/schedule-time';
import { csvRecords, CsvSyntaxError } from './csv-records.util';
import { DEFAULT_PARSE_LIMITS, limitRows, type ParseLimits } from './file-limits.util';
import { count, decodeText, FileProblem, readHead } from './schedule-text.util';

/** How an integration's files are read: the settings the parser, the file check and the API's dry run share. */
export interface ScheduleFileSettings {
  platform: Platform;
  /** The integration's IANA zone for local times (already defaulted to the site's). */
  timezone: string;
  /** The site's IANA zone: the day an event belongs to is its start's date there. */
  siteTimezone: string;
  dateOrder: DateOrder;
  /** Text encoding of the file (`utf-8`, `windows-1252`, ...). */
  encoding: string;
  /** Lines above the header (a report title) that are skipped. */
  titleLines: number;
  /** The deployment's date horizon (ROW_MAX_DAYS_AHEAD / ROW_MAX_DAYS_BEHIND). */
  rowHorizon: { maxDaysAhead: number; maxDaysBehind: number };
  /** When the file was received (ISO 8601 or epoch ms): rows are judged against it, so a replay reads the file alike. */
  receivedAt: string | number;
}

export interface ScheduleFileOptions {
  limits?: ParseLimits;
  /**
   * The time counted against `limits.maxParseMs` so far. The parser leaves out the time it waits
   * on the broker; by default it is the time since reading started.
   */
  elapsedMs?: () => number;
}

/** What a file held once it was read to its end, or up to the problem that failed it whole. */
export interface ScheduleFileSummary {
  /** Rows read (valid ones and those with a row error; blank and comment lines aside). */
  rowCount: number;
  /** Rows with at least one row error. */
  rowErrorCount: number;
  /** First and last day of the valid rows (site zone, YYYY-MM-DD); absent when none is valid or the file failed. */
  window?: { from: string; to: string };
  /** Why the file fails as a whole (empty, no header, over a limit, not in its encoding, not CSV). */
  failure?: string;
  /** The header's line number, once it was found. */
  headerLine?: number;
}

/**
 * One piece of a file as it streams: the records of one chunk of text (2048 at most), each read
 * into a schedule row or its row problems (`readings`, in file order, blank and comment records included), with
 * the characters of each record's values (`chars`, same index). The last piece is `end`.
 */
export type ScheduleFilePart = { kind: 'records'; readings: RowReading[]; chars: number[] } | { kind: 'end'; summary: ScheduleFileSummary };

/**
 * Reads a schedule file exactly as the pipeline does: decodes its bytes in the integration's
 * encoding, finds the header below the title lines, detects the delimiter, resolves the platform's
 * columns, checks each line and row against the limits before it is split, splits the CSV, and
 * reads each record into a UTC schedule row (readRow). Streams: only the current chunk is held.
 *
 * Yields the records chunk by chunk (one await per chunk or 2048 records, not per row), then one `end` with the
 * counts, the window and, when the file fails as a whole, the reason; records read before such a
 * problem are yielded first. Only a failure of `chunks` itself (a database going away) is thrown.
 */
export async function* readScheduleFile(chunks: AsyncIterable<Buffer>, settings: ScheduleFileSettings, options: ScheduleFileOptions = {}): AsyncGenerator<ScheduleFilePart> {
  const limits = options.limits ?? DEFAULT_PARSE_LIMITS;
  const startedAt = performance.now();
  const elapsedMs = options.elapsedMs ?? (() => performance.now() - startedAt);
  const summary: ScheduleFileSummary = { rowCount: 0, rowErrorCount: 0 };
  let from: string | undefined;
  let to: string | undefined;
  let line = 0;
  let readings: RowReading[] = [];
  let chars: number[] = [];
  try {
    const template = templateFor(settings.platform);
    const head = await readHead(decodeText(chunks, settings.encoding), settings.titleLines, limits.maxLineChars);
    summary.headerLine = head.headerLineNumber;
    const delimiter = detectDelimiter(head.headerLine, template);
    if (!delimiter.ok) throw new FileProblem(`line ${head.headerLineNumber}: ${delimiter.reason}`);
    const headerCells = splitCsvLine(head.headerLine, delimiter.delimiter);
    if (headerCells.length > limits.maxColumns) throw new FileProblem(`line ${count(head.headerLineNumber)} has ${count(headerCells.length)} columns; the limit is ${count(limits.maxColumns)}`);
    const header = resolveHeader(template, headerCells);
    if (!header.ok) throw new FileProblem(`line ${head.headerLineNumber}: ${header.reason}`);
    const columns = header.columns;
    // Rows are judged against the file's received time, so a replay judges them alike; rows out of range never widen the window.
    const context: RowContext = { timezone: settings.timezone, siteTimezone: settings.siteTimezone, dateOrder: settings.dateOrder, horizon: { ...settings.rowHorizon, receivedAt: settings.receivedAt } };

    // Lines and rows are checked before they are split into values (limitRows), so no value is ever unbounded.
    const body = limitRows(head.body, { delimiter: delimiter.delimiter, maxColumns: limits.maxColumns, maxLineChars: limits.maxLineChars, firstLine: head.headerLineNumber + 1 });
    line = head.headerLineNumber;
    try {
      for await (const records of csvRecords(body, delimiter.delimiter)) {
        for (const cells of records) {
          line += 1;
          if ((line & 255) === 0 && elapsedMs() > limits.maxParseMs) {
            throw new FileProblem(`parsing the file took longer than ${minutes(limits.maxParseMs)}, the limit (stopped at line ${count(line)}); split it into smaller files`);
          }
          let recordChars = 0;
          for (const cell of cells) recordChars += cell.length;
          const reading = readRow(template, columns, cells, line, context);
          if (reading.ok) {
            if (summary.rowCount >= limits.maxRows) throw tooManyRows(limits);
            summary.rowCount += 1;
            const day = reading.row.day;
            if (from === undefined || day < from) from = day;
            if (to === undefined || day > to) to = day;
          } else if (reading.problems.length > 0) {
            if (summary.rowCount >= limits.maxRows) throw tooManyRows(limits);
            summary.rowCount += 1;
            summary.rowErrorCount += 1;
          }
          readings.push(reading);
          chars.push(recordChars);
        }
        yield { kind: 'records', readings, chars };
        readings = [];
        chars = [];
      }
    } catch (error) {
      if (error instanceof CsvSyntaxError) throw new FileProblem(`the file is not valid CSV: the row after line ${count(line)}: ${error.message}`);
      throw error;
    }
  } catch (error) {
    if (!(error instanceof FileProblem)) throw error;
    if (readings.length > 0) yield { kind: 'records', readings, chars };
    yield { kind: 'end', summary: { ...summary, failure: error.message } };
    return;
  }
  yield { kind: 'end', summary: from !== undefined && to !== undefined ? { ...summary, window: { from, to } } : summary };
}

function tooManyRows(limits: ParseLimits): FileProblem {
  return new FileProblem(`the file has more than ${count(limits.maxRows)} rows, the limit; split it into smaller files`);
}

function minutes(ms: number): string {
  const value = Math.round((ms / 60_000) * 10) / 10;
  return value === 1 ? '1 minute' : `${value} minutes`;
}
