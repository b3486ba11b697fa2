import { Type } from 'class-transformer';
import {
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsNumber,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Min,
  MinLength,
  Validate,
  ValidateNested,
} from 'class-validator';
import { AgentDayColumnsShape, DayListShape, ResolvedIdsShape, RowColumnsShape, RowErrorsShape, TextListShape } from './row-batch.validator';
import { Platforms, type Platform } from './platform.constant';
import { PipelineStages, RowErrorCodes, SyncStatuses, type PipelineStage, type RowErrorCode, type SyncStatus } from './sync.constant';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Fields every pipeline message carries, so any stage can correlate and report on a file. */
export abstract class PipelineEnvelopeV1 {
  /** Unique per message, and deterministic per content: a re-sent message keeps its id, so consumers can drop repeats. */
  @IsString() @MinLength(1) messageId: string;
  @IsISO8601() occurredAt: string;
  @IsUUID() organizationId: string;
  @IsUUID() integrationId: string;
  @IsUUID() fileId: string;
  /** One processing of one file; a replay of the same file is a new sync run. */
  @IsUUID() syncRunId: string;
}

/**
 * The integration's settings as they were when its file was announced, so the stages read them
 * from the messages rather than each reading the integration again (a setting changed later applies
 * from the next file on). The file's bytes stay in the database, behind its `fileId`.
 */
export class FileSettingsV1 {
  @IsUUID() siteId: string;
  /** The integration's time zone, defaulted to its site's. */
  @IsString() @MinLength(1) timezone: string;
  @IsString() @MinLength(1) siteTimezone: string;
  /** A platform template date order (schedule-time's DateOrders; contracts import nothing of ours, so the parser checks it). */
  @IsString() @MinLength(1) dateOrder: string;
  @IsString() @MinLength(1) encoding: string;
  /** Title lines above the header. */
  @IsInt() @Min(0) titleLines: number;
}

export class FileReceivedV1 extends PipelineEnvelopeV1 {
  @IsString() filename: string;
  @IsInt() @Min(0) sizeBytes: number;
  @Matches(/^[0-9a-f]{64}$/) sha256: string;
  @IsISO8601() receivedAt: string;
  @IsIn(Platforms) platform: Platform;
  /**
   * Additive: every file announced since messages carried settings has them; a message queued
   * before that has none, and the parser then reads them from the integration.
   */
  @IsOptional() @ValidateNested() @Type(() => FileSettingsV1) settings?: FileSettingsV1;
  /**
   * Additive: when true the parser sends every row, leaving out none of the agent-days that are
   * unchanged since they were stored. Set when the writer found that what it stored changed while
   * the file was read (a sync run then reads the file again, in full).
   */
  @IsOptional() @IsBoolean() readInFull?: boolean;
}

/** A row problem, reported with its line (1-based, as a text editor counts) and column when known. */
export class RowErrorV1 {
  @IsInt() @Min(0) line: number;
  @IsOptional() @IsString() column?: string;
  @IsIn(RowErrorCodes) code: RowErrorCode;
  @IsString() message: string;
  /** The platform agent id or activity the error is about, for grouping (e.g. unknown_agent per id). */
  @IsOptional() @IsString() subject?: string;
}

export class DayWindowV1 {
  @Matches(DAY) from: string;
  @Matches(DAY) to: string;
}

/**
 * A batch's rows, column by column: row i is `line[i]`, `agent[i]`, ... Columnar, with the batch's
 * repeated texts (agent ids, activities, days) listed once and named by position, because every
 * stage decodes and re-encodes every batch: a row costs about 40 bytes this way, where a JSON object
 * per row cost about 300, and most of the pipeline's CPU went to reading and writing those objects.
 */
export interface RowColumnsV2 {
  /** 1-based line of the row in the file, as a text editor counts. */
  line: number[];
  /** Position in the batch's `platformAgentIds`. */
  agent: number[];
  /** Position in the batch's `activities`. */
  activity: number[];
  /** UTC instants, milliseconds since the epoch. */
  startAt: number[];
  endAt: number[];
  /** Position in the batch's `days`: the day the event belongs to (its start's date in the site's time zone). */
  day: number[];
}

/**
 * The agent-days a batch closes, one entry per run of a file's consecutive rows for one agent and
 * day: entry i is `agent[i]`, `day[i]`, ... A run's rows travel in the same batch as its entry.
 * `digest` is the sum, modulo 2^52, of a 52-bit hash of each of its rows (activity, start, end;
 * see @bpo/snapshot-sync agent-day-digest), so it does not depend on the rows' order. `skipped`
 * is 1 when the parser left the rows out because their digest equals the one stored for that
 * agent-day when it was last applied: the writer then keeps the stored events, once it has
 * checked that nothing they depend on changed since.
 */
export interface AgentDayColumnsV2 {
  /** Position in the batch's `platformAgentIds`. */
  agent: number[];
  /** Position in the batch's `days`. */
  day: number[];
  digest: number[];
  /** Rows in the run. */
  rows: number[];
  /** 1 when the rows were left out (unchanged), else 0. */
  skipped: number[];
}

/**
 * A bounded batch of a file's rows: many rows per message, never a whole file. The parser fills
 * the rows; mapping adds `eventTypeIds` (one per activity), agent-resolution `agentIds` (one per
 * platform agent id). A row goes on to the schedule when both of its entries are set; a row whose
 * activity maps to nothing or whose agent is unknown is instead one of the batch's row errors.
 */
export class RowsBatchV2 extends PipelineEnvelopeV1 {
  /** Taken as parsed (no class-transformer copy) and checked by the plain-code validators. */
  static readonly passThrough = ['rows', 'errors', 'platformAgentIds', 'activities', 'days', 'eventTypeIds', 'agentIds', 'agentDays'] as const;
  @IsIn(['rows']) kind: 'rows';
  /** 0-based position of the batch in its file. */
  @IsInt() @Min(0) sequence: number;
  /**
   * The integration's site and platform, from the file's announcement (FileSettingsV1), carried on
   * by every stage: agent-resolution finds agents by them. Absent in batches of a file announced
   * without settings; agent-resolution then reads them from the integration.
   */
  @IsOptional() @IsUUID() siteId?: string;
  @IsOptional() @IsIn(Platforms) platform?: Platform;
  /** The batch's distinct platform agent ids, activities and days, which the row columns name by position. */
  @Validate(TextListShape) platformAgentIds: string[];
  @Validate(TextListShape) activities: string[];
  @Validate(DayListShape) days: string[];
  /** Checked column by column in plain code (row-batch.validator.ts). */
  @Validate(RowColumnsShape) rows: RowColumnsV2;
  /**
   * Additive: the agent-days this batch closes (see AgentDayColumnsV2). Absent in batches of a
   * parser that predates it; the writer then applies the rows as before and skips nothing.
   */
  @IsOptional() @Validate(AgentDayColumnsShape) agentDays?: AgentDayColumnsV2;
  /** Set by mapping: the event type of each activity, or null when no rule maps it. */
  @IsOptional() @Validate(ResolvedIdsShape, ['activities']) eventTypeIds?: Array<string | null>;
  /** Set by agent-resolution: the agent of each platform agent id, or null when no agent of the site has it. */
  @IsOptional() @Validate(ResolvedIdsShape, ['platformAgentIds']) agentIds?: Array<string | null>;
  /** Checked to the rules of RowErrorV1. */
  @Validate(RowErrorsShape) errors: RowErrorV1[];
}

export class FileFailureV1 {
  @IsIn(PipelineStages) stage: PipelineStage;
  @IsString() reason: string;
}

/** The parser's last word on a file: how many batches and rows it produced and which days it covers. */
/** The run that last applied a day, as the parser read it. */
export class DayApplierV1 {
  @Matches(DAY) day: string;
  @IsUUID() syncRunId: string;
}

/** See FileEndV1.comparedWith. */
export class AgentDayBasisV1 {
  /** `sites.agent_ids_version` as a decimal string (a bigint). */
  @Matches(/^\d{1,19}$/) agentIdsVersion: string;
  @IsArray() @ValidateNested({ each: true }) @Type(() => DayApplierV1) days: DayApplierV1[];
}

export class FileEndV1 extends PipelineEnvelopeV1 {
  @IsIn(['end']) kind: 'end';
  @IsInt() @Min(0) batchCount: number;
  @IsInt() @Min(0) rowCount: number;
  @IsInt() @Min(0) rowErrorCount: number;
  /** First and last day covered, in the site's time zone; absent when no row was valid. */
  @IsOptional() @ValidateNested() @Type(() => DayWindowV1) window?: DayWindowV1;
  /** Set when the whole file failed (e.g. no header); then batchCount is 0. */
  @IsOptional() @ValidateNested() @Type(() => FileFailureV1) failure?: FileFailureV1;
  @IsString() filename: string;
  @IsISO8601() receivedAt: string;
  /**
   * Agent-day entries the batches sent for an agent-day they had sent an entry for already (a file
   * that lists an agent-day in several places). 0 spares the writer looking for them; absent (a
   * parser that did not count) means they may be any.
   */
  @IsOptional() @IsInt() @Min(0) repeatedAgentDays?: number;
  /**
   * What the parser compared the file's agent-days with when it left some out: each day's last
   * applier then, and the site's agent-ID version then. Absent when it compared with nothing; the
   * writer then checks left-out agent-days entry by entry.
   */
  @IsOptional() @ValidateNested() @Type(() => AgentDayBasisV1) comparedWith?: AgentDayBasisV1;
}

export type FileMessageV1 = RowsBatchV2 | FileEndV1;

/** A message that could not be processed (dead-lettered); the file it belongs to is reported failed. */
export class FileFailedV1 extends PipelineEnvelopeV1 {
  @ValidateNested() @Type(() => FileFailureV1) failure: FileFailureV1;
}

export class SyncCountsV1 {
  @IsInt() @Min(0) rows: number;
  @IsInt() @Min(0) created: number;
  @IsInt() @Min(0) updated: number;
  @IsInt() @Min(0) deleted: number;
  @IsInt() @Min(0) unchanged: number;
  @IsInt() @Min(0) skippedPast: number;
  @IsInt() @Min(0) rowErrors: number;
}

export class SyncErrorV1 {
  @IsInt() @Min(0) line: number;
  @IsString() code: string;
  @IsString() message: string;
}

/** Topic `bpo.schedule.sync-status.v1`, key: integration id. The contract operations teams watch. */
export class SyncStatusV1 {
  @IsUUID() integrationId: string;
  @IsUUID() organizationId: string;
  @IsUUID() siteId: string;
  @IsUUID() fileId: string;
  @IsUUID() syncRunId: string;
  @IsString() filename: string;
  @IsISO8601() receivedAt: string;
  @IsIn(SyncStatuses) status: SyncStatus;
  @ValidateNested() @Type(() => SyncCountsV1) counts: SyncCountsV1;
  /** The first 100 errors; the API has them all. */
  @IsArray() @ValidateNested({ each: true }) @Type(() => SyncErrorV1) errors: SyncErrorV1[];
  @IsOptional() @ValidateNested() @Type(() => DayWindowV1) window: DayWindowV1 | null;
  @IsOptional() @IsIn(PipelineStages) stage?: PipelineStage;
  @IsOptional() @IsString() reason?: string;
  @IsISO8601() startedAt: string;
  @IsISO8601() finishedAt: string;
}

export class ChangedEventV1 {
  @IsString() id: string;
  @IsUUID() agentId: string;
  @IsUUID() eventTypeId: string;
  @IsISO8601() startAt: string;
  @IsISO8601() endAt: string;
}

/** Topic `bpo.schedule.events-changed.v1`: a file's changes, in parts of bounded size. */
export class EventsChangedV1 {
  @IsUUID() integrationId: string;
  @IsUUID() organizationId: string;
  @IsUUID() scheduleId: string;
  @IsUUID() fileId: string;
  @IsUUID() syncRunId: string;
  @IsInt() @Min(1) part: number;
  @IsInt() @Min(1) parts: number;
  @IsArray() @ValidateNested({ each: true }) @Type(() => ChangedEventV1) created: ChangedEventV1[];
  @IsArray() @ValidateNested({ each: true }) @Type(() => ChangedEventV1) updated: ChangedEventV1[];
  @IsArray() @ValidateNested({ each: true }) @Type(() => ChangedEventV1) deleted: ChangedEventV1[];
  @IsBoolean() syncPastEvents: boolean;
}

/**
 * Topic `bpo.schedule.integration-stale.v1`, key: integration id. An integration sent no file
 * within its expected cadence times the stale multiple: sent once per episode (the next file ends
 * the episode; a later silence starts a new one, with a new `staleSince` and message id).
 */
export class IntegrationStaleV1 {
  /** `integration-stale:<integrationId>:<staleSince>`: the same for a re-sent copy. */
  @IsString() @MinLength(1) messageId: string;
  @IsISO8601() occurredAt: string;
  @IsUUID() organizationId: string;
  @IsUUID() integrationId: string;
  @IsUUID() siteId: string;
  @IsIn(Platforms) platform: Platform;
  /** When it became stale: its last file (or, with none yet, its creation) plus `staleAfterMinutes`. */
  @IsISO8601() staleSince: string;
  /** When its last file was received; null when none ever arrived. */
  @IsOptional() @IsISO8601() lastFileReceivedAt: string | null;
  /** The integration's expected cadence (minutes between files). */
  @IsInt() @Min(1) expectedCadenceMinutes: number;
  /** Cadence x the stale multiple: the silence that makes it stale. */
  @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0) staleAfterMinutes: number;
}
