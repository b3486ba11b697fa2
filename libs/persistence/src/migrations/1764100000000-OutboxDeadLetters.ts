import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Outbox messages the broker can never accept (larger than the hard maximum, or refused as too
 * large or invalid) move here, with the reason, so they never hold back the messages behind them.
 * The id is the outbox row's id (queue order). Kept 30 days by the relay's pruning, then removed.
 */
export class OutboxDeadLetters1764100000000 implements MigrationInterface {
  name = 'OutboxDeadLetters1764100000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE outbox_dead_letters (
        id bigint PRIMARY KEY,
        topic text NOT NULL,
        message_key text,
        payload jsonb NOT NULL,
        headers jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL,
        failed_at timestamptz NOT NULL DEFAULT now(),
        encoded_bytes integer NOT NULL,
        failure text NOT NULL
      );
      CREATE INDEX outbox_dead_letters_failed_at ON outbox_dead_letters (failed_at);
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE outbox_dead_letters');
  }
}
