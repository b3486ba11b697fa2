import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Outbox payloads become `json` (the text as written, checked to be JSON) instead of `jsonb`: a
 * payload is written once and read back once as text for the broker, so jsonb's binary form was
 * built only to be turned back into text. For a large file's events-changed parts (about 220 MB of
 * JSON at a million events) that conversion cost seconds inside the apply. Queries by field
 * (`payload->>'id'`) work on json alike.
 */
export class OutboxPayloadAsJson1764150000000 implements MigrationInterface {
  name = 'OutboxPayloadAsJson1764150000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE outbox ALTER COLUMN payload TYPE json USING payload::json;
      ALTER TABLE outbox ALTER COLUMN payload SET STORAGE EXTERNAL;
      ALTER TABLE outbox_dead_letters ALTER COLUMN payload TYPE json USING payload::json;
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE outbox_dead_letters ALTER COLUMN payload TYPE jsonb USING payload::jsonb;
      ALTER TABLE outbox ALTER COLUMN payload TYPE jsonb USING payload::jsonb;
      ALTER TABLE outbox ALTER COLUMN payload SET STORAGE EXTERNAL;
    `);
  }
}
