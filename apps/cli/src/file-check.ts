import { createReadStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { isPlatform, Platforms, type Platform } from '@bpo/contracts';
import { count, DEFAULT_PARSE_LIMITS, readScheduleFile, SupportedEncodings, type ScheduleFileSettings, type ScheduleFileSummary } from '@bpo/schedule-file';
import { DateOrders, DEFAULT_ROW_HORIZON, isDateOrder, isValidTimeZone, MAX_HORIZON_DAYS, templateFor, type RowProblem } from '@bpo/schedule-time';

/** Exit codes of `bpo-sync check`. */
export const ExitCode = { Clean: 0, RowErrors: 1, FileFailed: 2 } as const;

export interface Output {
  write(text: string): unknown;
}

/** What `check` found in a file: the same rows, row errors and window the pipeline would find. */
export interface FileCheckReport {
  file: string;
  /** Why the file fails as a whole (the pipeline would apply none of it), or null. */
  failure: string | null;
  rows: number;
  /** Rows with at least one row error. */
  rowErrors: number;
  window: { from: string; to: string } | null;
  /** Days of the window (every day from the first to the last: the days a sync replaces). */
  windowDays: number;
  /** Days with at least one valid row. */
  daysWithRows: number;
  /** Distinct platform agent ids of the valid rows. */
  agents: number;
  /** Every row error, in file order. */
  errors: Array<{ line: number; column: string | null; code: string; message: string }>;
}

export const USAGE = `usage: bpo-sync check --platform <platform> --timezone <IANA zone> [options] <file.csv>

Reads a schedule file exactly as the platform's parser does, uploads nothing, and prints every row
error with its line, then the file's window, days, agents and rows.

options:
  --platform <p>         ${Platforms.join(', ')} (required)
  --timezone <zone>      the zone local times are in, e.g. America/Chicago (required)
  --site-timezone <zone> the site's zone, whose dates are the days events belong to (default: --timezone)
  --date-order <order>   ${DateOrders.join(', ')} (default: the platform's)
  --encoding <name>      ${SupportedEncodings.join(', ')} or another iconv-lite name (default: utf-8)
  --title-lines <n>      lines above the header to skip (default: 0)
  --received-at <iso>    when the file counts as received, for the date horizon (default: now)
  --max-days-ahead <n>   rows starting later than this many days after that are errors (default: ${DEFAULT_ROW_HORIZON.maxDaysAhead})
  --max-days-behind <n>  rows starting earlier than this many days before that are errors (default: ${DEFAULT_ROW_HORIZON.maxDaysBehind})
  --json                 print one JSON document instead of text

exit code: 0 no row errors, 1 row errors, 2 the file fails as a whole or the arguments are wrong
`;

class UsageError extends Error {}

interface CheckArgs {
  file: string;
  json: boolean;
  settings: ScheduleFileSettings;
}

function integer(name: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max}`);
  return value;
}

export function parseCheckArgs(argv: readonly string[], now: Date = new Date()): CheckArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        platform: { type: 'string' },
        timezone: { type: 'string' },
        'site-timezone': { type: 'string' },
        'date-order': { type: 'string' },
        encoding: { type: 'string' },
        'title-lines': { type: 'string' },
        'received-at': { type: 'string' },
        'max-days-ahead': { type: 'string' },
        'max-days-behind': { type: 'string' },
        json: { type: 'boolean' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'name the file to check' : `one file at a time (got ${positionals.length})`);
  const platform = values.platform;
  if (!isPlatform(platform)) throw new UsageError(`--platform must be one of ${Platforms.join(', ')}`);
  const timezone = values.timezone;
  if (!timezone || !isValidTimeZone(timezone)) throw new UsageError('--timezone must be an IANA time zone, e.g. America/Chicago');
  const siteTimezone = values['site-timezone'] ?? timezone;
  if (!isValidTimeZone(siteTimezone)) throw new UsageError('--site-timezone must be an IANA time zone, e.g. America/Chicago');
  const dateOrder = values['date-order'] ?? templateFor(platform as Platform).defaultDateOrder;
  if (!isDateOrder(dateOrder)) throw new UsageError(`--date-order must be one of ${DateOrders.join(', ')}`);
  const receivedText = values['received-at'];
  const receivedAt = receivedText === undefined ? now.getTime() : Date.parse(receivedText);
  if (Number.isNaN(receivedAt)) throw new UsageError('--received-at must be an ISO 8601 time, e.g. 2026-11-25T10:00:00Z');
  return {
    file: positionals[0],
    json: values.json ?? false,
    settings: {
      platform,
      timezone,
      siteTimezone,
      dateOrder,
      encoding: values.encoding ?? 'utf-8',
      titleLines: integer('title-lines', values['title-lines'], 0, 0, 100),
      rowHorizon: {
        maxDaysAhead: integer('max-days-ahead', values['max-days-ahead'], DEFAULT_ROW_HORIZON.maxDaysAhead, 1, MAX_HORIZON_DAYS),
        maxDaysBehind: integer('max-days-behind', values['max-days-behind'], DEFAULT_ROW_HORIZON.maxDaysBehind, 0, MAX_HORIZON_DAYS),
      },
      receivedAt,
    },
  };
}

/**
 * Checks one file: streams it through the shared reader (@bpo/schedule-file) with the parser's
 * default limits, calling `onError` for each row error as it is read (a file of many errors is
 * never held whole for the text output).
 */
export async function checkFile(file: string, settings: ScheduleFileSettings, onError: (problem: RowProblem) => void): Promise<Omit<FileCheckReport, 'errors'>> {
  const days = new Set<string>();
  const agents = new Set<string>();
  let summary: ScheduleFileSummary = { rowCount: 0, rowErrorCount: 0 };
  let failure: string | null = null;
  try {
    for await (const part of readScheduleFile(createReadStream(file), settings, { limits: DEFAULT_PARSE_LIMITS })) {
      if (part.kind === 'end') {
        summary = part.summary;
        continue;
      }
      for (const reading of part.readings) {
        if (reading.ok) {
          days.add(reading.row.day);
          agents.add(reading.row.platformAgentId);
        } else {
          for (const problem of reading.problems) onError(problem);
        }
      }
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'EACCES') throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
    throw error;
  }
  failure = summary.failure ?? null;
  const window = summary.window ?? null;
  return {
    file,
    failure,
    rows: summary.rowCount,
    rowErrors: summary.rowErrorCount,
    window,
    windowDays: window ? Math.round((Date.parse(window.to) - Date.parse(window.from)) / 86_400_000) + 1 : 0,
    daysWithRows: failure ? 0 : days.size,
    agents: failure ? 0 : agents.size,
  };
}

function exitCodeOf(report: { failure: string | null; rowErrors: number }): number {
  if (report.failure) return ExitCode.FileFailed;
  return report.rowErrors > 0 ? ExitCode.RowErrors : ExitCode.Clean;
}

function describeError(problem: { line: number; column?: string | null; code: string; message: string }): string {
  return `line ${problem.line}${problem.column ? `, ${problem.column}` : ''}: ${problem.code}: ${problem.message}\n`;
}

/** `bpo-sync <command> ...`: answers the exit code. */
export async function runCli(argv: readonly string[], stdout: Output, stderr: Output, now: Date = new Date()): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    (command === undefined ? stderr : stdout).write(USAGE);
    return command === undefined ? ExitCode.FileFailed : ExitCode.Clean;
  }
  if (command !== 'check') {
    stderr.write(`bpo-sync: unknown command "${command}"\n\n${USAGE}`);
    return ExitCode.FileFailed;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    stdout.write(USAGE);
    return ExitCode.Clean;
  }
  try {
    const args = parseCheckArgs(rest, now);
    if (args.json) {
      const errors: FileCheckReport['errors'] = [];
      const report = await checkFile(args.file, args.settings, (problem) => errors.push({ line: problem.line, column: problem.column ?? null, code: problem.code, message: problem.message }));
      stdout.write(`${JSON.stringify({ ...report, errors }, null, 2)}\n`);
      return exitCodeOf(report);
    }
    const report = await checkFile(args.file, args.settings, (problem) => stdout.write(describeError(problem)));
    if (report.failure) {
      stdout.write(`${report.file}: the file fails as a whole: ${report.failure}\n`);
      stdout.write(`nothing of it would be applied (${count(report.rows)} rows read before the problem)\n`);
      return ExitCode.FileFailed;
    }
    const window = report.window ? `${report.window.from} to ${report.window.to} (${count(report.windowDays)} day${report.windowDays === 1 ? '' : 's'}, ${count(report.daysWithRows)} with rows)` : 'none (no valid row)';
    stdout.write(`${report.file}: ${count(report.rows)} rows, ${count(report.rowErrors)} with errors\n`);
    stdout.write(`window: ${window}\n`);
    stdout.write(`agents: ${count(report.agents)}\n`);
    return exitCodeOf(report);
  } catch (error) {
    if (error instanceof UsageError) {
      stderr.write(`bpo-sync check: ${error.message}\n\n${USAGE}`);
      return ExitCode.FileFailed;
    }
    throw error;
  }
}
