import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client as SshClient } from 'ssh2';
import { Topics, type IntegrationStaleV1, type SyncStatusV1 } from '@bpo/contracts';
import { expectEventually, generateClientKey, sftpBatch, type ClientKey, type ServiceProcess, type TopicReader } from '@bpo/testing';
import { arrangeOrganization, customCsv, dayFromToday, issueApiToken, produceRaw, registerClientKey, utc, type Db, type Setup } from './support/fixtures';
import { freePorts, pipelineHarness, STAGES, type PipelineHarness } from './support/pipeline-harness';

/**
 * Operations, against the real stack with every service a built process: `GET /metrics` on each
 * service, and stale integrations with two sftp-ingest instances checking at once (every second,
 * with a stale multiple of 0.1: an integration expecting a file every minute is stale after 6 s).
 */
const MULTIPLE = 0.1;

/** One sample of the Prometheus text format: the value of `name` whose labels include `labels`. */
function samples(text: string, name: string, labels: Record<string, string> = {}): number[] {
  const found: number[] = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) present[key] = value;
    if (Object.entries(labels).every(([key, value]) => present[key] === value)) found.push(Number(match[3]));
  }
  return found;
}

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

async function scrape(service: ServiceProcess): Promise<string> {
  const response = await fetch(`${service.url}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain');
  return response.text();
}

/** A password login with ssh2; resolves once the server refused it. */
function refusedPasswordLogin(port: number, username: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const client = new SshClient();
    client.on('ready', () => {
      client.end();
      reject(new Error('a wrong password was accepted'));
    });
    client.on('error', () => resolve());
    client.connect({ host: '127.0.0.1', port, username, password: 'not-the-password', tryKeyboard: false, readyTimeout: 20_000 });
  });
}

describe('operations: metrics on every service, stale integrations with two checking instances', () => {
  let pipeline: PipelineHarness;
  let db: Db;
  let namespace: string;
  let stale: TopicReader<IntegrationStaleV1>;
  let statuses: TopicReader<SyncStatusV1>;
  let ingest: ServiceProcess[];
  let sftpPorts: number[];
  const stages: Partial<Record<(typeof STAGES)[number], ServiceProcess>> = {};
  let api: ServiceProcess;
  let quiet: Setup;
  let silent: Setup;
  let key: ClientKey;
  const work = mkdtempSync(join(tmpdir(), 'operations-'));

  const call = async (setup: Setup, method: string, path: string, body?: object) => {
    const token = await issueApiToken(db, setup.organizationId, 'manager');
    const response = await fetch(`${api.url}/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const integration = async (setup: Setup) => (await call(setup, 'GET', `/integrations/${setup.integrationId}`)).body;
  const staleMessagesOf = (setup: Setup) => stale.messages.filter((message) => message.value.integrationId === setup.integrationId);

  beforeAll(async () => {
    sftpPorts = await freePorts(2);
    pipeline = await pipelineHarness({
      name: 'ops',
      services: ['sftp-ingest', 'sftp-ingest', ...STAGES, 'config-api'],
      env: {
        'sftp-ingest': ({ instance }) => ({
          SFTP_PORT: String(sftpPorts[instance]),
          SFTP_HOST_KEY_PATH: join(work, `host_key_${instance}`),
          STALE_CHECK_SECONDS: '1',
          STALE_INTEGRATION_MULTIPLE: String(MULTIPLE),
        }),
        'config-api': ({ namespace }) => ({ OPERATOR_TOKEN: `ops-operator-${namespace}-token` }),
      },
    });
    ({ db, namespace, statuses } = pipeline);
    ingest = pipeline.instances('sftp-ingest');
    for (const stage of STAGES) stages[stage] = pipeline.service(stage);
    api = pipeline.service('config-api');
    stale = await pipeline.read<IntegrationStaleV1>(Topics.IntegrationStaleV1);
  }, 240_000);

  afterAll(async () => {
    await pipeline?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('marks a silent integration stale once per episode, shows it in the API, and the next file clears it', async () => {
    silent = await arrangeOrganization(db);
    quiet = await arrangeOrganization(db);
    key = generateClientKey(work, 'silent');
    await registerClientKey(db, silent, key);

    // The cadence is set through the API; a nonsense one is refused.
    expect((await call(silent, 'PATCH', `/integrations/${silent.integrationId}`, { expectedCadenceMinutes: 0 })).status).toBe(400);
    const patched = await call(silent, 'PATCH', `/integrations/${silent.integrationId}`, { expectedCadenceMinutes: 1 });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ expectedCadenceMinutes: 1, stale: false, staleSince: null });
    // The other integration expects a file every 10 hours: it never goes stale here.
    expect((await call(quiet, 'PATCH', `/integrations/${quiet.integrationId}`, { expectedCadenceMinutes: 600 })).body).toMatchObject({ expectedCadenceMinutes: 600, stale: false });

    // No file since its creation: stale 6 s after it was created.
    const { created_at: createdAt } = await db.one<{ created_at: Date }>('SELECT created_at FROM integrations WHERE id = $1', [silent.integrationId]);
    const first = await expectEventually(async () => {
      const view = await integration(silent);
      if (view.stale !== true) throw new Error('not stale yet');
      return view;
    }, { timeoutMs: 30_000, intervalMs: 250 });
    expect(first.staleSince).toBe(new Date(createdAt.getTime() + 60_000 * MULTIPLE).toISOString());
    const [message] = await expectEventually(() => {
      const found = staleMessagesOf(silent);
      if (found.length === 0) throw new Error('no integration-stale message yet');
      return found;
    });
    expect(message.key).toBe(silent.integrationId);
    expect(message.value).toMatchObject({
      messageId: `integration-stale:${silent.integrationId}:${first.staleSince}`,
      integrationId: silent.integrationId,
      organizationId: silent.organizationId,
      siteId: silent.siteId,
      platform: 'custom',
      staleSince: first.staleSince,
      lastFileReceivedAt: null,
      expectedCadenceMinutes: 1,
      staleAfterMinutes: MULTIPLE,
    });
    // Both instances kept checking every second: still exactly one message for the episode.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(staleMessagesOf(silent)).toHaveLength(1);
    expect((await integration(quiet)).stale).toBe(false);

    // The next file ends the episode at once.
    const day = dayFromToday(2);
    writeFileSync(
      join(work, 'week.csv'),
      customCsv([
        ['A1', utc(day, '09:00'), utc(day, '12:00'), 'Phones'],
        ['A2', utc(day, '09:00'), utc(day, '17:00'), 'Phones'],
        ['A3', utc(day, '12:00'), utc(day, '12:30'), 'BRK-30'],
        ['ZZ9', utc(day, '09:00'), utc(day, '12:00'), 'Phones'],
        ['ZZ9', utc(day, '13:00'), utc(day, '17:00'), 'Phones'],
      ]),
    );
    const upload = await sftpBatch({ port: sftpPorts[0], username: silent.sftpUsername, key, cwd: work, commands: ['put week.csv week.csv'] });
    expect(upload).toMatchObject({ code: 0 });
    const cleared = await integration(silent);
    expect(cleared).toMatchObject({ stale: false, staleSince: null, lastFile: { filename: 'week.csv' } });

    // Silence again: a new episode, with its own message.
    const second = await expectEventually(() => {
      const found = staleMessagesOf(silent);
      if (found.length < 2) throw new Error('no second episode yet');
      return found[1];
    }, { timeoutMs: 30_000, intervalMs: 250 });
    const { last_file_received_at: lastFile } = await db.one<{ last_file_received_at: Date }>('SELECT last_file_received_at FROM integrations WHERE id = $1', [silent.integrationId]);
    expect(second.value).toMatchObject({ lastFileReceivedAt: lastFile.toISOString(), staleSince: new Date(lastFile.getTime() + 60_000 * MULTIPLE).toISOString() });
    expect((await integration(silent)).staleSince).toBe(second.value.staleSince);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(staleMessagesOf(silent)).toHaveLength(2);

    // The episodes counted across both instances, once each; both report the stale gauge.
    const texts = await Promise.all(ingest.map(scrape));
    expect(sum(texts.flatMap((text) => samples(text, 'bpo_integration_stale_episodes_total')))).toBe(2);
    for (const text of texts) expect(samples(text, 'bpo_integrations_stale')).toEqual([1]);
  }, 120_000);

  it('every service answers GET /metrics with what it did', async () => {
    // The file uploaded above: 5 rows, 2 of them for an agent the site does not have.
    await expectEventually(() => {
      if (!statuses.messages.some((message) => message.value.integrationId === silent.integrationId)) throw new Error('no sync status yet');
    }, { timeoutMs: 60_000 });
    await refusedPasswordLogin(sftpPorts[0], silent.sftpUsername);
    // A poison message on the parser's topic: dead-lettered.
    await produceRaw(namespace, Topics.FileReceivedV1, silent.integrationId, 'not json {');

    const sftp = await scrape(ingest[0]);
    expect(samples(sftp, 'bpo_files_received_total', { platform: 'custom', service: 'sftp-ingest' })).toEqual([1]);
    expect(samples(sftp, 'bpo_file_bytes_received_total', { platform: 'custom' })[0]).toBeGreaterThan(100);
    expect(samples(sftp, 'bpo_sftp_logins_total', { method: 'publickey' })).toEqual([1]);
    expect(samples(sftp, 'bpo_sftp_login_failures_total', { method: 'password', reason: 'wrong_credentials' })).toEqual([1]);
    expect(samples(sftp, 'bpo_sftp_active_uploads')).toEqual([0]);
    expect(samples(sftp, 'bpo_process_resident_memory_bytes')[0]).toBeGreaterThan(0);

    for (const stage of ['parser', 'mapping', 'agent-resolution'] as const) {
      expect(samples(await scrape(stages[stage]!), 'bpo_rows_processed_total', { stage, service: stage })).toEqual([5]);
    }
    const writer = await scrape(stages['schedule-writer']!);
    expect(samples(writer, 'bpo_rows_processed_total', { stage: 'schedule-writer' })[0]).toBeGreaterThanOrEqual(3);
    expect(samples(writer, 'bpo_sync_duration_seconds_count', { status: 'succeeded_with_errors' })).toEqual([1]);
    expect(samples(writer, 'bpo_sync_duration_seconds_bucket', { status: 'succeeded_with_errors', le: '+Inf' })).toEqual([1]);
    expect(samples(writer, 'bpo_row_errors_total', { code: 'unknown_agent' })).toEqual([2]);
    // The file's events-changed part went straight to Kafka; once measured, no run owes any.
    await expectEventually(async () => {
      const text = await scrape(stages['schedule-writer']!);
      expect(samples(text, 'bpo_events_changed_parts_published_total')).toEqual([1]);
      expect(samples(text, 'bpo_events_changed_pending_runs')).toEqual([0]);
      expect(samples(text, 'bpo_events_changed_oldest_pending_seconds')).toEqual([0]);
    }, { timeoutMs: 30_000, intervalMs: 1_000 });

    // The dead letter, and the lag of every partition the parser holds (one instance: all three).
    const parser = await expectEventually(async () => {
      const text = await scrape(stages.parser!);
      if (samples(text, 'bpo_dead_letter_messages_total', { topic: Topics.FileReceivedV1, group: 'parser' })[0] !== 1) throw new Error('not dead-lettered yet');
      if (samples(text, 'bpo_consumer_lag_messages', { group: 'parser', topic: Topics.FileReceivedV1 }).length < 3) throw new Error('lag not measured yet');
      return text;
    }, { timeoutMs: 45_000, intervalMs: 500 });
    expect(samples(parser, 'bpo_consumer_lag_messages', { group: 'parser', topic: Topics.FileReceivedV1 }).every((lag) => lag >= 0)).toBe(true);
    await expectEventually(async () => {
      const lags = samples(await scrape(stages.parser!), 'bpo_consumer_lag_messages', { group: 'parser', topic: Topics.FileReceivedV1 });
      expect(lags).toEqual([0, 0, 0]);
    }, { timeoutMs: 45_000, intervalMs: 1_000 });

    // The outbox: for each lane exactly one relay (the active one) reports backlog and oldest age, all of it published.
    const relays = [...ingest, stages['schedule-writer']!, api];
    await expectEventually(async () => {
      const texts = await Promise.all(relays.map(scrape));
      for (const lane of ['main', 'events-changed']) {
        expect(texts.flatMap((text) => samples(text, 'bpo_outbox_backlog_messages', { lane }))).toEqual([0]);
        expect(texts.flatMap((text) => samples(text, 'bpo_outbox_oldest_message_age_seconds', { lane }))).toEqual([0]);
      }
      expect(sum(texts.flatMap((text) => samples(text, 'bpo_outbox_published_total', { lane: 'main' })))).toBeGreaterThanOrEqual(4);
    }, { timeoutMs: 30_000, intervalMs: 1_000 });
  }, 180_000);
});
