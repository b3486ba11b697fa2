import { Injectable } from '@nestjs/common';
import type { RowErrorV1, RowsBatchV2 } from '@bpo/contracts';
import { PermanentMessageError } from '@bpo/messaging';
import { AgentDirectory } from './agent-directory.repository';

/**
 * Resolves each row's platform agent id to one of the site's agents. Rows still going on (their
 * activity is mapped) whose id no agent has become row errors `unknown_agent` (the writer reports
 * them once per id, with their rows); the other rows go on.
 */
@Injectable()
export class AgentResolutionService {
  constructor(private readonly directory: AgentDirectory) {}

  async resolveBatch(batch: RowsBatchV2): Promise<RowsBatchV2> {
    const { eventTypeIds } = batch;
    if (!eventTypeIds) throw new PermanentMessageError('the batch has no eventTypeIds: agents are resolved after mapping');
    const agents = await this.directory.findByPlatformIds({ integrationId: batch.integrationId, siteId: batch.siteId, platform: batch.platform }, batch.platformAgentIds);
    const agentIds = batch.platformAgentIds.map((platformAgentId) => agents.get(platformAgentId) ?? null);
    const errors: RowErrorV1[] = [];
    if (agentIds.includes(null)) {
      const { line, agent, activity } = batch.rows;
      for (let i = 0; i < line.length; i += 1) {
        if (agentIds[agent[i]] !== null || eventTypeIds[activity[i]] === null) continue;
        const platformAgentId = batch.platformAgentIds[agent[i]];
        errors.push({
          line: line[i],
          column: 'agent_id',
          code: 'unknown_agent',
          message: `no agent of the site has platform id "${platformAgentId}"`,
          subject: platformAgentId,
        });
      }
    }
    // The batch's own errors array when nothing was added: the stage hands the batch on as received (see handedOn).
    return { ...batch, agentIds, errors: errors.length > 0 ? [...batch.errors, ...errors] : batch.errors };
  }
}
