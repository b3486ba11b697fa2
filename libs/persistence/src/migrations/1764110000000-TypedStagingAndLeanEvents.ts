import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Large files in flat memory and at COPY speed:
 * - The writer stages a file's resolved rows in a typed table (`sync_run_rows`, filled by COPY as
 *   batches arrive) instead of one JSON document per batch, so applying a file reads it back in
 *   bounded day ranges. Batches keep only their row errors. No foreign key on the staging table:
 *   each one costs a lookup per row, and staged rows are removed by the writer itself.
 * - `schedule_events` loses its foreign keys: each cost a lookup (and a row lock) per written event,
 *   most of the cost of writing a large file. What they gave is kept at a per-file or per-parent
 *   cost: the writer locks the file's agents, event types and schedule (FOR KEY SHARE) once per
 *   file, so none can vanish under it; deleting an agent, event type or schedule deletes its
 *   events, and deleting an integration clears the provenance of its events, by triggers that run
 *   once per deleted row. The organization is implied by the schedule.
 * - Outbox payloads are stored uncompressed (see below).
 */
export class TypedStagingAndLeanEvents1764110000000 implements MigrationInterface {
  name = 'TypedStagingAndLeanEvents1764110000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE sync_run_rows (
        sync_run_id uuid NOT NULL,
        line integer NOT NULL,
        agent_id uuid NOT NULL,
        event_type_id uuid NOT NULL,
        start_at timestamptz NOT NULL,
        end_at timestamptz NOT NULL,
        day date NOT NULL
      );
      CREATE INDEX sync_run_rows_by_day ON sync_run_rows (sync_run_id, day);
      -- A deleted run (its integration deleted) takes its staged rows along, once per run.
      CREATE FUNCTION remove_staged_rows() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        DELETE FROM sync_run_rows WHERE sync_run_id = OLD.id;
        RETURN OLD;
      END $$;
      CREATE TRIGGER sync_runs_remove_staged_rows AFTER DELETE ON sync_runs
        FOR EACH ROW EXECUTE FUNCTION remove_staged_rows();

      -- Runs still in flight keep their staged rows.
      INSERT INTO sync_run_rows (sync_run_id, line, agent_id, event_type_id, start_at, end_at, day)
      SELECT b.sync_run_id, (r->>'line')::int, (r->>'agentId')::uuid, (r->>'eventTypeId')::uuid,
             (r->>'startAt')::timestamptz, (r->>'endAt')::timestamptz, (r->>'day')::date
        FROM sync_run_batches b CROSS JOIN LATERAL jsonb_array_elements(b.rows) AS r
       WHERE r ? 'agentId' AND r ? 'eventTypeId';
      ALTER TABLE sync_run_batches DROP COLUMN rows;

      ALTER TABLE schedule_events
        DROP CONSTRAINT schedule_events_organization_id_fkey,
        DROP CONSTRAINT schedule_events_source_integration_id_fkey,
        DROP CONSTRAINT schedule_events_source_file_id_fkey,
        DROP CONSTRAINT schedule_events_schedule_id_fkey,
        DROP CONSTRAINT schedule_events_agent_id_fkey,
        DROP CONSTRAINT schedule_events_event_type_id_fkey;
      -- Deleting an agent deletes its events: the index leads with the agent.
      DROP INDEX schedule_events_agent;
      CREATE INDEX schedule_events_agent ON schedule_events (agent_id, start_at);
      -- GET /v1/events pages an organization's events by start (every query filters by organization).
      DROP INDEX schedule_events_by_start;
      CREATE INDEX schedule_events_by_start ON schedule_events (organization_id, start_at, id);

      -- What the foreign keys' cascades did, once per deleted parent row instead of a check per written event.
      CREATE FUNCTION delete_events_of_agent() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN DELETE FROM schedule_events WHERE agent_id = OLD.id; RETURN OLD; END $$;
      CREATE TRIGGER agents_delete_events AFTER DELETE ON agents FOR EACH ROW EXECUTE FUNCTION delete_events_of_agent();
      CREATE FUNCTION delete_events_of_event_type() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN DELETE FROM schedule_events WHERE event_type_id = OLD.id; RETURN OLD; END $$;
      CREATE TRIGGER event_types_delete_events AFTER DELETE ON event_types FOR EACH ROW EXECUTE FUNCTION delete_events_of_event_type();
      CREATE FUNCTION delete_events_of_schedule() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN DELETE FROM schedule_events WHERE schedule_id = OLD.id; RETURN OLD; END $$;
      CREATE TRIGGER schedules_delete_events AFTER DELETE ON schedules FOR EACH ROW EXECUTE FUNCTION delete_events_of_schedule();

      -- Outbox payloads live a day at most: storing them uncompressed makes queueing a large
      -- file's events-changed parts about a third cheaper.
      ALTER TABLE outbox ALTER COLUMN payload SET STORAGE EXTERNAL;

      CREATE FUNCTION clear_event_provenance() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE schedule_events SET source_integration_id = NULL, source_file_id = NULL
         WHERE source_integration_id = OLD.id;
        RETURN OLD;
      END $$;
      CREATE TRIGGER integrations_clear_event_provenance AFTER DELETE ON integrations
        FOR EACH ROW EXECUTE FUNCTION clear_event_provenance();
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE outbox ALTER COLUMN payload SET STORAGE EXTENDED;
      DROP TRIGGER integrations_clear_event_provenance ON integrations;
      DROP FUNCTION clear_event_provenance();
      UPDATE schedule_events e SET source_file_id = NULL WHERE NOT EXISTS (SELECT 1 FROM received_files f WHERE f.id = e.source_file_id);
      UPDATE schedule_events e SET source_integration_id = NULL WHERE NOT EXISTS (SELECT 1 FROM integrations i WHERE i.id = e.source_integration_id);
      DROP TRIGGER agents_delete_events ON agents;
      DROP FUNCTION delete_events_of_agent();
      DROP TRIGGER event_types_delete_events ON event_types;
      DROP FUNCTION delete_events_of_event_type();
      DROP TRIGGER schedules_delete_events ON schedules;
      DROP FUNCTION delete_events_of_schedule();
      DROP INDEX schedule_events_agent;
      CREATE INDEX schedule_events_agent ON schedule_events (schedule_id, agent_id, start_at);
      DROP INDEX schedule_events_by_start;
      CREATE INDEX schedule_events_by_start ON schedule_events (schedule_id, start_at, id);
      DELETE FROM schedule_events e WHERE NOT EXISTS (SELECT 1 FROM agents a WHERE a.id = e.agent_id)
        OR NOT EXISTS (SELECT 1 FROM event_types t WHERE t.id = e.event_type_id) OR NOT EXISTS (SELECT 1 FROM schedules s WHERE s.id = e.schedule_id);
      ALTER TABLE schedule_events
        ADD CONSTRAINT schedule_events_schedule_id_fkey FOREIGN KEY (schedule_id) REFERENCES schedules(id) ON DELETE CASCADE,
        ADD CONSTRAINT schedule_events_agent_id_fkey FOREIGN KEY (agent_id) REFERENCES agents(id) ON DELETE CASCADE,
        ADD CONSTRAINT schedule_events_event_type_id_fkey FOREIGN KEY (event_type_id) REFERENCES event_types(id) ON DELETE CASCADE,
        ADD CONSTRAINT schedule_events_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES organizations(id) ON DELETE CASCADE,
        ADD CONSTRAINT schedule_events_source_integration_id_fkey FOREIGN KEY (source_integration_id) REFERENCES integrations(id) ON DELETE SET NULL,
        ADD CONSTRAINT schedule_events_source_file_id_fkey FOREIGN KEY (source_file_id) REFERENCES received_files(id) ON DELETE SET NULL;
      ALTER TABLE sync_run_batches ADD COLUMN rows jsonb NOT NULL DEFAULT '[]';
      DROP TRIGGER sync_runs_remove_staged_rows ON sync_runs;
      DROP FUNCTION remove_staged_rows();
      DROP TABLE sync_run_rows;
    `);
  }
}
