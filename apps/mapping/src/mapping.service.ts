import { Injectable } from '@nestjs/common';
import type { RowErrorV1, RowsBatchV1, ScheduleRowV1 } from '@bpo/contracts';
import { MappingRuleSet } from '@bpo/mapping-rules';
import { MappingRuleSnapshots } from './mapping-rule-snapshots.repository';

/** Resolves each row's activity to an event type with the rules frozen for its sync run. */
@Injectable()
export class MappingService {
  // Compiled rule sets of the files in flight; a handful at a time, so a small cache suffices.
  private readonly ruleSets = new Map<string, MappingRuleSet>();

  constructor(private readonly snapshots: MappingRuleSnapshots) {}

  async mapBatch(batch: RowsBatchV1): Promise<RowsBatchV1> {
    const ruleSet = await this.ruleSetFor(batch.syncRunId, batch.integrationId);
    const rows: ScheduleRowV1[] = [];
    const errors: RowErrorV1[] = [...batch.errors];
    for (const row of batch.rows) {
      const resolution = ruleSet.resolve(row.activity);
      if (resolution.kind === 'unmapped') {
        errors.push({
          line: row.line,
          column: 'activity',
          code: 'unmapped_activity',
          message: `activity "${row.activity}" matches no mapping rule and the integration has no default mapping`,
          subject: row.activity,
        });
      } else {
        rows.push({ ...row, eventTypeId: resolution.eventTypeId });
      }
    }
    return { ...batch, rows, errors };
  }

  private async ruleSetFor(syncRunId: string, integrationId: string): Promise<MappingRuleSet> {
    const cached = this.ruleSets.get(syncRunId);
    if (cached) return cached;
    const snapshot = await this.snapshots.forSyncRun(syncRunId, integrationId);
    const ruleSet = MappingRuleSet.compile(snapshot.rules, snapshot.defaultEventTypeId);
    if (this.ruleSets.size >= 32) this.ruleSets.delete(this.ruleSets.keys().next().value as string);
    this.ruleSets.set(syncRunId, ruleSet);
    return ruleSet;
  }
}
