import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * SFTP login defences shared by every sftp-ingest instance:
 * - `sftp_login_failures`: one row per refused password (or bad key signature), by username and
 *   source address; only the last lockout window is needed, older rows are pruned.
 * - `sftp_lockouts`: a username or an address locked until `locked_until` (or until a manager lifts
 *   it, `lifted_at`). `integration_ids` are the integrations it concerns (the username's, or those
 *   whose usernames failed from the address), so the API can show an integration its lockouts.
 */
export class SftpLockouts1764130000000 implements MigrationInterface {
  name = 'SftpLockouts1764130000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE sftp_login_failures (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        username text NOT NULL,
        address text NOT NULL,
        integration_id uuid,
        failed_at timestamptz NOT NULL DEFAULT clock_timestamp()
      );
      CREATE INDEX sftp_login_failures_username ON sftp_login_failures (username, failed_at);
      CREATE INDEX sftp_login_failures_address ON sftp_login_failures (address, failed_at);
      CREATE INDEX sftp_login_failures_failed_at ON sftp_login_failures (failed_at);

      CREATE TABLE sftp_lockouts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind text NOT NULL CHECK (kind IN ('username', 'address')),
        subject text NOT NULL,
        integration_ids uuid[] NOT NULL DEFAULT '{}',
        failures integer NOT NULL,
        locked_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        locked_until timestamptz NOT NULL,
        lifted_at timestamptz
      );
      CREATE INDEX sftp_lockouts_subject ON sftp_lockouts (kind, subject, locked_until);
      CREATE INDEX sftp_lockouts_integrations ON sftp_lockouts USING gin (integration_ids);
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE sftp_lockouts; DROP TABLE sftp_login_failures');
  }
}
