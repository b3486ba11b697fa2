import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A file's events-changed messages are built after its sync-status, not before it:
 * - `sync_run_changes`: what an apply changed (created, updated, deleted events), logged in the
 *   apply's transaction and kept until its messages are queued. It replaces the per-transaction
 *   temp table: building a million events' messages took 3-5 s between a large file's last write
 *   and its status. No index and no foreign key: it only ever holds the changes not yet reported,
 *   each run's read and removed at once.
 * - `sync_runs.events_changed`: the header of the run's events-changed messages while they are
 *   still to be queued (null once queued, or when the run changed nothing).
 */
export class EventsChangedAfterStatus1764180000000 implements MigrationInterface {
  name = 'EventsChangedAfterStatus1764180000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE sync_run_changes (
        sync_run_id uuid NOT NULL,
        kind smallint NOT NULL,
        id bigint NOT NULL,
        agent_id uuid NOT NULL,
        event_type_id uuid NOT NULL,
        start_at timestamptz NOT NULL,
        end_at timestamptz NOT NULL
      );
      ALTER TABLE sync_runs ADD COLUMN events_changed jsonb;
      CREATE INDEX sync_runs_events_changed_pending ON sync_runs (finished_at) WHERE events_changed IS NOT NULL;
      -- A deleted run (its integration deleted) takes its unreported changes along.
      CREATE OR REPLACE FUNCTION remove_staged_rows() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        DELETE FROM sync_run_rows WHERE sync_run_id = OLD.id;
        DELETE FROM sync_run_agent_days WHERE sync_run_id = OLD.id;
        DELETE FROM sync_run_changes WHERE sync_run_id = OLD.id;
        RETURN OLD;
      END $$;
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE OR REPLACE FUNCTION remove_staged_rows() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        DELETE FROM sync_run_rows WHERE sync_run_id = OLD.id;
        DELETE FROM sync_run_agent_days WHERE sync_run_id = OLD.id;
        RETURN OLD;
      END $$;
      DROP INDEX sync_runs_events_changed_pending;
      ALTER TABLE sync_runs DROP COLUMN events_changed;
      DROP TABLE sync_run_changes;
    `);
  }
}
