import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { PlatformAgentIdFields, type Platform, type ReplaceScope } from '@bpo/contracts';
import type { MappingRule } from '@bpo/mapping-rules';
import type { ScheduleFileSettings } from '@bpo/schedule-file';
import { isDateOrder } from '@bpo/schedule-time';
import type { StoredEvent } from '@bpo/snapshot-sync';
import { AgentRepository, IntegrationRepository, MappingRuleRepository } from '@bpo/persistence';
import { notFound } from '../common/config-api.exception';

/** What a dry run needs of an integration: how its files are read, mapped, resolved and applied. */
export interface IntegrationForCheck extends Omit<ScheduleFileSettings, 'receivedAt' | 'rowHorizon'> {
  siteId: string;
  scheduleId: string | null;
  syncPastEvents: boolean;
  replaceScope: ReplaceScope;
  defaultEventTypeId: string | null;
}

export interface DayRange {
  from: string;
  to: string;
}

const isoSql = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * The reads of a file check, the same the pipeline's stages make (mapping rules, agents by the
 * platform's ID field, the schedule's stored events and day versions), in one read-only snapshot:
 * a check can write nothing, and sees one consistent state of the schedule.
 */
@Injectable()
export class FileCheckRepository {
  constructor(private readonly dataSource: DataSource) {}

  readOnly<T>(work: (reads: FileCheckReads) => Promise<T>): Promise<T> {
    return this.dataSource.transaction('REPEATABLE READ', async (manager) => {
      await manager.query('SET TRANSACTION READ ONLY');
      return work(new FileCheckReads(manager));
    });
  }
}

export class FileCheckReads {
  constructor(private readonly manager: EntityManager) {}

  /** The organization's integration (404 for another organization's or a missing one). */
  async integration(organizationId: string, integrationId: string): Promise<IntegrationForCheck> {
    const settings = await new IntegrationRepository(this.manager).settings(integrationId, organizationId);
    if (!settings) throw notFound('integration', integrationId);
    if (!isDateOrder(settings.dateOrder)) throw new Error(`integration ${integrationId} has an unknown date order`);
    const { platform, timezone, siteTimezone, dateOrder, encoding, titleLines, siteId, scheduleId, syncPastEvents, replaceScope, defaultEventTypeId } = settings;
    return { platform, timezone, siteTimezone, dateOrder, encoding, titleLines, siteId, scheduleId, syncPastEvents, replaceScope, defaultEventTypeId };
  }

  /** The integration's mapping rules as they are now (a sync freezes them at its first batch). */
  mappingRules(integrationId: string): Promise<MappingRule[]> {
    return new MappingRuleRepository(this.manager).ofIntegration(integrationId);
  }

  /** platform agent id -> agent id among the site's agents, by the platform's ID field (as agent-resolution finds them). */
  agentsByPlatformIds(siteId: string, platform: Platform, platformAgentIds: readonly string[]): Promise<Map<string, string>> {
    return new AgentRepository(this.manager).findByPlatformIds(siteId, PlatformAgentIdFields[platform], platformAgentIds);
  }

  /** Day -> received time of the newest file applied to it (newest wins per day). */
  async dayVersions(integrationId: string, range: DayRange): Promise<Map<string, string>> {
    const rows: Array<{ day: string; file_received_at: Date }> = await this.manager.query(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, file_received_at FROM integration_day_versions WHERE integration_id = $1 AND day BETWEEN $2 AND $3`,
      [integrationId, range.from, range.to],
    );
    return new Map(rows.map((row) => [row.day, new Date(row.file_received_at).toISOString()]));
  }

  /** Events this integration wrote in the schedule on the range's days, any agent. */
  storedEvents(integrationId: string, scheduleId: string, range: DayRange): Promise<StoredEvent[]> {
    return this.manager.query(
      `SELECT id::text AS id, agent_id AS "agentId", event_type_id AS "eventTypeId", ${isoSql('start_at')} AS "startAt", ${isoSql('end_at')} AS "endAt",
              to_char(day, 'YYYY-MM-DD') AS day
         FROM schedule_events WHERE source_integration_id = $1 AND schedule_id = $2 AND day BETWEEN $3 AND $4 ORDER BY id`,
      [integrationId, scheduleId, range.from, range.to],
    );
  }
}
