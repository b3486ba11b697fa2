import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Stale integrations: each integration expects a file every `expected_cadence_minutes` (default
 * 15, as the product recommends). `last_file_received_at` is set by sftp-ingest in the
 * transaction that stores a file (filled here from the files already received), and
 * `stale_since` is set by the stale check (once per episode, a conditional UPDATE) and cleared by
 * the next file. Both live on the integration's row, so a check and an arriving file serialise on
 * its row lock and the check never marks an integration whose file just committed.
 */
export class IntegrationStaleness1764140000000 implements MigrationInterface {
  name = 'IntegrationStaleness1764140000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE integrations
        ADD COLUMN expected_cadence_minutes integer NOT NULL DEFAULT 15 CHECK (expected_cadence_minutes BETWEEN 1 AND 10080),
        ADD COLUMN last_file_received_at timestamptz,
        ADD COLUMN stale_since timestamptz;
      UPDATE integrations i SET last_file_received_at = f.last_received_at
        FROM (SELECT integration_id, max(received_at) AS last_received_at FROM received_files GROUP BY integration_id) f
       WHERE f.integration_id = i.id;
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE integrations DROP COLUMN stale_since, DROP COLUMN last_file_received_at, DROP COLUMN expected_cadence_minutes');
  }
}
