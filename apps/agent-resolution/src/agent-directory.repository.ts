import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PlatformAgentIdFields, type Platform, type PlatformAgentIdField } from '@bpo/contracts';
import { AgentRepository, IntegrationRepository } from '@bpo/persistence';

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
  private readonly scopes = new Map<string, { siteId: string; field: PlatformAgentIdField }>();
  private readonly integrations: IntegrationRepository;
  private readonly agents: AgentRepository;

  constructor(dataSource: DataSource) {
    super();
    this.integrations = new IntegrationRepository(dataSource);
    this.agents = new AgentRepository(dataSource);
  }

  async findByPlatformIds(scope: AgentScope, platformAgentIds: readonly string[]): Promise<Map<string, string>> {
    const integration =
      scope.siteId && scope.platform ? { siteId: scope.siteId, field: PlatformAgentIdFields[scope.platform] } : await this.integration(scope.integrationId);
    return this.agents.findByPlatformIds(integration.siteId, integration.field, platformAgentIds);
  }

  /** Only for batches of a file announced before messages carried the site and platform (during an upgrade). */
  private async integration(integrationId: string): Promise<{ siteId: string; field: PlatformAgentIdField }> {
    const cached = this.scopes.get(integrationId);
    if (cached) return cached;
    const settings = await this.integrations.settings(integrationId);
    if (!settings) throw new Error(`integration ${integrationId} no longer exists`);
    const found = { siteId: settings.siteId, field: PlatformAgentIdFields[settings.platform] };
    this.scopes.set(integrationId, found);
    return found;
  }
}
