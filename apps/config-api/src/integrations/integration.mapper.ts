import { PlatformAgentIdFields } from '@bpo/contracts';
import type { ConfigApiConfig } from '../config-api.config';
import { templateUrl } from '../platforms/platform-links.util';
import type { LatestRun } from '../sync/sync-run.mapper';
import type { IntegrationResponse } from './integration.dto';
import type { IntegrationRow } from './integrations.repository';

export function toIntegrationResponse(row: IntegrationRow, lastRun: LatestRun | undefined, config: ConfigApiConfig): IntegrationResponse {
  return {
    id: row.id,
    siteId: row.site_id,
    siteName: row.site_name,
    platform: row.platform,
    agentIdField: PlatformAgentIdFields[row.platform],
    sftpHost: config.SFTP_PUBLIC_HOST,
    sftpPort: config.SFTP_PUBLIC_PORT,
    sftpUsername: row.sftp_username,
    sshKeyCount: row.ssh_key_count,
    targetScheduleId: row.target_schedule_id,
    syncPastEvents: row.sync_past_events,
    replaceScope: row.replace_scope,
    timezone: row.timezone ?? row.site_timezone,
    timezoneFromSite: row.timezone === null,
    dateOrder: row.date_order,
    encoding: row.encoding,
    titleLines: row.title_lines,
    defaultEventTypeId: row.default_event_type_id,
    templateUrl: templateUrl(config.PUBLIC_URL, row.platform),
    lastSyncAt: lastRun ? (lastRun.run.finished_at ?? lastRun.run.started_at).toISOString() : null,
    lastSyncRunId: lastRun?.run.id ?? null,
    lastStatus: lastRun?.run.status ?? null,
    expectedCadenceMinutes: row.expected_cadence_minutes,
    stale: row.stale_since !== null,
    staleSince: row.stale_since?.toISOString() ?? null,
    lastFile: lastRun ? { id: lastRun.file.id, filename: lastRun.file.filename, sizeBytes: Number(lastRun.file.size_bytes), receivedAt: lastRun.file.received_at.toISOString() } : null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
