import { Type } from 'class-transformer';
import { IsInt, IsNumber, Max, Min } from 'class-validator';
import { ServiceConfig } from '@bpo/service-kit';

export class ScheduleWriterConfig extends ServiceConfig {
  override HTTP_PORT = 3005;

  /**
   * Staged rows applied at once (a range of whole days): bounds the writer's memory whatever the
   * file's size, at about 1 KB per row (the file's and the stored events of the range).
   */
  @Type(() => Number) @IsInt() @Min(1) @Max(1_000_000)
  WRITER_ROWS_PER_RANGE = 25_000;

  /** A processing sync run with no progress this long (minutes) is failed, to be replayed (see stuck-runs.ts). */
  @Type(() => Number) @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0.1) @Max(7 * 24 * 60)
  STUCK_RUN_MINUTES = 30;
}
