import { routeAgentDays, type AgentDayComparison } from './day-routes.util';

const compare = (agentId: string, day: string, fields: Partial<AgentDayComparison> = {}): AgentDayComparison => ({ agentId, day, staged: 3, stored: 3, identical: true, fromCutoff: true, ...fields });

describe('routeAgentDays', () => {
  it('leaves identical agent-days alone, creates those with nothing stored, and plans the rest', () => {
    const routes = routeAgentDays(
      ['2026-12-01', '2026-12-02'],
      [
        compare('A', '2026-12-01'),
        compare('B', '2026-12-01', { stored: 0, identical: false }),
        compare('C', '2026-12-01', { identical: false }),
        compare('A', '2026-12-02', { staged: 0, stored: 2, identical: false }),
        compare('B', '2026-12-02', { staged: 4, stored: 4 }),
      ],
    );
    expect(routes).toEqual({
      unchangedEvents: 7,
      created: [{ agentId: 'B', day: '2026-12-01' }],
      planned: [
        { agentId: 'C', day: '2026-12-01' },
        { agentId: 'A', day: '2026-12-02' },
      ],
    });
  });

  it('plans an identical agent-day that holds past events: past events are neither kept by count nor rewritten', () => {
    expect(routeAgentDays(['2026-12-01'], [compare('A', '2026-12-01', { fromCutoff: false })]).planned).toEqual([{ agentId: 'A', day: '2026-12-01' }]);
  });

  it('plans an agent-day whose counts differ even when every event found its twin (duplicates stored earlier)', () => {
    expect(routeAgentDays(['2026-12-01'], [compare('A', '2026-12-01', { staged: 2, stored: 3 })]).planned).toHaveLength(1);
  });

  it('creates an agent-day with nothing stored even with past events: the creation skips and counts them', () => {
    expect(routeAgentDays(['2026-12-01'], [compare('A', '2026-12-01', { stored: 0, identical: false, fromCutoff: false })]).created).toHaveLength(1);
  });

  it('writes nothing on days that are not applied (a newer file owns them)', () => {
    expect(routeAgentDays(['2026-12-02'], [compare('A', '2026-12-01', { stored: 0 })])).toEqual({ unchangedEvents: 0, created: [], planned: [] });
  });
});
