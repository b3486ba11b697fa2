import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `sync_runs.events_changed_published_parts`: how many of a run's events-changed parts the broker
 * has acknowledged while they are still to be reported (`events_changed` not null). The writer now
 * sends the parts straight to Kafka, not through the outbox (a million changes were about 200 MB
 * written to the outbox, read back and marked); it records each acknowledged request here, outside
 * the report's transaction, so a report that fails part way and is retried skips what went out.
 */
export class EventsChangedPublishedParts1764210000000 implements MigrationInterface {
  name = 'EventsChangedPublishedParts1764210000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE sync_runs ADD COLUMN events_changed_published_parts integer NOT NULL DEFAULT 0');
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE sync_runs DROP COLUMN events_changed_published_parts');
  }
}
