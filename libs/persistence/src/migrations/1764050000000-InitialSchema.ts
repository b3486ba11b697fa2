import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The whole first schema: the customer's setup (organizations, tokens, sites, schedules, event
 * types, integrations, mapping rules, agents), what BPOs upload (received files and their bytes),
 * what the pipeline produces (sync runs, errors, schedule events), and the messaging tables
 * (outbox, inbox). Keys of the hot tables (events, outbox) are bigint identities: cheapest to write.
 */
export class InitialSchema1764050000000 implements MigrationInterface {
  name = 'InitialSchema1764050000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE organizations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        timezone text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE api_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        name text NOT NULL,
        role text NOT NULL CHECK (role IN ('basic', 'lead', 'manager', 'admin')),
        token_hash text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz
      );

      CREATE TABLE schedules (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        name text NOT NULL,
        is_default boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE UNIQUE INDEX schedules_one_default ON schedules (organization_id) WHERE is_default;

      CREATE TABLE sites (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        name text NOT NULL,
        timezone text NOT NULL,
        is_bpo boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX sites_organization ON sites (organization_id);

      CREATE TABLE event_types (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        name text NOT NULL,
        color text,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE UNIQUE INDEX event_types_name ON event_types (organization_id, lower(name));

      CREATE TABLE integrations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        site_id uuid NOT NULL UNIQUE REFERENCES sites(id) ON DELETE CASCADE,
        platform text NOT NULL CHECK (platform IN ('nice_iex', 'verint', 'injixo', 'alvaria', 'custom')),
        sftp_username text NOT NULL UNIQUE,
        sftp_password_hash text NOT NULL,
        timezone text,
        target_schedule_id uuid REFERENCES schedules(id) ON DELETE SET NULL,
        sync_past_events boolean NOT NULL DEFAULT false,
        replace_scope text NOT NULL DEFAULT 'agents_in_file' CHECK (replace_scope IN ('agents_in_file', 'all_site_agents')),
        default_event_type_id uuid REFERENCES event_types(id) ON DELETE SET NULL,
        date_order text NOT NULL DEFAULT 'YYYY-MM-DD',
        encoding text NOT NULL DEFAULT 'utf-8',
        title_lines integer NOT NULL DEFAULT 0 CHECK (title_lines >= 0),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX integrations_organization ON integrations (organization_id);

      CREATE TABLE integration_ssh_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        integration_id uuid NOT NULL REFERENCES integrations(id) ON DELETE CASCADE,
        algorithm text NOT NULL,
        public_key text NOT NULL,
        fingerprint text NOT NULL,
        comment text,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (integration_id, fingerprint)
      );

      CREATE TABLE mapping_rules (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        integration_id uuid NOT NULL REFERENCES integrations(id) ON DELETE CASCADE,
        match_type text NOT NULL CHECK (match_type IN ('exact', 'pattern', 'contains', 'starts_with')),
        keyword text NOT NULL,
        priority text NOT NULL CHECK (priority IN ('highest', 'high', 'medium', 'low', 'lowest')),
        event_type_id uuid NOT NULL REFERENCES event_types(id) ON DELETE CASCADE,
        -- ties between rules of one priority go to the rule created first
        position bigint GENERATED ALWAYS AS IDENTITY,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX mapping_rules_integration ON mapping_rules (integration_id);

      CREATE TABLE agents (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        site_id uuid NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
        name text NOT NULL,
        email text,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX agents_site ON agents (site_id);
      CREATE INDEX agents_email ON agents (organization_id, lower(email));

      CREATE TABLE agent_platform_ids (
        agent_id uuid NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
        site_id uuid NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
        field text NOT NULL CHECK (field IN ('nice_iex_sftp', 'verint_sftp', 'injixo_sftp', 'alvaria_sftp', 'custom_platform_sftp')),
        platform_agent_id text NOT NULL,
        PRIMARY KEY (agent_id, field),
        UNIQUE (site_id, field, platform_agent_id)
      );

      CREATE TABLE received_files (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        integration_id uuid NOT NULL REFERENCES integrations(id) ON DELETE CASCADE,
        filename text NOT NULL,
        size_bytes bigint NOT NULL,
        sha256 text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (integration_id, filename)
      );

      -- A file's bytes in chunks, so neither upload nor parsing holds a whole file in memory.
      CREATE TABLE received_file_chunks (
        file_id uuid NOT NULL REFERENCES received_files(id) ON DELETE CASCADE,
        seq integer NOT NULL,
        data bytea NOT NULL,
        PRIMARY KEY (file_id, seq)
      );

      CREATE TABLE sync_runs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        integration_id uuid NOT NULL REFERENCES integrations(id) ON DELETE CASCADE,
        site_id uuid NOT NULL,
        file_id uuid NOT NULL REFERENCES received_files(id) ON DELETE CASCADE,
        status text NOT NULL DEFAULT 'processing'
          CHECK (status IN ('processing', 'succeeded', 'succeeded_with_errors', 'failed', 'superseded')),
        stage text,
        reason text,
        counts jsonb,
        window_from date,
        window_to date,
        schedule_id uuid,
        started_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz
      );
      CREATE INDEX sync_runs_integration ON sync_runs (integration_id, started_at DESC);
      CREATE INDEX sync_runs_file ON sync_runs (file_id, started_at DESC);

      CREATE TABLE sync_run_errors (
        sync_run_id uuid NOT NULL REFERENCES sync_runs(id) ON DELETE CASCADE,
        seq integer NOT NULL,
        line integer NOT NULL,
        "column" text,
        code text NOT NULL,
        message text NOT NULL,
        PRIMARY KEY (sync_run_id, seq)
      );

      -- The writer's staging: batches of a sync run wait here until the whole file has arrived.
      CREATE TABLE sync_run_batches (
        sync_run_id uuid NOT NULL REFERENCES sync_runs(id) ON DELETE CASCADE,
        sequence integer NOT NULL,
        rows jsonb NOT NULL,
        errors jsonb NOT NULL,
        PRIMARY KEY (sync_run_id, sequence)
      );

      -- The mapping rules a sync run uses, frozen at its first batch: rule changes apply from the next file on.
      CREATE TABLE sync_run_mapping_rules (
        sync_run_id uuid PRIMARY KEY REFERENCES sync_runs(id) ON DELETE CASCADE,
        rules jsonb NOT NULL,
        default_event_type_id uuid
      );

      CREATE TABLE schedule_events (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        schedule_id uuid NOT NULL REFERENCES schedules(id) ON DELETE CASCADE,
        agent_id uuid NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
        event_type_id uuid NOT NULL REFERENCES event_types(id) ON DELETE CASCADE,
        start_at timestamptz NOT NULL,
        end_at timestamptz NOT NULL,
        -- the day the event belongs to: its start's date in the site's time zone
        day date NOT NULL,
        source_integration_id uuid REFERENCES integrations(id) ON DELETE SET NULL,
        source_file_id uuid REFERENCES received_files(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK (end_at > start_at)
      );
      CREATE INDEX schedule_events_agent ON schedule_events (schedule_id, agent_id, start_at);
      CREATE INDEX schedule_events_source ON schedule_events (source_integration_id, day);

      -- Per integration and day, the newest received file applied: an older file never overwrites it.
      CREATE TABLE integration_day_versions (
        integration_id uuid NOT NULL REFERENCES integrations(id) ON DELETE CASCADE,
        day date NOT NULL,
        file_received_at timestamptz NOT NULL,
        file_id uuid NOT NULL,
        PRIMARY KEY (integration_id, day)
      );

      CREATE TABLE outbox (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        topic text NOT NULL,
        message_key text,
        payload jsonb NOT NULL,
        headers jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        published_at timestamptz
      );
      CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL;

      CREATE TABLE inbox (
        consumer_group text NOT NULL,
        message_id text NOT NULL,
        processed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer_group, message_id)
      );
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      DROP TABLE inbox, outbox, integration_day_versions, schedule_events, sync_run_mapping_rules,
        sync_run_batches, sync_run_errors, sync_runs, received_file_chunks, received_files,
        agent_platform_ids, agents, mapping_rules, integration_ssh_keys, integrations, event_types,
        sites, schedules, api_tokens, organizations;
    `);
  }
}
