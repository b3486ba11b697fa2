import { ApiProperty } from '@nestjs/swagger';
import { SyncStatuses, type SyncStatus } from '@bpo/contracts';
import { DayWindowResponse, SyncCountsResponse, SyncErrorResponse } from '../sync/sync-run.dto';

export class FileCheckDaysResponse {
  @ApiProperty({ type: [String], description: 'Window days the file would own (newest file wins per day)' }) applied: string[];
  @ApiProperty({ type: [String], description: 'Window days a file received later already owns: left untouched' }) superseded: string[];
}

export class FileCheckErrorsResponse {
  @ApiProperty({ type: [SyncErrorResponse], description: 'The first row errors, by line; unknown agents folded into one per platform agent id (as a sync reports them)' })
  items: SyncErrorResponse[];
  @ApiProperty({ description: 'How many there are in all' }) total: number;
}

/** What a sync of the file would do now, computed without applying anything. */
export class FileCheckResponse {
  @ApiProperty({ enum: ['failed', ...SyncStatuses], description: 'The status a sync of the file would end with' }) status: SyncStatus | 'failed';
  @ApiProperty({ nullable: true, type: String, description: 'Why the file fails as a whole (then nothing else is computed)' }) reason: string | null;
  @ApiProperty({ type: SyncCountsResponse }) counts: SyncCountsResponse;
  @ApiProperty({ type: DayWindowResponse, nullable: true, description: 'First and last day the file covers' }) window: DayWindowResponse | null;
  @ApiProperty({ type: FileCheckDaysResponse }) days: FileCheckDaysResponse;
  @ApiProperty({ type: FileCheckErrorsResponse }) errors: FileCheckErrorsResponse;
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'The schedule a sync would write to' }) scheduleId: string | null;
  @ApiProperty({ format: 'date-time', description: 'The file is checked as if received at this time (horizon, past events, newest wins)' }) checkedAt: string;
}
