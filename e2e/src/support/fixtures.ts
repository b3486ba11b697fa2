import { createHash, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { Kafka, logLevel } from 'kafkajs';
import { DateTime } from 'luxon';
import { laneOfFile, PipelineLanes, type FileReceivedV1, type Platform } from '@bpo/contracts';
import { physicalTopic } from '@bpo/messaging';
import { generateSecret, hashSecret, hashToken } from '@bpo/service-kit';
import { testInfrastructure, type ClientKey } from '@bpo/testing';

/** SQL access for arranging and checking data, as the config API and the pipeline would leave it. */
export class Db {
  private constructor(private readonly client: Client) {}

  static async connect(url: string): Promise<Db> {
    const client = new Client({ connectionString: url });
    await client.connect();
    return new Db(client);
  }

  async query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.client.query(sql, params)).rows as T[];
  }

  async one<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T> {
    const rows = await this.query<T>(sql, params);
    if (rows.length !== 1) throw new Error(`expected one row, got ${rows.length}: ${sql}`);
    return rows[0];
  }

  close(): Promise<void> {
    return this.client.end();
  }
}

export interface Setup {
  organizationId: string;
  scheduleId: string;
  siteId: string;
  integrationId: string;
  sftpUsername: string;
  sftpPassword: string;
  eventTypes: Record<string, string>;
  agents: Record<string, string>;
}

/**
 * An organization with a BPO site (America/New_York), an integration on `platform`, event types
 * Phones/Chat/Break/Lunch/Training, agents with platform ids A1..A3, and mapping rules.
 * `integrationId` fixes the integration's id (e.g. to choose its Kafka partition); random otherwise.
 */
export async function arrangeOrganization(
  db: Db,
  { platform = 'custom' as Platform, timezone = 'America/New_York', integrationId: chosenIntegrationId }: { platform?: Platform; timezone?: string; integrationId?: string } = {},
): Promise<Setup> {
  const { id: organizationId } = await db.one<{ id: string }>(`INSERT INTO organizations (name, timezone) VALUES ('Acme', $1) RETURNING id`, [timezone]);
  const { id: scheduleId } = await db.one<{ id: string }>(`INSERT INTO schedules (organization_id, name, is_default) VALUES ($1, 'Default', true) RETURNING id`, [organizationId]);
  const { id: siteId } = await db.one<{ id: string }>(`INSERT INTO sites (organization_id, name, timezone, is_bpo) VALUES ($1, 'Manila BPO', $2, true) RETURNING id`, [organizationId, timezone]);
  const sftpUsername = `bpo-${randomUUID().slice(0, 8)}`;
  const sftpPassword = 'correct-horse-battery-staple';
  const { id: integrationId } = await db.one<{ id: string }>(
    `INSERT INTO integrations (id, organization_id, site_id, platform, sftp_username, sftp_password_hash) VALUES (coalesce($6::uuid, gen_random_uuid()), $1, $2, $3, $4, $5) RETURNING id`,
    [organizationId, siteId, platform, sftpUsername, await hashSecret(sftpPassword), chosenIntegrationId ?? null],
  );
  const eventTypes: Record<string, string> = {};
  for (const name of ['Phones', 'Chat', 'Break', 'Lunch', 'Training']) {
    eventTypes[name] = (await db.one<{ id: string }>(`INSERT INTO event_types (organization_id, name) VALUES ($1, $2) RETURNING id`, [organizationId, name])).id;
  }
  const field = { custom: 'custom_platform_sftp', nice_iex: 'nice_iex_sftp', verint: 'verint_sftp', injixo: 'injixo_sftp', alvaria: 'alvaria_sftp' }[platform];
  const agents: Record<string, string> = {};
  for (const platformAgentId of ['A1', 'A2', 'A3']) {
    const { id } = await db.one<{ id: string }>(`INSERT INTO agents (organization_id, site_id, name) VALUES ($1, $2, $3) RETURNING id`, [organizationId, siteId, `Agent ${platformAgentId}`]);
    await db.query(`INSERT INTO agent_platform_ids (agent_id, site_id, field, platform_agent_id) VALUES ($1, $2, $3, $4)`, [id, siteId, field, platformAgentId]);
    agents[platformAgentId] = id;
  }
  const rule = (matchType: string, keyword: string, priority: string, eventType: string) =>
    db.query(`INSERT INTO mapping_rules (integration_id, match_type, keyword, priority, event_type_id) VALUES ($1, $2, $3, $4, $5)`, [integrationId, matchType, keyword, priority, eventTypes[eventType]]);
  await rule('exact', 'Phones', 'medium', 'Phones');
  await rule('contains', 'chat', 'medium', 'Chat');
  await rule('starts_with', 'brk', 'high', 'Break');
  await rule('pattern', '^lunch( break)?$', 'highest', 'Lunch');
  return { organizationId, scheduleId, siteId, integrationId, sftpUsername, sftpPassword, eventTypes, agents };
}

/**
 * Many agents of the setup's site at once, each with a platform id for the integration's platform
 * (`custom_platform_sftp` unless `field` says otherwise). Returns platform id -> agent id.
 */
export async function addAgents(db: Db, setup: Setup, agents: Array<{ platformId: string; name: string }>, field = 'custom_platform_sftp'): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  for (let at = 0; at < agents.length; at += 5000) {
    const slice = agents.slice(at, at + 5000);
    const rows = await db.query<{ id: string; platform_agent_id: string }>(
      `WITH wanted AS MATERIALIZED (SELECT gen_random_uuid() AS id, w.* FROM unnest($3::text[], $4::text[]) AS w(platform_agent_id, name)),
            made AS (INSERT INTO agents (id, organization_id, site_id, name) SELECT id, $1, $2, name FROM wanted)
       INSERT INTO agent_platform_ids (agent_id, site_id, field, platform_agent_id)
       SELECT id, $2, $5, platform_agent_id FROM wanted
       RETURNING agent_id AS id, platform_agent_id`,
      [setup.organizationId, setup.siteId, slice.map((agent) => agent.platformId), slice.map((agent) => agent.name), field],
    );
    for (const row of rows) ids.set(row.platform_agent_id, row.id);
  }
  return ids;
}

/** Registers an SSH public key for the setup's integration (as `POST .../ssh-keys` would). */
export async function registerClientKey(db: Db, setup: Setup, key: ClientKey): Promise<void> {
  const [algorithm] = key.line.split(' ');
  await db.query('INSERT INTO integration_ssh_keys (integration_id, algorithm, public_key, fingerprint) VALUES ($1, $2, $3, $4)', [setup.integrationId, algorithm, key.line, key.fingerprint]);
}

/** An API token of the organization with `role`, stored as config-api stores it (hash only); returns the token. */
export async function issueApiToken(db: Db, organizationId: string, role: 'basic' | 'lead' | 'manager' | 'admin' = 'basic'): Promise<string> {
  const token = `bpo_${generateSecret(40)}`;
  await db.query('INSERT INTO api_tokens (organization_id, name, role, token_hash) VALUES ($1, $2, $3, $4)', [organizationId, `test ${role}`, role, hashToken(token)]);
  return token;
}

/** A day `offset` days from today in the zone, as YYYY-MM-DD. */
export function dayFromToday(offset: number, zone = 'America/New_York'): string {
  return DateTime.now().setZone(zone).plus({ days: offset }).toISODate()!;
}

/** The UTC instant of a local wall-clock time, ISO with milliseconds. */
export function utc(day: string, time: string, zone = 'America/New_York'): string {
  return DateTime.fromISO(`${day}T${time}`, { zone }).toUTC().toISO()!;
}

export function customCsv(rows: Array<[agentId: string, start: string, end: string, activity: string]>): string {
  return ['agent_id,agent_name,start_time,end_time,activity', ...rows.map(([agent, start, end, activity]) => `${agent},,${start},${end},${activity}`)].join('\r\n') + '\r\n';
}

/**
 * Stores a file as sftp-ingest does (file, chunks, processing sync run) and announces it on the
 * file-received topic: for tests of the stages after ingest. Returns the ids.
 */
export async function storeAndAnnounceFile(db: Db, setup: Setup, namespace: string, filename: string, content: string | Buffer, receivedAt = new Date()) {
  const { message, fileId, syncRunId } = await storeFile(db, setup, filename, content, receivedAt);
  // In the lane sftp-ingest would choose for the file's size.
  await produce(namespace, PipelineLanes[laneOfFile(message.sizeBytes)].fileReceived, setup.integrationId, message);
  return { fileId, syncRunId };
}

/** Stores a file and opens its sync run, as sftp-ingest does, without announcing it. */
export async function storeFile(db: Db, setup: Setup, filename: string, content: string | Buffer, receivedAt = new Date()) {
  const bytes = Buffer.isBuffer(content) ? content : Buffer.from(content);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const { id: fileId } = await db.one<{ id: string }>(
    `INSERT INTO received_files (organization_id, integration_id, filename, size_bytes, sha256, received_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
    [setup.organizationId, setup.integrationId, filename, bytes.length, sha256, receivedAt],
  );
  for (let seq = 0, at = 0; at < bytes.length || seq === 0; seq += 1, at += 1024 * 1024) {
    await db.query(`INSERT INTO received_file_chunks (file_id, seq, data) VALUES ($1, $2, $3)`, [fileId, seq, bytes.subarray(at, at + 1024 * 1024)]);
    if (bytes.length === 0) break;
  }
  const { id: syncRunId } = await db.one<{ id: string }>(
    `INSERT INTO sync_runs (organization_id, integration_id, site_id, file_id) VALUES ($1, $2, $3, $4) RETURNING id`,
    [setup.organizationId, setup.integrationId, setup.siteId, fileId],
  );
  // The integration's platform and settings as sftp-ingest's announcement carries them (queueFileForSync).
  const { platform, ...settings } = await db.one<NonNullable<FileReceivedV1['settings']> & { platform: Platform }>(
    `SELECT i.platform, i.site_id AS "siteId", COALESCE(i.timezone, s.timezone) AS timezone, s.timezone AS "siteTimezone", i.date_order AS "dateOrder",
            i.encoding, i.title_lines AS "titleLines"
       FROM integrations i JOIN sites s ON s.id = i.site_id WHERE i.id = $1`,
    [setup.integrationId],
  );
  const message: FileReceivedV1 = {
    messageId: `file-received:${syncRunId}`,
    occurredAt: receivedAt.toISOString(),
    organizationId: setup.organizationId,
    integrationId: setup.integrationId,
    fileId,
    syncRunId,
    filename,
    sizeBytes: bytes.length,
    sha256,
    receivedAt: receivedAt.toISOString(),
    platform,
    settings,
  };
  return { message, fileId, syncRunId };
}

/** A plain producer, as another system would publish (`brokers`: another broker than the shared one). */
export async function produce(namespace: string, topic: string, key: string, value: object, brokers?: string): Promise<void> {
  await produceRaw(namespace, topic, key, JSON.stringify(value), brokers);
}

/** Publishes raw bytes (e.g. text that is not JSON), as a misbehaving producer would. */
export async function produceRaw(namespace: string, topic: string, key: string, value: string | Buffer, brokers = testInfrastructure().kafkaBrokers): Promise<void> {
  const kafka = new Kafka({ clientId: 'e2e-producer', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  try {
    await producer.send({ topic: physicalTopic({ namespace }, topic), acks: -1, messages: [{ key, value }] });
  } finally {
    await producer.disconnect();
  }
}

/**
 * The events of a schedule as comparable strings `agent|startUTC|endUTC|event type`, sorted
 * (duplicates kept, so a doubled event shows).
 */
export async function scheduleEventKeys(db: Db, scheduleId: string): Promise<string[]> {
  const rows = await db.query<{ e: string }>(
    `SELECT p.platform_agent_id || '|' || to_char(e.start_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || '|' ||
            to_char(e.end_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || '|' || t.name AS e
       FROM schedule_events e JOIN agent_platform_ids p ON p.agent_id = e.agent_id JOIN event_types t ON t.id = e.event_type_id
      WHERE e.schedule_id = $1`,
    [scheduleId],
  );
  return rows.map((row) => row.e).sort();
}

/** The key `scheduleEventKeys` gives an event: start and end are instants (with an offset or Z). */
export function eventKey(agent: string, start: string, end: string, eventType: string): string {
  return `${agent}|${new Date(start).toISOString()}|${new Date(end).toISOString()}|${eventType}`;
}
