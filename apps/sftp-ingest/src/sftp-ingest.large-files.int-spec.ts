import { createHash, randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PipelineLanes, type FileReceivedV1 } from '@bpo/contracts';
import { physicalTopic } from '@bpo/messaging';
import {
  createTestDatabase,
  expectEventually,
  startTestService,
  testInfrastructure,
  TopicReader,
  uniqueName,
  type RunningService,
  type TestDatabase,
  generateClientKey,
  sftpBatch,
  type ClientKey,
} from '@bpo/testing';
import { sftpIngestService } from './sftp-ingest.service-definition';
import { SftpServer } from './sftp-server';
import {
  connectSftp,
  seedIntegration,
  sftpCall,
  storedFiles,
  withDatabase,
  type SeededIntegration,
} from './sftp-test.fixtures';

const MiB = 1024 * 1024;

/** Writes `mebibytes` of random bytes to `path`, one MiB at a time, and returns their SHA-256. */
function writeRandomFile(path: string, mebibytes: number): string {
  const hash = createHash('sha256');
  const fd = openSync(path, 'w');
  try {
    for (let i = 0; i < mebibytes; i += 1) {
      const block = randomBytes(MiB);
      hash.update(block);
      writeSync(fd, block);
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

interface Context {
  database: TestDatabase;
  service: RunningService;
  work: string;
  key: ClientKey;
  integration: SeededIntegration;
  namespace: string;
  port: number;
}

async function setUp(env: Record<string, string>): Promise<Context> {
  const work = mkdtempSync(join(tmpdir(), 'sftp-ingest-large-'));
  const database = await createTestDatabase();
  const key = generateClientKey(work, 'client_key');
  const integration = await seedIntegration(database.url, { username: uniqueName('bpo'), password: 'pw-123456', publicKey: key });
  const namespace = uniqueName('sftp-large');
  const service = await startTestService(sftpIngestService, {
    databaseUrl: database.url,
    namespace,
    env: { SFTP_PORT: '0', SFTP_HOST_KEY_PATH: join(work, 'host_key'), ...env },
  });
  return { database, service, work, key, integration, namespace, port: service.app.get(SftpServer).port };
}

async function tearDown(context?: Context): Promise<void> {
  await context?.service.stop();
  await context?.database.drop();
  if (context) rmSync(context.work, { recursive: true, force: true });
}

describe('sftp-ingest: large uploads', () => {
  let context: Context;
  let reader: TopicReader<FileReceivedV1>;

  beforeAll(async () => {
    context = await setUp({});
    // Files over 4 MiB are announced in the bulk lane.
    reader = await new TopicReader<FileReceivedV1>(testInfrastructure().kafkaBrokers, physicalTopic({ namespace: context.namespace }, PipelineLanes.bulk.fileReceived)).start();
  });
  afterAll(async () => {
    await reader?.stop();
    await tearDown(context);
  });

  it('stores a 100 MiB upload from OpenSSH sftp without holding it in memory', async () => {
    const { work, port, integration, key, database } = context;
    const sizeBytes = 100 * MiB;
    const sha256 = writeRandomFile(join(work, 'large.csv'), 100);
    // Warm up the code paths (and the connection pool) before taking the baseline.
    writeFileSync(join(work, 'warm-up.csv'), randomBytes(3 * MiB));
    expect(await sftpBatch({ port, username: integration.username, key, cwd: work, commands: ['put warm-up.csv'] })).toMatchObject({ code: 0 });

    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 20);
    const started = Date.now();
    let result;
    try {
      result = await sftpBatch({ port, username: integration.username, key, cwd: work, commands: ['put large.csv schedule-large.csv'] });
    } finally {
      clearInterval(sampler);
    }
    const seconds = (Date.now() - started) / 1000;
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const growth = peak - baseline;
    process.stdout.write(`100 MiB upload: ${seconds.toFixed(1)} s, RSS growth ${(growth / MiB).toFixed(1)} MiB\n`);
    // Typically 12-30 MiB (a few chunks, plus garbage not yet collected); holding the file would add 100.
    expect(growth).toBeLessThan(50 * MiB);

    const file = (await storedFiles(database.url, integration.integrationId)).find((candidate) => candidate.filename === 'schedule-large.csv');
    expect(file).toMatchObject({ size_bytes: String(sizeBytes), sha256 });
    // The bytes themselves, one chunk at a time.
    const stored = createHash('sha256');
    const lengths: number[] = [];
    await withDatabase(database.url, async (db) => {
      for (let seq = 0; ; seq += 1) {
        const { rows } = await db.query('SELECT data FROM received_file_chunks WHERE file_id = $1 AND seq = $2', [file?.id, seq]);
        if (rows.length === 0) break;
        stored.update(rows[0].data);
        lengths.push(rows[0].data.length);
      }
    });
    expect(lengths).toEqual(Array(100).fill(MiB));
    expect(stored.digest('hex')).toBe(sha256);

    await expectEventually(() => expect(reader.messages.find((message) => message.value.filename === 'schedule-large.csv')?.value).toMatchObject({ sizeBytes, sha256 }));
  });
});

describe('sftp-ingest: file size limit', () => {
  let context: Context;
  const LIMIT = 1_000_000;

  beforeAll(async () => {
    context = await setUp({ SFTP_MAX_FILE_BYTES: String(LIMIT) });
  });
  afterAll(() => tearDown(context));

  it('refuses a file over the limit with a clear message, discards it, and accepts one of exactly the limit', async () => {
    const { work, port, integration, key } = context;
    writeFileSync(join(work, 'big.csv'), randomBytes(LIMIT + 500_000));
    writeFileSync(join(work, 'fits.csv'), randomBytes(LIMIT));

    const refused = await sftpBatch({ port, username: integration.username, key, cwd: work, commands: ['put big.csv'] });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/Failure/);

    const session = await connectSftp(port, { username: integration.username, privateKey: readFileSync(key.privateKeyPath) });
    try {
      const handle = await sftpCall.open(session.sftp, 'big2.csv', 'w');
      await sftpCall.write(session.sftp, handle, Buffer.alloc(LIMIT), 0);
      await expect(sftpCall.write(session.sftp, handle, Buffer.alloc(10), LIMIT)).rejects.toThrow(
        `file too large: the limit is ${LIMIT} bytes; the upload was discarded`,
      );
      await expect(sftpCall.close(session.sftp, handle)).rejects.toThrow(/file too large/);
    } finally {
      session.end();
    }
    await expectEventually(() => expect(context.service.app.get(SftpServer).activeUploads).toBe(0));
    expect(await storedFiles(context.database.url, integration.integrationId)).toEqual([]);
    expect(await withDatabase(context.database.url, async (db) => (await db.query('SELECT count(*)::int AS n FROM outbox')).rows[0].n)).toBe(0);

    const accepted = await sftpBatch({ port, username: integration.username, key, cwd: work, commands: ['put fits.csv'] });
    expect(accepted).toMatchObject({ code: 0, stderr: '' });
    expect((await storedFiles(context.database.url, integration.integrationId)).map((file) => [file.filename, file.size_bytes])).toEqual([
      ['fits.csv', String(LIMIT)],
    ]);
  });
});
