import { Injectable } from '@nestjs/common';
import type { RowErrorV1, RowsBatchV1, ScheduleRowV1 } from '@bpo/contracts';
import { AgentDirectory } from './agent-directory.repository';

/**
 * Resolves each row's platform agent id to one of the site's agents. Unknown ids become row
 * errors `unknown_agent` (the writer reports them once per id, with their rows); other rows go on.
 */
@Injectable()
export class AgentResolutionService {
  constructor(private readonly directory: AgentDirectory) {}

  async resolveBatch(batch: RowsBatchV1): Promise<RowsBatchV1> {
    const agents = await this.directory.findByPlatformIds(batch.integrationId, batch.rows.map((row) => row.platformAgentId));
    const rows: ScheduleRowV1[] = [];
    const errors: RowErrorV1[] = [...batch.errors];
    for (const row of batch.rows) {
      const agentId = agents.get(row.platformAgentId);
      if (agentId) rows.push({ ...row, agentId });
      else
        errors.push({
          line: row.line,
          column: 'agent_id',
          code: 'unknown_agent',
          message: `no agent of the site has platform id "${row.platformAgentId}"`,
          subject: row.platformAgentId,
        });
    }
    return { ...batch, rows, errors };
  }
}
