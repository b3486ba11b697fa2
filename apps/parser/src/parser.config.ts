import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { ServiceConfig } from '@bpo/service-kit';
import { DEFAULT_ROW_HORIZON, MAX_HORIZON_DAYS } from '@bpo/schedule-time';

export class ParserConfig extends ServiceConfig {
  override HTTP_PORT = 3002;

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
