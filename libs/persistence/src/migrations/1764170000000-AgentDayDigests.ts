import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Agent-day digests, so a re-sent file's unchanged agent-days need not travel the pipeline:
 * - `sync_run_agent_days`: one entry per run of a file's rows for one agent-day, as the parser
 *   closed it (digest of its rows, how many, whether it left them out), staged with its batch.
 *   The entries of the run that last applied a day stay after it finished: they are what the
 *   next file's agent-days are compared with. `complete` is false when some of its rows did not
 *   become events (an unknown agent, an unmapped activity) or the agent-day came in several runs:
 *   such an entry is never a reason to leave rows out.
 * - `integration_day_versions.sync_run_id`: the run that last applied the day (the file alone does
 *   not say which run, when a file is replayed).
 * - `sync_runs.mapping_key`: what the run's mapping depended on (see @bpo/pipeline mapping-rules-key).
 * - `sync_run_batches.summary`: what a batch notes of itself when staged (rows per day, agents,
 *   event types), so the apply adds up a few hundred notes instead of reading every staged row.
 * No foreign keys on the staging table, as for `sync_run_rows`: entries go with their run.
 */
export class AgentDayDigests1764170000000 implements MigrationInterface {
  name = 'AgentDayDigests1764170000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE sync_run_agent_days (
        sync_run_id uuid NOT NULL,
        platform_agent_id text NOT NULL,
        agent_id uuid,
        day date NOT NULL,
        digest bigint NOT NULL,
        rows integer NOT NULL,
        skipped boolean NOT NULL,
        complete boolean NOT NULL
      );
      CREATE INDEX sync_run_agent_days_by_day ON sync_run_agent_days (sync_run_id, day, platform_agent_id);
      -- A deleted run (its integration deleted) takes its entries along with its staged rows.
      CREATE OR REPLACE FUNCTION remove_staged_rows() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        DELETE FROM sync_run_rows WHERE sync_run_id = OLD.id;
        DELETE FROM sync_run_agent_days WHERE sync_run_id = OLD.id;
        RETURN OLD;
      END $$;
      ALTER TABLE integration_day_versions ADD COLUMN sync_run_id uuid;
      ALTER TABLE sync_runs ADD COLUMN mapping_key text;
      ALTER TABLE sync_run_batches ADD COLUMN summary jsonb;
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE sync_run_batches DROP COLUMN summary;
      ALTER TABLE sync_runs DROP COLUMN mapping_key;
      ALTER TABLE integration_day_versions DROP COLUMN sync_run_id;
      CREATE OR REPLACE FUNCTION remove_staged_rows() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        DELETE FROM sync_run_rows WHERE sync_run_id = OLD.id;
        RETURN OLD;
      END $$;
      DROP TABLE sync_run_agent_days;
    `);
  }
}
