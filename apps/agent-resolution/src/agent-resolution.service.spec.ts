import { columnsOf, resolvedRowsOf, type RowsBatchV2 } from '@bpo/contracts';
import { PermanentMessageError } from '@bpo/messaging';
import { AgentDirectory, type AgentScope } from './agent-directory.repository';
import { AgentResolutionService } from './agent-resolution.service';

class InMemoryAgentDirectory extends AgentDirectory {
  readonly asked: string[][] = [];
  readonly scopes: AgentScope[] = [];
  constructor(private readonly agents: Record<string, string>) {
    super();
  }
  async findByPlatformIds(scope: AgentScope, ids: readonly string[]) {
    this.asked.push([...ids]);
    this.scopes.push(scope);
    return new Map(ids.filter((id) => this.agents[id]).map((id) => [id, this.agents[id]]));
  }
}

const START = Date.parse('2026-12-01T14:00:00.000Z');
const row = (line: number, platformAgentId: string, activity = 'Phones') => ({ line, platformAgentId, activity, startAt: START, endAt: START + 3_600_000, day: '2026-12-01' });
const PHONES = '00000000-0000-4000-8000-0000000000e1';

describe('AgentResolutionService', () => {
  const batch = {
    kind: 'rows',
    sequence: 0,
    ...columnsOf([row(2, 'A1'), row(3, 'B9'), row(4, 'A1'), row(6, 'B9', 'Gym')]),
    // Gym maps to nothing: its row is already an unmapped_activity error, never also an unknown agent.
    eventTypeIds: [PHONES, null],
    errors: [{ line: 5, code: 'invalid_time', message: 'bad time' }],
  } as unknown as RowsBatchV2;

  it('resolves known ids and turns unknown ones into unknown_agent errors, keeping earlier errors', async () => {
    const directory = new InMemoryAgentDirectory({ A1: 'agent-a' });
    const resolved = await new AgentResolutionService(directory).resolveBatch(batch);
    expect(directory.asked).toEqual([['A1', 'B9']]);
    expect(resolved.agentIds).toEqual(['agent-a', null]);
    expect(resolvedRowsOf(resolved).map((r) => [r.line, r.agentId, r.eventTypeId])).toEqual([
      [2, 'agent-a', PHONES],
      [4, 'agent-a', PHONES],
    ]);
    expect(resolved.errors).toEqual([
      { line: 5, code: 'invalid_time', message: 'bad time' },
      { line: 3, column: 'agent_id', code: 'unknown_agent', message: 'no agent of the site has platform id "B9"', subject: 'B9' },
    ]);
  });

  it('refuses a batch that was not mapped first', async () => {
    const unmapped = { ...batch, eventTypeIds: undefined } as RowsBatchV2;
    await expect(new AgentResolutionService(new InMemoryAgentDirectory({})).resolveBatch(unmapped)).rejects.toBeInstanceOf(PermanentMessageError);
  });

  it("asks for the agents of the site and platform the batch carries from the file's announcement", async () => {
    const directory = new InMemoryAgentDirectory({ A1: 'agent-a' });
    const site = '00000000-0000-4000-8000-000000000051';
    await new AgentResolutionService(directory).resolveBatch({ ...batch, integrationId: 'integration-1', siteId: site, platform: 'verint' } as RowsBatchV2);
    await new AgentResolutionService(directory).resolveBatch({ ...batch, integrationId: 'integration-1' } as RowsBatchV2);
    expect(directory.scopes).toEqual([
      { integrationId: 'integration-1', siteId: site, platform: 'verint' },
      { integrationId: 'integration-1', siteId: undefined, platform: undefined },
    ]);
  });
});
