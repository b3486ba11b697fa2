import { Injectable } from '@nestjs/common';
import type { RowErrorV1, RowsBatchV2 } from '@bpo/contracts';
import { MappingRuleSet } from '@bpo/mapping-rules';
import { MappingRuleSnapshots } from './mapping-rule-snapshots.repository';

/** Resolves each row's activity to an event type with the rules frozen for its sync run. */
@Injectable()
export class MappingService {
  // Compiled rule sets of the files in flight; a handful at a time, so a small cache suffices.
  private readonly ruleSets = new Map<string, MappingRuleSet>();

  constructor(private readonly snapshots: MappingRuleSnapshots) {}

  /**
   * Maps each of the batch's distinct activities once. Rows whose activity maps to nothing become
   * `unmapped_activity` row errors, in row order, after the batch's earlier errors.
   */
  async mapBatch(batch: RowsBatchV2): Promise<RowsBatchV2> {
    const ruleSet = await this.ruleSetFor(batch.syncRunId, batch.integrationId);
    const eventTypeIds = batch.activities.map((activity) => {
      const resolution = ruleSet.resolve(activity);
      return resolution.kind === 'unmapped' ? null : resolution.eventTypeId;
    });
    const errors: RowErrorV1[] = [];
    if (eventTypeIds.includes(null)) {
      const { line, activity: activityOf } = batch.rows;
      for (let i = 0; i < line.length; i += 1) {
        if (eventTypeIds[activityOf[i]] !== null) continue;
        const activity = batch.activities[activityOf[i]];
        errors.push({
          line: line[i],
          column: 'activity',
          code: 'unmapped_activity',
          message: `activity "${activity}" matches no mapping rule and the integration has no default mapping`,
          subject: activity,
        });
      }
    }
    // The batch's own errors array when nothing was added: the stage hands the batch on as received (see handedOn).
    return { ...batch, eventTypeIds, errors: errors.length > 0 ? [...batch.errors, ...errors] : batch.errors };
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
