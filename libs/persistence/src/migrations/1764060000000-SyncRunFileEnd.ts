import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The writer keeps the parser's end-of-file message on the sync run, to know when all batches are in. */
export class SyncRunFileEnd1764060000000 implements MigrationInterface {
  name = 'SyncRunFileEnd1764060000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE sync_runs ADD COLUMN file_end jsonb`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE sync_runs DROP COLUMN file_end`);
  }
}
