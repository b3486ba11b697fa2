import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PlatformAgentIdFields, type Platform } from '@bpo/contracts';
import { IntegrationRepository } from '@bpo/persistence';

/**
 * Whose agents: the integration's site and platform, as its batches carry them from the file's
 * announcement; a batch of a file announced without them names only the integration.
 */
export interface AgentScope {
  integrationId: string;
  siteId?: string;
  platform?: Platform;
}

/** Finds the customer's agents by their id in an integration's platform. A port, for tests without a database. */
export abstract class AgentDirectory {
  /** platform agent id -> agent id, among the agents of the integration's site, for the ids that are known. */
  abstract findByPlatformIds(scope: AgentScope, platformAgentIds: readonly string[]): Promise<Map<string, string>>;
}

@Injectable()
export class TypeOrmAgentDirectory extends AgentDirectory {
  // An integration's site and platform never change (a new platform means a new integration).
  private readonly scopes = new Map<string, { siteId: string; field: string }>();
  private readonly integrations: IntegrationRepository;

  constructor(private readonly dataSource: DataSource) {
    super();
    this.integrations = new IntegrationRepository(dataSource);
  }

  async findByPlatformIds(scope: AgentScope, platformAgentIds: readonly string[]): Promise<Map<string, string>> {
    const integration =
      scope.siteId && scope.platform ? { siteId: scope.siteId, field: PlatformAgentIdFields[scope.platform] } : await this.integration(scope.integrationId);
    const rows: Array<{ platform_agent_id: string; agent_id: string }> = await this.dataSource.query(
      `SELECT platform_agent_id, agent_id FROM agent_platform_ids
        WHERE site_id = $1 AND field = $2 AND platform_agent_id = ANY($3::text[])`,
      [integration.siteId, integration.field, [...new Set(platformAgentIds)]],
    );
    return new Map(rows.map((row) => [row.platform_agent_id, row.agent_id]));
  }

  /** Only for batches of a file announced before messages carried the site and platform (during an upgrade). */
  private async integration(integrationId: string): Promise<{ siteId: string; field: string }> {
    const cached = this.scopes.get(integrationId);
    if (cached) return cached;
    const settings = await this.integrations.settings(integrationId);
    if (!settings) throw new Error(`integration ${integrationId} no longer exists`);
    const found = { siteId: settings.siteId, field: PlatformAgentIdFields[settings.platform] };
    this.scopes.set(integrationId, found);
    return found;
  }
}
