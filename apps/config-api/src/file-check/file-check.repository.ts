import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { PlatformAgentIdFields, type Platform, type ReplaceScope } from '@bpo/contracts';
import type { MappingRule } from '@bpo/mapping-rules';
import type { ScheduleFileSettings } from '@bpo/schedule-file';
import { isDateOrder } from '@bpo/schedule-time';
import type { StoredEvent } from '@bpo/snapshot-sync';
import { AgentRepository, IntegrationRepository, MappingRuleRepository, ScheduleEventRepository } from '@bpo/persistence';
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
  private readonly integrations: IntegrationRepository;
  private readonly rules: MappingRuleRepository;
  private readonly agents: AgentRepository;
  private readonly events: ScheduleEventRepository;

  /** Every read on the check's one read-only transaction. */
  constructor(manager: EntityManager) {
    this.integrations = new IntegrationRepository(manager);
    this.rules = new MappingRuleRepository(manager);
    this.agents = new AgentRepository(manager);
    this.events = new ScheduleEventRepository(manager);
  }

  /** The organization's integration (404 for another organization's or a missing one). */
  async integration(organizationId: string, integrationId: string): Promise<IntegrationForCheck> {
    const settings = await this.integrations.settings(integrationId, organizationId);
    if (!settings) throw notFound('integration', integrationId);
    if (!isDateOrder(settings.dateOrder)) throw new Error(`integration ${integrationId} has an unknown date order`);
    const { platform, timezone, siteTimezone, dateOrder, encoding, titleLines, siteId, scheduleId, syncPastEvents, replaceScope, defaultEventTypeId } = settings;
    return { platform, timezone, siteTimezone, dateOrder, encoding, titleLines, siteId, scheduleId, syncPastEvents, replaceScope, defaultEventTypeId };
  }

  /** The integration's mapping rules as they are now (a sync freezes them at its first batch). */
  mappingRules(integrationId: string): Promise<MappingRule[]> {
    return this.rules.ofIntegration(integrationId);
  }

  /** platform agent id -> agent id among the site's agents, by the platform's ID field (as agent-resolution finds them). */
  agentsByPlatformIds(siteId: string, platform: Platform, platformAgentIds: readonly string[]): Promise<Map<string, string>> {
    return this.agents.findByPlatformIds(siteId, PlatformAgentIdFields[platform], platformAgentIds);
  }

  /** Day -> received time of the newest file applied to it (newest wins per day). */
  dayVersions(integrationId: string, range: DayRange): Promise<Map<string, string>> {
    return this.integrations.dayVersions(integrationId, range);
  }

  /** Events this integration wrote in the schedule on the range's days, any agent. */
  storedEvents(integrationId: string, scheduleId: string, range: DayRange): Promise<StoredEvent[]> {
    return this.events.storedEvents(integrationId, scheduleId, range);
  }
}
