// The shapes of the config API's answers the console uses (see /docs-json on config-api).

export type Platform = 'nice_iex' | 'verint' | 'injixo' | 'alvaria' | 'custom';
export type PlatformField = 'nice_iex_sftp' | 'verint_sftp' | 'injixo_sftp' | 'alvaria_sftp' | 'custom_platform_sftp';
export type SyncStatus = 'processing' | 'succeeded' | 'succeeded_with_errors' | 'failed' | 'superseded';
export type MatchType = 'exact' | 'pattern' | 'contains' | 'starts_with';
export type Priority = 'highest' | 'high' | 'medium' | 'low' | 'lowest';

export interface ListOf<T> {
  items: T[];
  nextCursor?: string | null;
}

export interface Site {
  id: string;
  name: string;
  timezone: string;
  isBpo: boolean;
  integrationId: string | null;
  createdAt: string;
}

export interface PlatformInfo {
  platform: Platform;
  name: string;
  agentIdField: PlatformField;
  templateUrl: string;
}

export interface SyncError {
  line: number;
  column: string | null;
  code: string;
  message: string;
}

export interface Integration {
  id: string;
  siteId: string;
  siteName: string;
  platform: Platform;
  agentIdField: PlatformField;
  sftpHost: string;
  sftpPort: number;
  sftpUsername: string;
  sshKeyCount: number;
  targetScheduleId: string | null;
  syncPastEvents: boolean;
  replaceScope: 'agents_in_file' | 'all_site_agents';
  timezone: string;
  timezoneFromSite: boolean;
  dateOrder: string;
  encoding: string;
  titleLines: number;
  defaultEventTypeId: string | null;
  templateUrl: string;
  lastSyncAt: string | null;
  lastSyncRunId: string | null;
  lastStatus: SyncStatus | null;
  lastFile: { id: string; filename: string; sizeBytes: number; receivedAt: string } | null;
  expectedCadenceMinutes: number;
  stale: boolean;
  staleSince: string | null;
  createdAt: string;
  lastErrors?: SyncError[];
  lastErrorCount?: number;
}

export interface SftpCredentials {
  host: string;
  port: number;
  username: string;
  password: string;
}

export interface ConnectedIntegration {
  integration: Integration;
  sftp: SftpCredentials;
  templateUrl: string;
}

export interface SshKey {
  id: string;
  algorithm: string;
  publicKey: string;
  fingerprint: string;
  comment: string | null;
  createdAt: string;
}

export interface EventType {
  id: string;
  name: string;
  color: string | null;
}

export interface MappingRule {
  id: string;
  integrationId: string;
  matchType: MatchType;
  keyword: string;
  priority: Priority;
  eventTypeId: string;
  position: number;
  createdAt: string;
}

export interface MappingRuleList {
  items: MappingRule[];
  defaultEventTypeId: string | null;
}

export interface MappingPreviewItem {
  activity: string;
  kind: 'rule' | 'default' | 'unmapped';
  eventTypeId: string | null;
  eventTypeName: string | null;
  ruleId: string | null;
}

export type PlatformIds = Partial<Record<PlatformField, string>>;

export interface Agent {
  id: string;
  name: string;
  email: string | null;
  siteId: string;
  platformIds: PlatformIds;
}

export interface ImportLine {
  line: number;
  status: 'updated' | 'unchanged' | 'refused';
  agentId: string | null;
  changes?: PlatformIds;
  reason?: string;
}

export interface ImportResult {
  summary: { updated: number; unchanged: number; refused: number };
  lines: ImportLine[];
}

export interface Schedule {
  id: string;
  name: string;
  isDefault: boolean;
}

export interface ScheduleEvent {
  id: string;
  scheduleId: string;
  agent: { id: string; name: string; siteId: string };
  eventType: { id: string; name: string; color: string | null };
  startAt: string;
  endAt: string;
  day: string;
  source: { integrationId: string | null; fileId: string | null; filename: string | null };
}

export interface SyncCounts {
  rows: number;
  created: number;
  updated: number;
  deleted: number;
  unchanged: number;
  skippedPast: number;
  rowErrors: number;
}

export interface SyncRun {
  id: string;
  status: SyncStatus;
  stage: string | null;
  reason: string | null;
  /** null until the run has counted its rows (while it is processing). */
  counts: SyncCounts | null;
  window: { from: string; to: string } | null;
  scheduleId: string | null;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
}

export interface ReceivedFile {
  id: string;
  filename: string;
  sizeBytes: number;
  sha256: string;
  receivedAt: string;
  /** The latest sync run of the file (null if none was opened). */
  syncRun: SyncRun | null;
}

export interface FileReport extends ReceivedFile {
  syncRuns: SyncRun[];
  errors: { items: SyncError[]; nextCursor: string | null; total: number };
}

export interface CreatedOrganization {
  organization: { id: string; name: string; timezone: string };
  token: { id: string; name: string; role: string; token: string };
  defaultSchedule: Schedule;
}

export type Role = 'basic' | 'lead' | 'manager' | 'admin';
export type Permission = 'read' | 'edit_agents' | 'manage_integrations' | 'replay_files' | 'manage_tokens';

/** GET /v1/me: the signed-in token's organization, role and what it may do. */
export interface Me {
  organization: { id: string; name: string; timezone: string };
  token: { id: string; name: string };
  role: Role;
  permissions: Permission[];
  /** The least role of each permission (absent from an API older than it). */
  leastRoles?: Record<Permission, Role>;
}
