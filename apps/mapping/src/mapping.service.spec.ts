// Unit tests of the mapping stage with an in-memory rule store (STYLE 2.10).
import { columnsOf, type ColumnRow, type RowErrorV1, type RowsBatchV2 } from '@bpo/contracts';
import type { MappingRule } from '@bpo/mapping-rules';
import { MappingRuleSnapshots, type RuleSnapshot } from './mapping-rule-snapshots.repository';
import { MappingService } from './mapping.service';

const SHIFT = '11111111-1111-4111-8111-111111111111';
const BREAK = '22222222-2222-4222-8222-222222222222';
const OTHER = '33333333-3333-4333-8333-333333333333';
const INTEGRATION = '44444444-4444-4444-8444-444444444444';

/** The rules of each sync run, as the database would have frozen them; counts the reads. */
class InMemoryRuleSnapshots extends MappingRuleSnapshots {
  readonly reads: string[] = [];
  constructor(private readonly snapshots: (syncRunId: string) => RuleSnapshot) {
    super();
  }
  async forSyncRun(syncRunId: string, integrationId: string): Promise<RuleSnapshot> {
    this.reads.push(`${syncRunId}/${integrationId}`);
    return this.snapshots(syncRunId);
  }
}

function rule(id: string, keyword: string, eventTypeId: string, extra: Partial<MappingRule> = {}): MappingRule {
  return { id, matchType: 'exact', keyword, priority: 'medium', eventTypeId, position: Number(id.replace(/\D/g, '')) || 0, ...extra };
}

function row(line: number, activity: string): ColumnRow {
  return { line, platformAgentId: 'A1', activity, startAt: Date.parse('2026-03-02T08:00:00.000Z'), endAt: Date.parse('2026-03-02T09:00:00.000Z'), day: '2026-03-02' };
}

/** The event type mapping gave each row (null: unmapped), in row order. */
const typesOfRows = (mapped: RowsBatchV2) => mapped.rows.activity.map((activity) => mapped.eventTypeIds![activity]);

function batch(syncRunId: string, rows: ColumnRow[], errors: RowErrorV1[] = []): RowsBatchV2 {
  return {
    kind: 'rows',
    messageId: `${syncRunId}:0`,
    occurredAt: '2026-03-01T12:00:00.000Z',
    organizationId: '55555555-5555-4555-8555-555555555555',
    integrationId: INTEGRATION,
    fileId: '66666666-6666-4666-8666-666666666666',
    syncRunId,
    sequence: 0,
    ...columnsOf(rows),
    errors,
  };
}

describe('MappingService.mapBatch', () => {
  it('maps each distinct activity of a batch once', async () => {
    const service = new MappingService(new InMemoryRuleSnapshots(() => ({ rules: [rule('r1', 'Shift', SHIFT)], defaultEventTypeId: null })));
    const mapped = await service.mapBatch(batch('run-1', [row(2, 'Shift'), row(3, 'Gym'), row(4, 'Shift'), row(5, 'Gym')]));
    expect(mapped.activities).toEqual(['Shift', 'Gym']);
    expect(mapped.eventTypeIds).toEqual([SHIFT, null]);
    expect(mapped.errors.map((error) => [error.line, error.code])).toEqual([[3, 'unmapped_activity'], [5, 'unmapped_activity']]);
  });

  const rules = [rule('r1', 'Shift', SHIFT), rule('r2', 'Break', BREAK)];

  it('gives each row the event type of the rule its activity matches, keeping everything else', async () => {
    const service = new MappingService(new InMemoryRuleSnapshots(() => ({ rules, defaultEventTypeId: null })));
    const input = batch('run-1', [row(2, 'Shift'), row(3, 'Break')]);

    const mapped = await service.mapBatch(input);

    expect(mapped).toEqual({ ...input, eventTypeIds: [SHIFT, BREAK], errors: [] });
    expect(input.eventTypeIds).toBeUndefined(); // the consumed message is not changed
  });

  it('turns a row no rule matches into an unmapped_activity error after the errors it came with, keeping the order of rows', async () => {
    const service = new MappingService(new InMemoryRuleSnapshots(() => ({ rules, defaultEventTypeId: null })));
    const earlier: RowErrorV1 = { line: 1, code: 'invalid_time', message: 'start is not a time', column: 'start' };

    const mapped = await service.mapBatch(batch('run-1', [row(2, 'Shift'), row(3, 'Lunch'), row(4, 'Break')], [earlier]));

    expect(typesOfRows(mapped)).toEqual([SHIFT, null, BREAK]);
    expect(mapped.errors).toEqual([
      earlier,
      {
        line: 3,
        column: 'activity',
        code: 'unmapped_activity',
        message: 'activity "Lunch" matches no mapping rule and the integration has no default mapping',
        subject: 'Lunch',
      },
    ]);
  });

  it("maps an activity no rule matches to the integration's default event type when it has one", async () => {
    const service = new MappingService(new InMemoryRuleSnapshots(() => ({ rules, defaultEventTypeId: OTHER })));

    const mapped = await service.mapBatch(batch('run-1', [row(2, 'Lunch'), row(3, 'Shift')]));

    expect(typesOfRows(mapped)).toEqual([OTHER, SHIFT]);
    expect(mapped.errors).toEqual([]);
  });

  it('applies the higher-priority rule when two match', async () => {
    const overlapping = [rule('r1', 'Shift', SHIFT, { priority: 'low' }), rule('r2', 'Sh', BREAK, { matchType: 'starts_with', priority: 'high' })];
    const service = new MappingService(new InMemoryRuleSnapshots(() => ({ rules: overlapping, defaultEventTypeId: null })));

    const mapped = await service.mapBatch(batch('run-1', [row(2, 'Shift')]));

    expect(typesOfRows(mapped)).toEqual([BREAK]);
  });

  it("reads a sync run's rules once, for every batch of its file, and each sync run's own rules", async () => {
    const snapshots = new InMemoryRuleSnapshots((syncRunId) =>
      syncRunId === 'run-1' ? { rules, defaultEventTypeId: null } : { rules: [rule('r9', 'Shift', OTHER)], defaultEventTypeId: null },
    );
    const service = new MappingService(snapshots);

    const first = await service.mapBatch(batch('run-1', [row(2, 'Shift')]));
    const second = await service.mapBatch({ ...batch('run-1', [row(3, 'Shift')]), sequence: 1 });
    const otherRun = await service.mapBatch(batch('run-2', [row(2, 'Shift')]));

    expect([first, second, otherRun].map((b) => typesOfRows(b)[0])).toEqual([SHIFT, SHIFT, OTHER]);
    expect(snapshots.reads).toEqual([`run-1/${INTEGRATION}`, `run-2/${INTEGRATION}`]);
  });

  it('keeps the rule sets of at most 32 sync runs, forgetting the oldest first', async () => {
    const snapshots = new InMemoryRuleSnapshots(() => ({ rules, defaultEventTypeId: null }));
    const service = new MappingService(snapshots);
    for (let n = 1; n <= 33; n++) await service.mapBatch(batch(`run-${n}`, [row(2, 'Shift')]));
    expect(snapshots.reads).toHaveLength(33);

    await service.mapBatch(batch('run-33', [row(3, 'Shift')])); // still cached
    await service.mapBatch(batch('run-2', [row(3, 'Shift')])); // still cached
    expect(snapshots.reads).toHaveLength(33);

    await service.mapBatch(batch('run-1', [row(3, 'Shift')])); // the oldest, forgotten: read again
    expect(snapshots.reads).toHaveLength(34);
  });

  it('passes on a failure to read the rules rather than mapping with none', async () => {
    const service = new MappingService(
      new (class extends MappingRuleSnapshots {
        async forSyncRun(): Promise<RuleSnapshot> {
          throw new Error('integration 4444 no longer exists');
        }
      })(),
    );
    await expect(service.mapBatch(batch('run-1', [row(2, 'Shift')]))).rejects.toThrow('no longer exists');
  });
});
