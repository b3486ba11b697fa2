import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A sync run's report names the messages of the run that could never be published (outbox dead
 * letters): they are found by the run id their payload carries. Dead letters are few; the index
 * keeps a page of files from scanning them once per file all the same.
 */
export class DeadLettersBySyncRun1764155000000 implements MigrationInterface {
  name = 'DeadLettersBySyncRun1764155000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE INDEX outbox_dead_letters_by_sync_run ON outbox_dead_letters ((payload->>'syncRunId'))`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP INDEX outbox_dead_letters_by_sync_run');
  }
}
