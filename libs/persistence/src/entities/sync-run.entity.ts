import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import type { PipelineStage, SyncStatus } from '@bpo/contracts';

export type SyncRunStatus = SyncStatus | 'processing';

export interface SyncCounts {
  rows: number;
  created: number;
  updated: number;
  deleted: number;
  unchanged: number;
  skippedPast: number;
  rowErrors: number;
}

@Entity('sync_runs')
export class SyncRunEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'organization_id' }) organizationId: string;
  @Column('uuid', { name: 'integration_id' }) integrationId: string;
  @Column('uuid', { name: 'site_id' }) siteId: string;
  @Column('uuid', { name: 'file_id' }) fileId: string;
  @Column('text') status: SyncRunStatus;
  @Column('text', { nullable: true }) stage: PipelineStage | null;
  @Column('text', { nullable: true }) reason: string | null;
  @Column('jsonb', { nullable: true }) counts: SyncCounts | null;
  @Column('date', { name: 'window_from', nullable: true }) windowFrom: string | null;
  @Column('date', { name: 'window_to', nullable: true }) windowTo: string | null;
  @Column('uuid', { name: 'schedule_id', nullable: true }) scheduleId: string | null;
  @Column('timestamptz', { name: 'started_at' }) startedAt: Date;
  @Column('timestamptz', { name: 'finished_at', nullable: true }) finishedAt: Date | null;
}

@Entity('sync_run_errors')
export class SyncRunErrorEntity {
  @PrimaryColumn('uuid', { name: 'sync_run_id' }) syncRunId: string;
  @PrimaryColumn('int') seq: number;
  @Column('int') line: number;
  @Column('text', { nullable: true }) column: string | null;
  @Column('text') code: string;
  @Column('text') message: string;
}
