export const SyncStatuses = ['succeeded', 'succeeded_with_errors', 'failed', 'superseded'] as const;
export type SyncStatus = (typeof SyncStatuses)[number];

/** The pipeline stage a failure happened in, named in `failed` sync reports. */
export const PipelineStages = ['ingest', 'parser', 'mapping', 'agent-resolution', 'schedule-writer'] as const;
export type PipelineStage = (typeof PipelineStages)[number];

export const ReplaceScopes = ['agents_in_file', 'all_site_agents'] as const;
export type ReplaceScope = (typeof ReplaceScopes)[number];

/** Codes of row-level problems; each appears in sync reports with the line (and column) it concerns. */
export const RowErrorCodes = [
  'missing_value',
  'invalid_time',
  'invalid_date',
  'end_not_after_start',
  'shift_too_long',
  'date_out_of_range',
  'nonexistent_local_time',
  'invalid_timezone',
  'unmapped_activity',
  'unknown_agent',
  'malformed_row',
] as const;
export type RowErrorCode = (typeof RowErrorCodes)[number];

/** The most errors a sync-status message carries; the API pages through all of them. */
export const SYNC_STATUS_MAX_ERRORS = 100;
