import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';
import { PlatformAgentIdFieldNames, Platforms, ReplaceScopes, SyncStatuses, type Platform, type PlatformAgentIdField, type ReplaceScope } from '@bpo/contracts';
import type { SyncRunStatus } from '@bpo/persistence';
import { DateOrders, type DateOrder } from '@bpo/schedule-time';
import { IsOptionalNonNull, IsTimeZone } from '../common/validation.util';
import { SyncErrorResponse } from '../sync/sync-run.dto';

export const Encodings = ['utf-8', 'iso-8859-1', 'windows-1252'] as const;
export type Encoding = (typeof Encodings)[number];
export const MAX_TITLE_LINES = 20;
/** The longest expected cadence: a week. */
export const MAX_EXPECTED_CADENCE_MINUTES = 10_080;

export class ConnectIntegrationDto {
  @ApiProperty({ enum: Platforms }) @IsIn(Platforms)
  platform: Platform;
}

export class UpdateIntegrationDto {
  @ApiPropertyOptional({ format: 'uuid', nullable: true, type: String, description: 'null: the organization\'s default schedule' })
  @IsOptional() @IsUUID()
  targetScheduleId?: string | null;

  @ApiPropertyOptional({ description: 'Also replace events that already started (default false)' }) @IsOptionalNonNull() @IsBoolean()
  syncPastEvents?: boolean;

  @ApiPropertyOptional({ enum: ReplaceScopes, description: 'Whose events a file replaces on the days it covers' }) @IsOptionalNonNull() @IsIn(ReplaceScopes)
  replaceScope?: ReplaceScope;

  @ApiPropertyOptional({ nullable: true, type: String, description: 'IANA zone of local times in files; null: the site\'s' }) @IsOptional() @IsTimeZone()
  timezone?: string | null;

  @ApiPropertyOptional({ enum: DateOrders }) @IsOptionalNonNull() @IsIn(DateOrders)
  dateOrder?: DateOrder;

  @ApiPropertyOptional({ enum: Encodings }) @IsOptionalNonNull() @IsIn(Encodings)
  encoding?: Encoding;

  @ApiPropertyOptional({ minimum: 0, maximum: MAX_TITLE_LINES, description: 'Lines to skip before the header' })
  @IsOptionalNonNull() @Type(() => Number) @IsInt() @Min(0) @Max(MAX_TITLE_LINES)
  titleLines?: number;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: MAX_EXPECTED_CADENCE_MINUTES,
    description: 'Minutes expected between files (default 15); no file for this times the stale multiple marks the integration stale',
  })
  @IsOptionalNonNull() @Type(() => Number) @IsInt() @Min(1) @Max(MAX_EXPECTED_CADENCE_MINUTES)
  expectedCadenceMinutes?: number;
}

export class LastFileResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() filename: string;
  @ApiProperty() sizeBytes: number;
  @ApiProperty({ format: 'date-time' }) receivedAt: string;
}

export class IntegrationResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) siteId: string;
  @ApiProperty() siteName: string;
  @ApiProperty({ enum: Platforms }) platform: Platform;
  @ApiProperty({ enum: PlatformAgentIdFieldNames, description: 'Agent field matched against the agent IDs in files' }) agentIdField: PlatformAgentIdField;
  @ApiProperty() sftpHost: string;
  @ApiProperty() sftpPort: number;
  @ApiProperty() sftpUsername: string;
  @ApiProperty() sshKeyCount: number;
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'null: the organization\'s default schedule' }) targetScheduleId: string | null;
  @ApiProperty() syncPastEvents: boolean;
  @ApiProperty({ enum: ReplaceScopes }) replaceScope: ReplaceScope;
  @ApiProperty({ description: 'Effective IANA zone of local times in files' }) timezone: string;
  @ApiProperty({ description: 'True while the zone follows the site\'s' }) timezoneFromSite: boolean;
  @ApiProperty({ enum: DateOrders }) dateOrder: string;
  @ApiProperty({ enum: Encodings }) encoding: string;
  @ApiProperty() titleLines: number;
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'Event type of activities no rule matches' }) defaultEventTypeId: string | null;
  @ApiProperty() templateUrl: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'When the latest sync run finished (or started, while processing)' }) lastSyncAt: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) lastSyncRunId: string | null;
  @ApiProperty({ enum: ['processing', ...SyncStatuses], nullable: true, type: String }) lastStatus: SyncRunStatus | null;
  @ApiProperty({ type: LastFileResponse, nullable: true }) lastFile: LastFileResponse | null;
  @ApiProperty({ description: 'Minutes expected between files' }) expectedCadenceMinutes: number;
  @ApiProperty({ description: 'No file arrived within the expected cadence times the stale multiple; the next file clears it' }) stale: boolean;
  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'Since when it is stale (its last file, or its creation, plus cadence x multiple)' }) staleSince: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class IntegrationDetailResponse extends IntegrationResponse {
  @ApiProperty({ type: [SyncErrorResponse], description: 'The first 100 errors of the latest sync run; the file report has them all' }) lastErrors: SyncErrorResponse[];
  @ApiProperty() lastErrorCount: number;
}

export class IntegrationListResponse {
  @ApiProperty({ type: [IntegrationResponse] }) items: IntegrationResponse[];
}

export class SftpCredentialsResponse {
  @ApiProperty() host: string;
  @ApiProperty() port: number;
  @ApiProperty() username: string;
  @ApiProperty({ description: 'Shown this once; only a hash is stored' }) password: string;
}

export class ConnectedIntegrationResponse {
  @ApiProperty() integration: IntegrationDetailResponse;
  @ApiProperty() sftp: SftpCredentialsResponse;
  @ApiProperty({ description: 'The schedule template BPOs fill in' }) templateUrl: string;
}
