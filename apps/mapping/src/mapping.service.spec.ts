import { columnsOf, type RowsBatchV2 } from '@bpo/contracts';
import type { MappingRule } from '@bpo/mapping-rules';
import { MappingRuleSnapshots, type RuleSnapshot } from './mapping-rule-snapshots.repository';
import { MappingService } from './mapping.service';

const PHONES = '00000000-0000-4000-8000-0000000000e1';
const BREAK = '00000000-0000-4000-8000-0000000000e2';
const OTHER = '00000000-0000-4000-8000-0000000000e3';

class InMemoryRuleSnapshots extends MappingRuleSnapshots {
  readonly asked: string[] = [];
  constructor(private readonly snapshot: RuleSnapshot) {
    super();
  }
  async forSyncRun(syncRunId: string): Promise<RuleSnapshot> {
    this.asked.push(syncRunId);
    return this.snapshot;
  }
}

const rule = (fields: Partial<MappingRule>): MappingRule =>
  ({ id: 'r', matchType: 'exact', keyword: 'Phones', priority: 'medium', eventTypeId: PHONES, position: 1, ...fields });

const START = Date.parse('2026-12-01T14:00:00.000Z');
const batchOf = (syncRunId: string, activities: string[]): RowsBatchV2 =>
  ({
    kind: 'rows',
    sequence: 0,
    syncRunId,
    integrationId: 'integration',
    ...columnsOf(activities.map((activity, i) => ({ line: i + 2, platformAgentId: 'A1', activity, startAt: START + i * 60_000, endAt: START + (i + 1) * 60_000, day: '2026-12-01' }))),
    errors: [{ line: 1, code: 'invalid_time', message: 'earlier' }],
  }) as unknown as RowsBatchV2;

describe('MappingService', () => {
  const rules = [rule({ id: 'phones' }), rule({ id: 'break', matchType: 'starts_with', keyword: 'Break', eventTypeId: BREAK, position: 2 })];

  it('maps each distinct activity once, by the run’s rules', async () => {
    const mapped = await new MappingService(new InMemoryRuleSnapshots({ rules, defaultEventTypeId: null })).mapBatch(batchOf('run-1', ['Phones', 'Break 15', 'Phones']));
    expect(mapped.activities).toEqual(['Phones', 'Break 15']);
    expect(mapped.eventTypeIds).toEqual([PHONES, BREAK]);
    expect(mapped.errors).toEqual([{ line: 1, code: 'invalid_time', message: 'earlier' }]);
  });

  it('turns rows whose activity maps to nothing into unmapped_activity errors, in row order after earlier ones', async () => {
    const mapped = await new MappingService(new InMemoryRuleSnapshots({ rules, defaultEventTypeId: null })).mapBatch(batchOf('run-2', ['Gym', 'Phones', 'Gym']));
    expect(mapped.eventTypeIds).toEqual([null, PHONES]);
    expect(mapped.errors).toEqual([
      { line: 1, code: 'invalid_time', message: 'earlier' },
      { line: 2, column: 'activity', code: 'unmapped_activity', message: 'activity "Gym" matches no mapping rule and the integration has no default mapping', subject: 'Gym' },
      { line: 4, column: 'activity', code: 'unmapped_activity', message: 'activity "Gym" matches no mapping rule and the integration has no default mapping', subject: 'Gym' },
    ]);
  });

  it('maps what no rule matches to the default mapping when the integration has one', async () => {
    const mapped = await new MappingService(new InMemoryRuleSnapshots({ rules, defaultEventTypeId: OTHER })).mapBatch(batchOf('run-3', ['Gym', 'Phones']));
    expect(mapped.eventTypeIds).toEqual([OTHER, PHONES]);
    expect(mapped.errors).toHaveLength(1);
  });

  it('reads a run’s frozen rules once for all of its batches', async () => {
    const snapshots = new InMemoryRuleSnapshots({ rules, defaultEventTypeId: null });
    const service = new MappingService(snapshots);
    await service.mapBatch(batchOf('run-4', ['Phones']));
    await service.mapBatch(batchOf('run-4', ['Break']));
    await service.mapBatch(batchOf('run-5', ['Phones']));
    expect(snapshots.asked).toEqual(['run-4', 'run-5']);
  });
});
