import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';
import { PipelineStages, SyncStatuses, type PipelineStage } from '@bpo/contracts';
import type { SyncCounts, SyncRunStatus } from '@bpo/persistence';
import { PageQuery } from '../common/pagination.util';

const RUN_STATUSES = ['processing', ...SyncStatuses];

export class SyncCountsResponse {
  @ApiProperty() rows: number;
  @ApiProperty() created: number;
  @ApiProperty() updated: number;
  @ApiProperty() deleted: number;
  @ApiProperty() unchanged: number;
  @ApiProperty() skippedPast: number;
  @ApiProperty() rowErrors: number;
}

export class DayWindowResponse {
  @ApiProperty({ format: 'date' }) from: string;
  @ApiProperty({ format: 'date' }) to: string;
}

/** A message of the run that could never be published: kept in the outbox's dead letters, with why. */
export class UndeliveredMessageResponse {
  @ApiProperty({ description: 'The topic it was meant for, e.g. bpo.schedule.events-changed.v1' }) topic: string;
  @ApiProperty() reason: string;
  @ApiProperty({ format: 'date-time' }) failedAt: string;
}

/** One processing of one file: its outcome, counts and timings. */
export class SyncRunResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: RUN_STATUSES }) status: SyncRunStatus;
  @ApiProperty({ enum: PipelineStages, nullable: true, description: 'Where a failed run failed' }) stage: PipelineStage | null;
  @ApiProperty({ nullable: true, type: String }) reason: string | null;
  @ApiProperty({ type: SyncCountsResponse, nullable: true }) counts: SyncCounts | null;
  @ApiProperty({ type: DayWindowResponse, nullable: true, description: 'First and last day the file covers' }) window: DayWindowResponse | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) scheduleId: string | null;
  @ApiProperty({ format: 'date-time' }) startedAt: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) finishedAt: string | null;
  @ApiProperty({ nullable: true, type: Number, description: 'finishedAt - startedAt, in milliseconds' }) durationMs: number | null;
  @ApiProperty({
    type: [UndeliveredMessageResponse],
    description: "Messages of the run (its sync status, its events-changed parts) that could never be published; empty when all went out. The schedule itself was written.",
  })
  undelivered: UndeliveredMessageResponse[];
}

export class SyncErrorResponse {
  @ApiProperty({ description: 'Line of the file (1-based; 0 for the whole file)' }) line: number;
  @ApiProperty({ nullable: true, type: String }) column: string | null;
  @ApiProperty() code: string;
  @ApiProperty() message: string;
}

export class FileResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() filename: string;
  @ApiProperty() sizeBytes: number;
  @ApiProperty() sha256: string;
  @ApiProperty({ format: 'date-time' }) receivedAt: string;
  @ApiProperty({ type: SyncRunResponse, nullable: true, description: 'The latest sync run of the file' }) syncRun: SyncRunResponse | null;
}

export class FileListResponse {
  @ApiProperty({ type: [FileResponse] }) items: FileResponse[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export class SyncErrorPage {
  @ApiProperty({ type: [SyncErrorResponse] }) items: SyncErrorResponse[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as cursor for the next errors' }) nextCursor: string | null;
  @ApiProperty({ description: 'All errors of the sync run' }) total: number;
}

export class FileReportResponse extends FileResponse {
  @ApiProperty({ type: [SyncRunResponse], description: 'Every sync run of the file, newest first' }) syncRuns: SyncRunResponse[];
  @ApiProperty({ type: SyncErrorPage, description: 'Errors of the reported sync run (the latest unless syncRunId is given), paged' }) errors: SyncErrorPage;
}

export class FileReportQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid', description: 'Report this sync run instead of the latest' }) @IsOptional() @IsUUID()
  syncRunId?: string;
}

export class ReplayResponse {
  @ApiProperty({ format: 'uuid', description: 'The new sync run; follow it on GET .../files/{fileId}' }) syncRunId: string;
}
