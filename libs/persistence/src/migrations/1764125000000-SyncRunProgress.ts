import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When each staged batch arrived at the schedule-writer: a run's progress, so a run that stopped
 * making any is found (and failed, to be replayed) rather than left `processing` forever.
 * A partial index keeps finding the (few) processing runs cheap however many runs are kept.
 */
export class SyncRunProgress1764125000000 implements MigrationInterface {
  name = 'SyncRunProgress1764125000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE sync_run_batches ADD COLUMN staged_at timestamptz NOT NULL DEFAULT clock_timestamp();
      CREATE INDEX sync_runs_processing ON sync_runs (started_at) WHERE status = 'processing';
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      DROP INDEX sync_runs_processing;
      ALTER TABLE sync_run_batches DROP COLUMN staged_at;
    `);
  }
}
