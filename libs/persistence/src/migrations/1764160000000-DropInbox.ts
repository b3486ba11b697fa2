import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Drops the `inbox` table (consumer group, message id): nothing ever wrote to it. Every stage's
 * effect is idempotent by itself (message ids derived from the sync run and batch, the writer
 * staging a batch once and applying a run once under its row lock), so a claim per consumed
 * message would only add a write. `down` recreates it as the initial schema had it, empty.
 */
export class DropInbox1764160000000 implements MigrationInterface {
  name = 'DropInbox1764160000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE inbox`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE inbox (
        consumer_group text NOT NULL,
        message_id text NOT NULL,
        processed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer_group, message_id)
      );
    `);
  }
}
