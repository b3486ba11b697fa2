import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, createReadStream, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Topics } from '@bpo/contracts';
import { physicalTopic } from '@bpo/messaging';
import {
  createTestDatabase,
  freePort,
  generateClientKey,
  sftpBatch,
  startServiceProcess,
  testInfrastructure,
  uniqueName,
  type ClientKey,
  type ServiceProcess,
  type TestDatabase,
} from '@bpo/testing';
import { addAgents, arrangeOrganization, Db, dayFromToday, issueApiToken, registerClientKey, type Setup } from '../support/fixtures';
import {
  firstExit,
  fmtInt,
  fmtS,
  getJson,
  pageThrough,
  partitionOf,
  peakRssMb,
  cpuSeconds,
  percentile,
  seconds,
  StatusWatch,
  eventsChangedPublishedAt,
  table,
  writerTimings,
  type SeenStatus,
} from './bench-support';
import { agentsForRows, isRegistered, nameOf, platformIdOf, shapedRows, utcClock, writeCustomCsv, type ScheduleShape } from './realistic-schedule';

/**
 * `npm run bench`: the whole product as users meet it, on one server, in one run.
 *
 * - first: a realistic export (about BENCH_ROWS rows, default 1,000,000: agents x 60 days x 3-4
 *   segments, see realistic-schedule.ts) uploaded with OpenSSH `sftp` to sftp-ingest, timed from
 *   the upload's close (the sftp command returned) to the file's message on the sync-status topic;
 * - copy: a bare PostgreSQL COPY of the same rows, normalized, into a table keyed like
 *   schedule_events, as the floor the pipeline is compared with;
 * - resync: the same content under a new name (nothing changed), then with 2% of the rows changed;
 * - neighbours: while the large file syncs, another organization's integration uploads 100-row
 *   files (BENCH_NEIGHBOUR_FILES, one every BENCH_NEIGHBOUR_INTERVAL_MS), each timed close-to-status;
 * - api: config-api pages through the integration's files, their errors, and every event.
 * Peak resident memory (VmHWM) of all six service processes after each step.
 *
 * BENCH_CASES (default `first,copy,resync,neighbours,api`) selects; resync implies first; without
 * first, neighbours upload alone (a baseline).
 * Prints a summary and writes .data/bench/pipeline.json. Speed is measured here, never asserted.
 * BENCH_KEEP_DATABASE=1 keeps the database afterwards (to look into plans).
 */
const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const CASES = new Set((process.env.BENCH_CASES ?? 'first,copy,resync,neighbours,api').split(',').map((name) => name.trim()).filter(Boolean));
if (CASES.has('resync')) CASES.add('first');
/**
 * When each re-sync is uploaded: `status` (default), right at the previous sync's status, while
 * that sync's aftermath (its events-changed parts, its clean-up) still runs; `idle`, once that
 * aftermath is over and the services are quiet, as at a BPO's real cadence (a 60-day file every
 * 24 hours).
 */
const RESYNC_AFTER = process.env.BENCH_RESYNC_AFTER === 'idle' ? 'idle' : 'status';
const NEIGHBOUR_FILES = Number(process.env.BENCH_NEIGHBOUR_FILES ?? 30);
const NEIGHBOUR_INTERVAL_MS = Number(process.env.BENCH_NEIGHBOUR_INTERVAL_MS ?? 1000);
/** Where the neighbour's integration lands among the topics' partitions: `same` as the large file's (the worst case), `other`, or `any`. */
const NEIGHBOUR_PARTITION = process.env.BENCH_NEIGHBOUR_PARTITION ?? 'same';
/** BENCH_VERIFY=1 keeps the COPY reference until the first sync is done and compares the two (not timed). */
const VERIFY = process.env.BENCH_VERIFY === '1';
/** The API step pages through every event unless this many seconds pass first (deep pages may be slow). */
const API_MAX_SECONDS = Number(process.env.BENCH_API_MAX_SECONDS ?? 300);
const ZONE = 'America/New_York';
/** Days start the day after tomorrow: a run that crosses midnight in the site's zone still has no past days. */
const SHAPE: ScheduleShape = { agents: agentsForRows(ROWS, 60), days: 60, firstDay: 2, zone: ZONE };
const DEFAULT_MAX_FILE_BYTES = 536_870_912;
const SYNC_TIMEOUT_MS = 3 * 3600_000;
const SERVICES = ['sftp-ingest', 'parser', 'mapping', 'agent-resolution', 'schedule-writer', 'config-api'] as const;
const repoRoot = join(__dirname, '..', '..', '..');

interface SyncResult {
  filename: string;
  syncRunId: string;
  closedAt: number;
  rows: number;
  bytes: number;
  uploadMs: number;
  closeToStatusMs: number;
  rowsPerSecond: number;
  status: string;
  counts: unknown;
  window: unknown;
  partition: number;
  /** From the writer's "file applied" log line, when it logs one: its step timings, their sum, and the rest of close-to-status. */
  writerTimings: Record<string, number> | null;
  applyMs: number | null;
  beforeApplyMs: number | null;
  relativeToFirst?: number;
  /** Upload close to the last events-changed part on the topic (null: none within the wait). */
  closeToEventsChangedMs?: number | null;
}

const results: Record<string, unknown> & {
  cases: Record<string, unknown>;
  peakRssMb: Record<string, Record<string, number | null>>;
  cpuSeconds: Record<string, Record<string, number | null>>;
  errors: Record<string, string>;
} = {
  startedAt: new Date().toISOString(),
  commit: safe(() => execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim()),
  machine: { cpus: cpus().length, memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version },
  requestedRows: ROWS,
  selected: [...CASES],
  resyncsUploadedAfter: RESYNC_AFTER,
  cases: {},
  peakRssMb: {},
  cpuSeconds: {},
  errors: {},
};

function safe<T>(work: () => T): T | null {
  try {
    return work();
  } catch {
    return null;
  }
}

describe(`pipeline bench: about ${ROWS.toLocaleString('en-US')} rows`, () => {
  const work = mkdtempSync(join(tmpdir(), 'bench-'));
  const brokers = testInfrastructure().kafkaBrokers;
  let database: TestDatabase;
  let db: Db;
  let namespace: string;
  const services = new Map<string, ServiceProcess>();
  let statuses: StatusWatch;
  let died: Promise<never>;
  let sftpPort: number;
  let large: Setup;
  let largeKey: ClientKey;
  let agentIds: Map<string, string>;
  let neighbour: Setup;
  let neighbourKey: ClientKey;
  let apiToken: string;
  const file = { rows: 0, bytes: 0, changedRows: 0, changedBytes: 0 };
  let first: SyncResult | undefined;

  const snapshotRss = (step: string) => {
    results.peakRssMb[step] = Object.fromEntries([...services.values()].map((service) => [service.name, peakRssMb(service)]));
    results.cpuSeconds[step] = Object.fromEntries([...services.values()].map((service) => [service.name, cpuSeconds(service)]));
  };

  /** Uploads `local` as `remote` with OpenSSH sftp; returns when the sftp command returned (the file closed). */
  async function upload(setup: Setup, key: ClientKey, local: string, remote: string, bytes: number): Promise<{ closedAt: number; uploadMs: number }> {
    const started = Date.now();
    const result = await sftpBatch({ port: sftpPort, username: setup.sftpUsername, key, cwd: work, commands: [`put ${local} ${remote}`], timeoutMs: Math.round(120_000 + bytes / 1000) });
    const closedAt = Date.now();
    if (result.code !== 0) throw new Error(`sftp put ${remote} failed (${result.code}): ${result.stderr}${result.stdout}`);
    return { closedAt, uploadMs: closedAt - started };
  }

  /** Uploads a file of the large integration and waits for its sync status. */
  async function sync(local: string, remote: string, rows: number, bytes: number): Promise<SyncResult> {
    const { closedAt, uploadMs } = await upload(large, largeKey, local, remote, bytes);
    const status = await statuses.wait(large.integrationId, remote, { timeoutMs: SYNC_TIMEOUT_MS, abort: died });
    return syncResult(remote, rows, bytes, uploadMs, closedAt, status);
  }

  function syncResult(filename: string, rows: number, bytes: number, uploadMs: number, closedAt: number, status: SeenStatus): SyncResult {
    const closeToStatusMs = status.at - closedAt;
    const timings = writerTimings(services.get('schedule-writer'), status.value.syncRunId);
    const applyMs = timings ? Object.values(timings).reduce((sum, ms) => sum + ms, 0) : null;
    return {
      filename,
      syncRunId: status.value.syncRunId,
      closedAt,
      rows,
      bytes,
      uploadMs,
      closeToStatusMs,
      rowsPerSecond: Math.round(rows / (closeToStatusMs / 1000)),
      status: status.value.status,
      counts: status.value.counts,
      window: status.value.window,
      partition: status.partition,
      writerTimings: timings,
      applyMs,
      beforeApplyMs: applyMs === null ? null : closeToStatusMs - applyMs,
    };
  }

  /** The neighbour's small files: one every NEIGHBOUR_INTERVAL_MS, each timed from its close to its status. */
  async function neighbours(largeDone?: Promise<SeenStatus>) {
    let largeStatusAt = Infinity;
    void largeDone?.then((status) => (largeStatusAt = status.at)).catch(() => undefined);
    const started = Date.now();
    const files = await Promise.all(
      Array.from({ length: NEIGHBOUR_FILES }, async (_, i) => {
        await new Promise((resolve) => setTimeout(resolve, started + i * NEIGHBOUR_INTERVAL_MS - Date.now()));
        const remote = `neighbour_${String(i).padStart(3, '0')}.csv`;
        const { closedAt, uploadMs } = await upload(neighbour, neighbourKey, `neighbour_${i}.csv`, remote, 0);
        const duringLarge = closedAt < largeStatusAt && largeDone !== undefined;
        const status = await statuses.wait(neighbour.integrationId, remote, { timeoutMs: SYNC_TIMEOUT_MS, abort: died });
        return { filename: remote, uploadMs, closeToStatusMs: status.at - closedAt, status: status.value.status, rows: status.value.counts.rows, partition: status.partition, duringLarge };
      }),
    );
    const latencies = files.map((f) => f.closeToStatusMs).sort((a, b) => a - b);
    const during = files.filter((f) => f.duringLarge).map((f) => f.closeToStatusMs).sort((a, b) => a - b);
    const after = files.filter((f) => !f.duringLarge).map((f) => f.closeToStatusMs).sort((a, b) => a - b);
    const spread = (sorted: number[]) => ({ files: sorted.length, p50Ms: percentile(sorted, 50), p95Ms: percentile(sorted, 95), p99Ms: percentile(sorted, 99), maxMs: sorted[sorted.length - 1] ?? null });
    return {
      files: files.length,
      rowsEach: files[0]?.rows,
      intervalMs: NEIGHBOUR_INTERVAL_MS,
      partition: files[0]?.partition,
      closedWhileLargeSynced: files.filter((f) => f.duringLarge).length,
      statuses: [...new Set(files.map((f) => f.status))],
      p50Ms: percentile(latencies, 50),
      p95Ms: percentile(latencies, 95),
      p99Ms: percentile(latencies, 99),
      maxMs: latencies[latencies.length - 1],
      targetP99Ms: 1000,
      whileLarge: spread(during),
      closedAfter: spread(after),
      each: files,
    };
  }

  beforeAll(async () => {
    process.stdout.write(`bench: generating files for ${SHAPE.agents} agents x ${SHAPE.days} days (${work})\n`);
    const generating = performance.now();
    Object.assign(file, writeCustomCsv(join(work, 'schedule.csv'), shapedRows(SHAPE)));
    if (CASES.has('resync')) {
      const changed = writeCustomCsv(join(work, 'schedule-changed.csv'), shapedRows(SHAPE, { changedShare: 0.02 }));
      file.changedRows = changed.rows;
      file.changedBytes = changed.bytes;
    }
    results.file = { rows: file.rows, bytes: file.bytes, megabytes: +(file.bytes / 1e6).toFixed(1), agents: SHAPE.agents, days: SHAPE.days, zone: ZONE, firstDay: dayFromToday(SHAPE.firstDay, ZONE), generateMs: Math.round(performance.now() - generating) };

    database = await createTestDatabase();
    db = await Db.connect(database.url);
    namespace = uniqueName('bench');
    sftpPort = await freePort();
    const maxFileBytes = Math.max(file.bytes, file.changedBytes) > DEFAULT_MAX_FILE_BYTES ? String(2 * Math.max(file.bytes, file.changedBytes)) : undefined;
    results.sftpMaxFileBytes = maxFileBytes ? Number(maxFileBytes) : `default (${DEFAULT_MAX_FILE_BYTES})`;
    const env: Record<string, Record<string, string>> = {
      'sftp-ingest': { SFTP_PORT: String(sftpPort), SFTP_HOST_KEY_PATH: join(work, 'host_key'), ...(maxFileBytes ? { SFTP_MAX_FILE_BYTES: maxFileBytes } : {}) },
      'config-api': { OPERATOR_TOKEN: `bench-operator-${randomUUID()}` },
      // PARSER_BATCH_ROWS trades a large file's speed against other files' waits (README "Benchmark").
      parser: process.env.PARSER_BATCH_ROWS ? { PARSER_BATCH_ROWS: process.env.PARSER_BATCH_ROWS } : {},
    };
    results.parserBatchRows = Number(process.env.PARSER_BATCH_ROWS ?? 3000);
    for (const name of SERVICES) {
      services.set(name, await startServiceProcess(name, { databaseUrl: database.url, namespace, env: { LOG_LEVEL: 'log', ...env[name] } }));
    }
    died = firstExit([...services.values()]);
    statuses = await new StatusWatch(brokers, physicalTopic({ namespace }, Topics.SyncStatusV1)).start();

    // The large file's organization: the usual fixture plus a rule for "Break" and every agent of the export but the leavers.
    large = await arrangeOrganization(db, { timezone: ZONE });
    await db.query(`INSERT INTO mapping_rules (integration_id, match_type, keyword, priority, event_type_id) VALUES ($1, 'exact', 'Break', 'medium', $2)`, [large.integrationId, large.eventTypes.Break]);
    const registered = Array.from({ length: SHAPE.agents }, (_, agent) => agent).filter((agent) => isRegistered(agent, SHAPE.agents));
    agentIds = await addAgents(db, large, registered.map((agent) => ({ platformId: platformIdOf(agent), name: nameOf(agent) })));
    largeKey = generateClientKey(work, 'large_key');
    await registerClientKey(db, large, largeKey);
    apiToken = await issueApiToken(db, large.organizationId, 'basic');

    // The neighbour: another organization, its integration placed on the large file's partition (or not, BENCH_NEIGHBOUR_PARTITION).
    const admin = new Kafka({ clientId: 'bench-admin', brokers: brokers.split(','), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const topic = physicalTopic({ namespace }, Topics.FileReceivedV1);
    const partitions = (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0].partitions.length;
    await admin.disconnect();
    const largePartition = partitionOf(large.integrationId, partitions);
    let neighbourId = randomUUID();
    for (let tries = 0; NEIGHBOUR_PARTITION !== 'any' && tries < 1000; tries += 1, neighbourId = randomUUID()) {
      if ((partitionOf(neighbourId, partitions) === largePartition) === (NEIGHBOUR_PARTITION === 'same')) break;
    }
    neighbour = await arrangeOrganization(db, { timezone: ZONE, integrationId: neighbourId });
    await addAgents(db, neighbour, Array.from({ length: 10 }, (_, n) => ({ platformId: `N${n}`, name: `Neighbour agent ${n}` })));
    neighbourKey = generateClientKey(work, 'neighbour_key');
    await registerClientKey(db, neighbour, neighbourKey);
    for (let i = 0; i < NEIGHBOUR_FILES; i += 1) {
      // 10 agents x 10 days, one shift each, moving by a quarter hour from file to file.
      const lines = ['agent_id,agent_name,start_time,end_time,activity'];
      for (let n = 0; n < 10; n += 1) {
        for (let d = 0; d < 10; d += 1) {
          const day = dayFromToday(SHAPE.firstDay + d, ZONE);
          const start = 8 * 60 + (i % 4) * 15;
          const at = (minute: number) => `${day}T${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}:00`;
          lines.push(`N${n},Neighbour agent ${n},${at(start)},${at(start + 480)},Phones`);
        }
      }
      writeFileSync(join(work, `neighbour_${i}.csv`), lines.join('\r\n') + '\r\n');
    }
    results.partitions = { topicPartitions: partitions, large: largePartition, neighbour: partitionOf(neighbourId, partitions), neighbourPlacement: NEIGHBOUR_PARTITION };
    snapshotRss('started');
  }, 3600_000);

  afterAll(async () => {
    // When each sync's last events-changed part reached the topic (published after its status).
    for (const name of ['first', 'resyncUnchanged', 'resyncChanged']) {
      const result = results.cases[name] as SyncResult | undefined;
      const counts = result?.counts as Record<string, number> | undefined;
      if (!result || !counts || counts.created + counts.updated + counts.deleted === 0) continue;
      const at = await eventsChangedPublishedAt(db, services.get('schedule-writer'), result.syncRunId, Math.max(120_000, result.rows / 10));
      result.closeToEventsChangedMs = at == null ? null : at - result.closedAt;
    }
    if (services.size) snapshotRss('end');
    results.finishedAt = new Date().toISOString();
    const out = join(repoRoot, '.data', 'bench');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'pipeline.json'), JSON.stringify(results, null, 2));
    process.stdout.write(`\n${summary()}\nresults: .data/bench/pipeline.json\n`);
    await statuses?.stop();
    await Promise.all([...services.values()].map((service) => service.stop()));
    // Each service's log, to see where a step's time went (the writer's "file applied" timings, its reports).
    for (const service of services.values()) writeFileSync(join(out, `${service.name}.log`), service.output());
    await db?.close();
    // BENCH_KEEP_DATABASE=1 leaves the database to look into (its name is printed).
    if (process.env.BENCH_KEEP_DATABASE === '1') process.stdout.write(`database kept: ${database?.url}\n`);
    else await database?.drop();
    rmSync(work, { recursive: true, force: true });
  }, 600_000);

  const step = (name: string, enabled: boolean, body: () => Promise<void>) =>
    (enabled ? it : it.skip)(
      name,
      async () => {
        try {
          await body();
        } catch (error) {
          results.errors[name] = (error as Error).message;
          throw error;
        } finally {
          if (services.size) snapshotRss(name);
        }
      },
      SYNC_TIMEOUT_MS + 600_000,
    );

  step('copy', CASES.has('copy'), async () => {
    // The rows the writer would create (the leavers' rows are errors), normalized as schedule_events holds them.
    const toUtc = utcClock(ZONE);
    const sourceFileId = randomUUID();
    const tsv = join(work, 'copy.tsv');
    const fd = openSync(tsv, 'w');
    let rows = 0;
    let buffer = '';
    for (const row of shapedRows(SHAPE)) {
      const agentId = agentIds.get(row.platformId);
      if (!agentId) continue;
      const start = new Date(toUtc(row.day, row.startMinute)).toISOString();
      const end = new Date(toUtc(row.day, row.endMinute)).toISOString();
      buffer += `${large.organizationId}\t${large.scheduleId}\t${agentId}\t${large.eventTypes[row.activity]}\t${start}\t${end}\t${row.day}\t${large.integrationId}\t${sourceFileId}\n`;
      rows += 1;
      if (buffer.length > 1 << 20) {
        writeSync(fd, buffer);
        buffer = '';
      }
    }
    writeSync(fd, buffer);
    closeSync(fd);
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      await client.query(`CREATE TABLE bench_copy_reference (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        organization_id uuid NOT NULL, schedule_id uuid NOT NULL, agent_id uuid NOT NULL, event_type_id uuid NOT NULL,
        start_at timestamptz NOT NULL, end_at timestamptz NOT NULL, day date NOT NULL,
        source_integration_id uuid, source_file_id uuid,
        created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK (end_at > start_at))`);
      await client.query('CREATE INDEX ON bench_copy_reference (schedule_id, agent_id, start_at)');
      await client.query('CREATE INDEX ON bench_copy_reference (source_integration_id, start_at)');
      const started = performance.now();
      await pipeline(
        createReadStream(tsv, { highWaterMark: 1 << 20 }),
        client.query(copyFrom('COPY bench_copy_reference (organization_id, schedule_id, agent_id, event_type_id, start_at, end_at, day, source_integration_id, source_file_id) FROM STDIN')),
      );
      const copyMs = performance.now() - started;
      const [{ count }] = (await client.query('SELECT count(*)::int AS count FROM bench_copy_reference')).rows;
      results.cases.copy = { rows: count, copyMs: Math.round(copyMs), rowsPerSecond: Math.round(count / (copyMs / 1000)), table: 'bigint identity key; indexes (schedule, agent, start), (integration, start); no foreign keys' };
      expect(count).toBe(rows);
    } finally {
      if (!VERIFY || !CASES.has('first')) await client.query('DROP TABLE IF EXISTS bench_copy_reference').catch(() => undefined);
      await client.end();
      rmSync(tsv, { force: true });
    }
  });

  step('first', CASES.has('first'), async () => {
    const { closedAt, uploadMs } = await upload(large, largeKey, 'schedule.csv', 'schedule_first.csv', file.bytes);
    const done = statuses.wait(large.integrationId, 'schedule_first.csv', { timeoutMs: SYNC_TIMEOUT_MS, abort: died });
    const small = CASES.has('neighbours') ? neighbours(done) : undefined;
    small?.catch(() => undefined);
    first = syncResult('schedule_first.csv', file.rows, file.bytes, uploadMs, closedAt, await done);
    first.relativeToFirst = 1;
    results.cases.first = first;
    if (small) results.cases.neighbours = { ...(await small), whileLargeFirstSync: true };
    if (VERIFY && CASES.has('copy')) {
      // The product's events and the reference's rows should be the same set.
      const columns = 'agent_id, event_type_id, start_at, end_at, day, schedule_id';
      const [{ missing, extra }] = await db.query<{ missing: number; extra: number }>(
        `SELECT (SELECT count(*)::int FROM (SELECT ${columns} FROM bench_copy_reference EXCEPT SELECT ${columns} FROM schedule_events WHERE schedule_id = $1) m) AS missing,
                (SELECT count(*)::int FROM (SELECT ${columns} FROM schedule_events WHERE schedule_id = $1 EXCEPT SELECT ${columns} FROM bench_copy_reference) e) AS extra`,
        [large.scheduleId],
      );
      await db.query('DROP TABLE bench_copy_reference');
      results.verify = { referenceRowsNotInSchedule: missing, scheduleEventsNotInReference: extra };
      expect({ missing, extra }).toEqual({ missing: 0, extra: 0 });
    }
    expect(first.status).not.toBe('failed');
  });

  step('neighbours alone', CASES.has('neighbours') && !CASES.has('first'), async () => {
    results.cases.neighbours = { ...(await neighbours()), whileLargeFirstSync: false };
  });

  /** With BENCH_RESYNC_AFTER=idle: until the previous sync's last events-changed part is out and the services used under 5% of a core for a second. */
  async function untilIdle(previous: SyncResult): Promise<void> {
    if (RESYNC_AFTER !== 'idle') return;
    await eventsChangedPublishedAt(db, services.get('schedule-writer'), previous.syncRunId, Math.max(120_000, previous.rows / 10));
    const busy = () => [...services.values()].reduce((sum, service) => sum + (cpuSeconds(service) ?? 0), 0);
    for (const until = Date.now() + 120_000; Date.now() < until; ) {
      const before = busy();
      await new Promise((resolve) => setTimeout(resolve, 1000));
      if (busy() - before < 0.05) return;
    }
  }

  step('resync unchanged', CASES.has('resync'), async () => {
    if (!first) throw new Error('the first sync did not run');
    await untilIdle(first);
    const result = await sync('schedule.csv', 'schedule_resync_unchanged.csv', file.rows, file.bytes);
    result.relativeToFirst = +(result.closeToStatusMs / first.closeToStatusMs).toFixed(2);
    results.cases.resyncUnchanged = result;
    expect(result.status).not.toBe('failed');
  });

  step('resync 2% changed', CASES.has('resync'), async () => {
    if (!first) throw new Error('the first sync did not run');
    await untilIdle((results.cases.resyncUnchanged as SyncResult | undefined) ?? first);
    const result = await sync('schedule-changed.csv', 'schedule_resync_changed.csv', file.changedRows, file.changedBytes);
    result.relativeToFirst = +(result.closeToStatusMs / first.closeToStatusMs).toFixed(2);
    results.cases.resyncChanged = result;
    expect(result.status).not.toBe('failed');
  });

  step('api', CASES.has('api'), async () => {
    const api = `${services.get('config-api')!.url}/v1`;
    const started = performance.now();
    const files = await getJson<{ items: Array<{ id: string }>; nextCursor: string | null }>(`${api}/integrations/${large.integrationId}/files?limit=1000`, apiToken);
    let errors = 0;
    for (const { id } of files.items) {
      let cursor: string | null = null;
      do {
        const url = new URL(`${api}/integrations/${large.integrationId}/files/${id}`);
        url.searchParams.set('limit', '1000');
        if (cursor) url.searchParams.set('cursor', cursor);
        const report = await getJson<{ errors: { items: unknown[]; nextCursor: string | null } }>(url.toString(), apiToken);
        errors += report.errors.items.length;
        cursor = report.errors.nextCursor;
      } while (cursor);
    }
    const events = await pageThrough(`${api}/events?siteId=${large.siteId}&limit=1000`, apiToken, { maxMs: API_MAX_SECONDS * 1000 });
    const median = (values: number[]) => Math.round(percentile([...values].sort((a, b) => a - b), 50) ?? 0);
    const pageMs = [...events.pageMs].sort((a, b) => a - b);
    const [{ count }] = await db.query<{ count: number }>('SELECT count(*)::int AS count FROM schedule_events WHERE schedule_id = $1', [large.scheduleId]);
    results.cases.api = {
      files: files.items.length,
      errorsPaged: errors,
      events: events.items,
      eventsInDatabase: count,
      eventPages: events.pages,
      eventsComplete: events.complete,
      maxSeconds: API_MAX_SECONDS,
      firstFivePagesMsMedian: median(events.pageMs.slice(0, 5)),
      lastFivePagesMsMedian: median(events.pageMs.slice(-5)),
      pageMsP50: Math.round(percentile(pageMs, 50) ?? 0),
      pageMsP95: Math.round(percentile(pageMs, 95) ?? 0),
      pageMsMax: Math.round(pageMs[pageMs.length - 1] ?? 0),
      totalMs: Math.round(performance.now() - started),
    };
  });
});

/** The printed summary: one table of the syncs and the reference, then the neighbours, the API, and memory. */
function summary(): string {
  const c = results.cases as Record<string, Record<string, unknown> | undefined>;
  const f = results.file as { rows: number; bytes: number; agents: number; days: number } | undefined;
  const out: string[] = ['', `bench: ${f ? `${fmtInt(f.rows)} rows (${f.agents} agents x ${f.days} days, ${ZONE}), file ${(f.bytes / 1e6).toFixed(1)} MB` : 'no file'}; commit ${results.commit}; re-syncs uploaded after the previous sync's ${RESYNC_AFTER === 'idle' ? 'aftermath (idle)' : 'status'}`];
  const syncRow = (label: string, r?: Record<string, unknown>) => {
    if (!r) return null;
    const s = r as unknown as SyncResult;
    const counts = s.counts as Record<string, number> | undefined;
    return [
      label,
      fmtInt(s.rows),
      fmtS(s.uploadMs),
      fmtS(s.closeToStatusMs),
      s.closeToEventsChangedMs == null ? '-' : fmtS(s.closeToEventsChangedMs),
      fmtS(s.beforeApplyMs),
      fmtS(s.applyMs),
      fmtInt(s.rowsPerSecond),
      s.relativeToFirst == null ? '-' : `${s.relativeToFirst.toFixed(2)}x`,
      `${s.status}${counts ? ` (c ${counts.created} u ${counts.updated} d ${counts.deleted} = ${counts.unchanged} err ${counts.rowErrors})` : ''}`,
    ];
  };
  const rows = [syncRow('first sync', c.first), syncRow('re-sync, unchanged', c.resyncUnchanged), syncRow('re-sync, 2% changed', c.resyncChanged)].filter((row): row is string[] => row !== null);
  if (c.copy) rows.push(['bare COPY (reference)', fmtInt(c.copy.rows as number), '-', fmtS(c.copy.copyMs as number), '-', '-', '-', fmtInt(c.copy.rowsPerSecond as number), '-', String(c.copy.table)]);
  if (rows.length) {
    out.push('', table(['case', 'rows', 'upload', 'close -> status', 'close -> changes**', 'before apply*', 'apply*', 'rows/s', 'vs first', 'status (created updated deleted = unchanged, row errors)'], rows));
    out.push('* from the writer\'s "file applied" log timings when present; "before apply" = close -> status minus apply (parse, map, resolve, hand-offs)');
    out.push('** to the last events-changed part on the topic (published after the status; "-" when the file changed nothing)');
  }
  if (c.first && c.copy) out.push(`end-to-end / bare COPY: ${((c.first.closeToStatusMs as number) / (c.copy.copyMs as number)).toFixed(1)}x`);
  if (c.neighbours) {
    const n = c.neighbours;
    out.push(
      '',
      `neighbours: ${n.files} files of ${n.rowsEach} rows, one every ${n.intervalMs} ms, ${n.whileLargeFirstSync ? `${n.closedWhileLargeSynced} closed while the large file synced` : 'alone'}; partition ${n.partition} (large: ${(results.partitions as Record<string, unknown>)?.large})`,
      `  close -> status, all: p50 ${fmtS(n.p50Ms as number)}, p95 ${fmtS(n.p95Ms as number)}, p99 ${fmtS(n.p99Ms as number)}, max ${fmtS(n.maxMs as number)} (target p99 < 1 s: ${(n.p99Ms as number) < 1000 ? 'met' : 'NOT met'}); statuses ${(n.statuses as string[]).join(', ')}`,
    );
    for (const [label, part] of n.whileLargeFirstSync ? ([['while the large file synced', n.whileLarge], ['after it', n.closedAfter]] as const) : []) {
      const p = part as Record<string, number | null> | undefined;
      if (p?.files) out.push(`  ${label} (${p.files}): p50 ${fmtS(p.p50Ms)}, p95 ${fmtS(p.p95Ms)}, p99 ${fmtS(p.p99Ms)}, max ${fmtS(p.maxMs)}`);
    }
  }
  if (c.api) {
    const a = c.api;
    out.push(
      '',
      `config-api: ${a.files} files, ${a.errorsPaged} errors paged; events ${fmtInt(a.events as number)} of ${fmtInt(a.eventsInDatabase as number)} in ${a.eventPages} pages of 1000${a.eventsComplete ? '' : ` (stopped after ${a.maxSeconds} s, BENCH_API_MAX_SECONDS)`}; total ${seconds(a.totalMs as number)} s`,
      `  event page p50 ${a.pageMsP50} ms, p95 ${a.pageMsP95} ms, max ${a.pageMsMax} ms; first 5 pages ${a.firstFivePagesMsMedian} ms, last 5 ${a.lastFivePagesMsMedian} ms (median)`,
    );
  }
  const steps = Object.keys(results.peakRssMb);
  if (steps.length) {
    out.push('', 'peak RSS (VmHWM, MB) after each step:');
    out.push(table(['after', ...SERVICES], steps.map((stepName) => [stepName, ...SERVICES.map((name) => fmtInt(results.peakRssMb[stepName][name]))])));
    out.push('', 'CPU seconds used (user + system, cumulative) after each step:');
    out.push(table(['after', ...SERVICES], steps.map((stepName) => [stepName, ...SERVICES.map((name) => String(results.cpuSeconds[stepName]?.[name] ?? '-'))])));
  }
  for (const [name, message] of Object.entries(results.errors)) out.push(`FAILED ${name}: ${message.split('\n')[0]}`);
  return out.join('\n');
}
