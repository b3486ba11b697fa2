import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { MappingRule } from '@bpo/mapping-rules';
import { IntegrationRepository } from '@bpo/persistence';

export interface RuleSnapshot {
  rules: MappingRule[];
  defaultEventTypeId: string | null;
}

/** The mapping rules a sync run uses. A port, so the service can be tested without a database. */
export abstract class MappingRuleSnapshots {
  abstract forSyncRun(syncRunId: string, integrationId: string): Promise<RuleSnapshot>;
}

@Injectable()
export class TypeOrmMappingRuleSnapshots extends MappingRuleSnapshots {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  /**
   * Freezes the integration's rules for the sync run on its first batch (later batches, and a
   * restarted service, read the same frozen set): rule changes apply from the next file on.
   *
   * The one integration setting not carried in the messages (FileSettingsV1): the rules can be many
   * (and a message repeats its envelope in every batch), and the frozen snapshot, keyed by the sync
   * run every message names, already is the file's rules version. Freezing at the announcement
   * instead would also move the schedule-writer's stuck-run signal ("no rows reached mapping" is a
   * run without a snapshot, stuck-runs.ts) and need a rules version kept by every rule edit.
   */
  async forSyncRun(syncRunId: string, integrationId: string): Promise<RuleSnapshot> {
    await new IntegrationRepository(this.dataSource).freezeMappingRules(syncRunId, integrationId);
    const rows: Array<{ rules: MappingRule[]; default_event_type_id: string | null }> = await this.dataSource.query(
      'SELECT rules, default_event_type_id FROM sync_run_mapping_rules WHERE sync_run_id = $1',
      [syncRunId],
    );
    if (rows.length === 0) throw new Error(`integration ${integrationId} no longer exists`);
    return { rules: rows[0].rules.map((rule) => ({ ...rule, position: Number(rule.position) })), defaultEventTypeId: rows[0].default_event_type_id };
  }
}
