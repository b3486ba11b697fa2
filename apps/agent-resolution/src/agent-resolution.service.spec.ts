import type { RowsBatchV1 } from '@bpo/contracts';
import { AgentDirectory } from './agent-directory.repository';
import { AgentResolutionService } from './agent-resolution.service';

class InMemoryAgentDirectory extends AgentDirectory {
  constructor(private readonly agents: Record<string, string>) {
    super();
  }
  async findByPlatformIds(_integrationId: string, ids: readonly string[]) {
    return new Map(ids.filter((id) => this.agents[id]).map((id) => [id, this.agents[id]]));
  }
}

const row = (line: number, platformAgentId: string) => ({
  line,
  platformAgentId,
  activity: 'Phones',
  startAt: '2026-12-01T14:00:00.000Z',
  endAt: '2026-12-01T22:00:00.000Z',
  day: '2026-12-01',
  eventTypeId: '00000000-0000-4000-8000-0000000000e1',
});

describe('AgentResolutionService', () => {
  const batch = {
    kind: 'rows',
    sequence: 0,
    rows: [row(2, 'A1'), row(3, 'B9'), row(4, 'A1')],
    errors: [{ line: 5, code: 'invalid_time', message: 'bad time' }],
  } as unknown as RowsBatchV1;

  it('resolves known ids and turns unknown ones into unknown_agent errors, keeping earlier errors', async () => {
    const service = new AgentResolutionService(new InMemoryAgentDirectory({ A1: 'agent-a' }));
    const resolved = await service.resolveBatch(batch);
    expect(resolved.rows.map((r) => [r.line, r.agentId])).toEqual([
      [2, 'agent-a'],
      [4, 'agent-a'],
    ]);
    expect(resolved.errors).toEqual([
      { line: 5, code: 'invalid_time', message: 'bad time' },
      { line: 3, column: 'agent_id', code: 'unknown_agent', message: 'no agent of the site has platform id "B9"', subject: 'B9' },
    ]);
  });
});
