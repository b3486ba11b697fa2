import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Stores outbox payloads out of line but uncompressed (STORAGE EXTERNAL; new rows only). A large
 * file's events-changed parts are about 1.2 GB of JSON per 5,000,000 changed events: PostgreSQL's
 * own compression (pglz, the only one its embedded build has) cost about 18 ms of CPU per
 * 256 KiB part, some 20 s for such a file, right while the next files were synced. Reading them
 * back costs the relay the same either way. The price is disk: published rows are kept a day
 * (the relay's publishedRetentionHours), at about twice the size they had compressed.
 */
export class OutboxPayloadUncompressed1764190000000 implements MigrationInterface {
  name = 'OutboxPayloadUncompressed1764190000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE outbox ALTER COLUMN payload SET STORAGE EXTERNAL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE outbox ALTER COLUMN payload SET STORAGE EXTENDED`);
  }
}
