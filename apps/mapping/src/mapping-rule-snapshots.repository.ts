import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SyncRunRecords, type FrozenMappingRules } from '@bpo/persistence';

export type RuleSnapshot = FrozenMappingRules;

/** The mapping rules a sync run uses. A port, so the service can be tested without a database. */
export abstract class MappingRuleSnapshots {
  abstract forSyncRun(syncRunId: string, integrationId: string): Promise<RuleSnapshot>;
}

@Injectable()
export class TypeOrmMappingRuleSnapshots extends MappingRuleSnapshots {
  private readonly runs: SyncRunRecords;

  constructor(dataSource: DataSource) {
    super();
    this.runs = new SyncRunRecords(dataSource);
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
    await this.runs.freezeMappingRules(syncRunId, integrationId);
    const snapshot = await this.runs.frozenMappingRules(syncRunId);
    if (!snapshot) throw new Error(`integration ${integrationId} no longer exists`);
    return snapshot;
  }
}
