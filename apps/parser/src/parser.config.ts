import { Type } from 'class-transformer';
import { IsInt, IsNumber, Max, Min } from 'class-validator';
import { DEFAULT_ROW_HORIZON, MAX_HORIZON_DAYS } from '@bpo/schedule-time';
import { ServiceConfig } from '@bpo/service-kit';
import { DEFAULT_PARSE_LIMITS, type ParseLimits } from '@bpo/schedule-file';

/**
 * Rows (and row errors) per Kafka message by default (PARSER_BATCH_ROWS): large enough that
 * per-message costs (a produce round trip and a commit in every stage, a staging transaction in the
 * writer) stay small next to the rows, and small enough that another organization's small file
 * never waits long behind a large file's batch in a stage (about 40 bytes a row in columns).
 * Measured with the bench's million rows while 100-row files of another organization synced: at
 * 3,000 a batch the large file took 31.2 s and the small files' p99 was 0.86 s; at 10,000, 27.7 s
 * and 1.54 s.
 */
export const DEFAULT_BATCH_ROWS = 3000;

export class ParserConfig extends ServiceConfig {
  override HTTP_PORT = 3002;

  /** Characters in one line of a file; a longer line fails the file (it is never buffered whole). */
  @Type(() => Number) @IsInt() @Min(256) @Max(16 * 1024 * 1024)
  PARSER_MAX_LINE_CHARS = DEFAULT_PARSE_LIMITS.maxLineChars;

  /** Columns in one row of a file. */
  @Type(() => Number) @IsInt() @Min(8) @Max(100_000)
  PARSER_MAX_COLUMNS = DEFAULT_PARSE_LIMITS.maxColumns;

  /** Rows in one file. */
  @Type(() => Number) @IsInt() @Min(1) @Max(100_000_000)
  PARSER_MAX_ROWS = DEFAULT_PARSE_LIMITS.maxRows;

  /**
   * Rows per message the parser sends. More makes a large file faster and other files wait
   * longer behind it in each stage (README "Benchmark"); the default keeps a small file's sync
   * under a second while a large one streams.
   */
  @Type(() => Number) @IsInt() @Min(100) @Max(20_000)
  PARSER_BATCH_ROWS = DEFAULT_BATCH_ROWS;

  /** Minutes parsing one file may take (waiting on the broker aside). */
  @Type(() => Number) @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0.1) @Max(24 * 60)
  PARSER_MAX_PARSE_MINUTES = DEFAULT_PARSE_LIMITS.maxParseMs / 60_000;

  /**
   * A row starting more than this many days after the file was received (site time zone) is the
   * row error `date_out_of_range`: a mistyped year must not widen the days the file replaces.
   */
  @Type(() => Number) @IsInt() @Min(1) @Max(MAX_HORIZON_DAYS)
  ROW_MAX_DAYS_AHEAD: number = DEFAULT_ROW_HORIZON.maxDaysAhead;

  /** Likewise for rows starting more than this many days before the file was received. */
  @Type(() => Number) @IsInt() @Min(0) @Max(MAX_HORIZON_DAYS)
  ROW_MAX_DAYS_BEHIND: number = DEFAULT_ROW_HORIZON.maxDaysBehind;
}

export function parseLimitsOf(config: ParserConfig): ParseLimits {
  return {
    maxLineChars: config.PARSER_MAX_LINE_CHARS,
    maxColumns: config.PARSER_MAX_COLUMNS,
    maxRows: config.PARSER_MAX_ROWS,
    maxParseMs: config.PARSER_MAX_PARSE_MINUTES * 60_000,
  };
}
