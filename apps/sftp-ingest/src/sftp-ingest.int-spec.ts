import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeMessage, FileReceivedV1, MessageHeaders, Topics } from '@bpo/contracts';
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
  sha256Hex,
  storedBytes,
  storedFiles,
  withDatabase,
  type SeededIntegration,
} from './sftp-test.fixtures';

/** A CSV of about `bytes` bytes, different each time. */
function scheduleCsv(bytes: number): Buffer {
  const lines = ['agent_id,agent_name,activity,start,end'];
  let size = lines[0].length + 1;
  for (let row = 0; size < bytes; row += 1) {
    const line = `A${row % 997},Agent ${row},Phone ${Math.random().toString(36).slice(2, 8)},2026-11-26 08:00,2026-11-26 16:00`;
    lines.push(line);
    size += line.length + 1;
  }
  return Buffer.from(`${lines.join('\n')}\n`);
}

describe('sftp-ingest: uploads over SFTP become stored files and file-received messages', () => {
  let database: TestDatabase;
  let service: RunningService;
  let reader: TopicReader<FileReceivedV1>;
  let work: string;
  let port: number;
  let acme: SeededIntegration;
  let other: SeededIntegration;
  let acmeKey: ClientKey;
  let otherKey: ClientKey;
  const namespace = uniqueName('sftp');
  const env = () => ({ SFTP_PORT: '0', SFTP_HOST_KEY_PATH: join(work, 'host-key', 'host_key') });

  const batch = (who: 'acme' | 'other', commands: string[]) =>
    sftpBatch({ port, username: (who === 'acme' ? acme : other).username, key: who === 'acme' ? acmeKey : otherKey, cwd: work, commands });
  const local = (name: string, data: Buffer) => {
    writeFileSync(join(work, name), data);
    return name;
  };
  const outboxCount = () => withDatabase(database.url, async (db) => Number((await db.query('SELECT count(*) FROM outbox')).rows[0].count));
  const sftpServer = () => service.app.get(SftpServer);

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'sftp-ingest-'));
    database = await createTestDatabase();
    acmeKey = generateClientKey(work, 'acme_key');
    otherKey = generateClientKey(work, 'other_key');
    acme = await seedIntegration(database.url, { username: uniqueName('acme'), password: 'acme-password-1', publicKey: acmeKey });
    other = await seedIntegration(database.url, { username: uniqueName('other'), password: 'other-password-1', publicKey: otherKey });
    service = await startTestService(sftpIngestService, { databaseUrl: database.url, namespace, env: env() });
    port = sftpServer().port;
    reader = await new TopicReader<FileReceivedV1>(testInfrastructure().kafkaBrokers, physicalTopic({ namespace }, Topics.FileReceivedV1)).start();
  });

  afterAll(async () => {
    await reader?.stop();
    await service?.stop();
    await database?.drop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('stores a file uploaded with OpenSSH sftp, with its sync run, and announces it on Kafka', async () => {
    const content = scheduleCsv(2_600_000); // three chunks
    const result = await batch('acme', [`put ${local('week48.csv', content)} schedule-2026-w48.csv`, 'ls -l']);
    expect(result).toMatchObject({ code: 0 });
    expect(result.stdout).toMatch(new RegExp(`${content.length} \\w{3} [ \\d]\\d \\d\\d:\\d\\d schedule-2026-w48\\.csv`));

    const [file] = await storedFiles(database.url, acme.integrationId);
    expect(file).toMatchObject({ filename: 'schedule-2026-w48.csv', size_bytes: String(content.length), sha256: sha256Hex(content) });
    expect((await storedBytes(database.url, file.id)).equals(content)).toBe(true);

    const runs = await withDatabase(database.url, async (db) => (await db.query('SELECT * FROM sync_runs WHERE file_id = $1', [file.id])).rows);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: 'processing', integration_id: acme.integrationId, organization_id: acme.organizationId, site_id: acme.siteId });

    const message = await expectEventually(() => {
      const found = reader.messages.find((candidate) => candidate.value.fileId === file.id);
      if (!found) throw new Error('no file-received message yet');
      return found;
    });
    expect(message.key).toBe(acme.integrationId);
    expect(message.value).toEqual({
      messageId: `file-received:${runs[0].id}`,
      occurredAt: file.received_at.toISOString(),
      organizationId: acme.organizationId,
      integrationId: acme.integrationId,
      fileId: file.id,
      syncRunId: runs[0].id,
      filename: 'schedule-2026-w48.csv',
      sizeBytes: content.length,
      sha256: sha256Hex(content),
      receivedAt: file.received_at.toISOString(),
      platform: 'nice_iex',
      // The integration's settings as of the announcement (its zone defaults to the site's).
      settings: { siteId: acme.siteId, timezone: 'Europe/Paris', siteTimezone: 'Europe/Paris', dateOrder: 'YYYY-MM-DD', encoding: 'utf-8', titleLines: 0 },
    });
    expect(message.headers[MessageHeaders.MessageId]).toBe(`file-received:${runs[0].id}`);
    expect(decodeMessage(FileReceivedV1, JSON.stringify(message.value))).toMatchObject({ ok: true });
  });

  it('refuses bad names and names already received at OPEN, says why, and stores nothing', async () => {
    const filesBefore = (await storedFiles(database.url, acme.integrationId)).length;
    const outboxBefore = await outboxCount();
    const csv = local('small.csv', scheduleCsv(2000));
    for (const name of ['"bad name.csv"', 'schedule.txt', 'schedule-2026-w48.csv']) {
      const result = await batch('acme', [`put ${csv} ${name}`]);
      expect(result.code).toBe(1);
      // OpenSSH prints only the status code's text; other clients show the server's message (below).
      expect(result.stderr).toContain(`dest open "/${name.replace(/"/g, '')}": Failure`);
    }
    const session = await connectSftp(port, { username: acme.username, privateKey: readFileSync(acmeKey.privateKeyPath) });
    try {
      await expect(sftpCall.open(session.sftp, 'bad name.csv', 'w')).rejects.toThrow('file names may only use letters, digits, ".", "_" and "-"');
      await expect(sftpCall.open(session.sftp, 'schedule.txt', 'w')).rejects.toThrow(
        'file names must end in .csv (or upload to a temporary name ending .part, .partial, .filepart and rename it to .csv when complete)',
      );
      await expect(sftpCall.open(session.sftp, '/schedule-2026-w48.csv', 'w')).rejects.toThrow(
        'schedule-2026-w48.csv was already received: every file name is used once, upload the file under a new name',
      );
    } finally {
      session.end();
    }
    expect(await storedFiles(database.url, acme.integrationId)).toHaveLength(filesBefore);
    expect(await outboxCount()).toBe(outboxBefore);
    await expectEventually(() => expect(sftpServer().activeUploads).toBe(0));
  });

  it('takes an upload to a temporary name as arriving when it is renamed to its final name', async () => {
    const content = scheduleCsv(50_000);
    const result = await batch('acme', [`put ${local('w49.csv', content)} schedule-2026-w49.csv.part`, 'ls', 'rename schedule-2026-w49.csv.part schedule-2026-w49.csv', 'ls']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const [, afterPut, afterRename] = result.stdout.split('sftp> ls');
    expect(afterPut).toContain('schedule-2026-w49.csv.part');
    expect(afterRename).toContain('schedule-2026-w49.csv');
    expect(afterRename).not.toContain('.part');

    const files = await storedFiles(database.url, acme.integrationId);
    const file = files.find((candidate) => candidate.filename === 'schedule-2026-w49.csv');
    expect(file).toMatchObject({ size_bytes: String(content.length), sha256: sha256Hex(content) });
    expect(files.map((candidate) => candidate.filename)).not.toContain('schedule-2026-w49.csv.part');
    expect((await storedBytes(database.url, file?.id ?? '')).equals(content)).toBe(true);
    await expectEventually(() => expect(reader.messages.map((message) => message.value.filename)).toContain('schedule-2026-w49.csv'));
  });

  it('refuses a rename to a name already received and discards a temporary upload never renamed', async () => {
    const outboxBefore = await outboxCount();
    const session = await connectSftp(port, { username: acme.username, privateKey: readFileSync(acmeKey.privateKeyPath) });
    try {
      const handle = await sftpCall.open(session.sftp, 'again.csv.tmp', 'w');
      await sftpCall.write(session.sftp, handle, Buffer.from('a,b\n'), 0);
      await expect(sftpCall.rename(session.sftp, 'again.csv.tmp', 'again.csv')).rejects.toThrow('again.csv.tmp is still open: close it before renaming it');
      await sftpCall.close(session.sftp, handle);
      await expect(sftpCall.rename(session.sftp, 'again.csv.tmp', 'schedule-2026-w48.csv')).rejects.toThrow(/schedule-2026-w48.csv was already received/);
      await expect(sftpCall.rename(session.sftp, 'schedule-2026-w48.csv', 'other.csv')).rejects.toThrow('received files cannot be renamed');
      await expect(sftpCall.rename(session.sftp, 'again.csv.tmp', '../again.csv')).rejects.toThrow(/no parent/);
      expect(await sftpCall.readdir(session.sftp, '/')).toContain('again.csv.tmp');
      expect(await sftpCall.stat(session.sftp, 'again.csv.tmp')).toEqual({ size: 4, isDirectory: false });
    } finally {
      session.end();
    }
    await expectEventually(() => expect(sftpServer().activeUploads).toBe(0));
    const names = (await storedFiles(database.url, acme.integrationId)).map((file) => file.filename);
    expect(names.filter((name) => name.startsWith('again') || name.startsWith('.staging'))).toEqual([]);
    expect(await outboxCount()).toBe(outboxBefore);
  });

  it('logs in with the password (ssh2 client) and refuses a wrong password, an unknown user and a key of another integration', async () => {
    const session = await connectSftp(port, { username: acme.username, password: 'acme-password-1' });
    try {
      expect(await sftpCall.readdir(session.sftp, '/')).toEqual(['schedule-2026-w48.csv', 'schedule-2026-w49.csv']);
    } finally {
      session.end();
    }
    await expect(connectSftp(port, { username: acme.username, password: 'acme-password-2' })).rejects.toThrow(/authentication methods failed/);
    await expect(connectSftp(port, { username: 'nobody', password: 'acme-password-1' })).rejects.toThrow(/authentication methods failed/);
    await expect(connectSftp(port, { username: acme.username, password: 'other-password-1' })).rejects.toThrow(/authentication methods failed/);
    const wrongKey = await sftpBatch({ port, username: acme.username, key: otherKey, cwd: work, commands: ['ls'] });
    expect(wrongKey.code).not.toBe(0);
    expect(wrongKey.stderr).toContain('Permission denied (publickey,password)');
  });

  it("never lets one integration see or reach another's files", async () => {
    const listing = await batch('other', ['ls -la', 'ls -la /']);
    expect(listing).toMatchObject({ code: 0, stderr: '' });
    expect(listing.stdout).not.toContain('schedule-2026');
    for (const path of ['../schedule-2026-w48.csv', `/../${acme.username}/schedule-2026-w48.csv`, '/schedule-2026-w48.csv', `../${acme.username}/schedule-2026-w48.csv`]) {
      const result = await batch('other', [`get ${path} stolen.csv`]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('not found');
    }
    expect((await batch('other', ['cd ..', 'ls'])).stdout).not.toContain('schedule-2026');
    expect((await batch('other', [`cd /${acme.username}`])).code).toBe(1);

    const session = await connectSftp(port, { username: other.username, privateKey: readFileSync(otherKey.privateKeyPath) });
    try {
      const { sftp } = session;
      expect(await sftpCall.realpath(sftp, '..')).toBe('/');
      expect(await sftpCall.realpath(sftp, '../../etc')).toBe('/etc');
      await expect(sftpCall.realpath(sftp, '/etc/passwd')).rejects.toThrow(/no sub-folders/);
      await expect(sftpCall.stat(sftp, 'schedule-2026-w48.csv')).rejects.toMatchObject({ code: 2 });
      await expect(sftpCall.open(sftp, 'schedule-2026-w48.csv', 'r')).rejects.toMatchObject({ code: 2 });
      await expect(sftpCall.open(sftp, '../schedule-2026-w48.csv', 'r')).rejects.toMatchObject({ code: 2 });
      await expect(sftpCall.readdir(sftp, '..')).rejects.toMatchObject({ code: 2 });
      await expect(sftpCall.readdir(sftp, `/../${acme.username}`)).rejects.toMatchObject({ code: 2 });
      await expect(sftpCall.open(sftp, `/../${acme.username}/x.csv`, 'w')).rejects.toMatchObject({ code: 3 });
      await expect(sftpCall.rename(sftp, 'schedule-2026-w48.csv', 'mine.csv')).rejects.toMatchObject({ code: 2 });
      // The same name is free for another integration: names are unique per integration.
      const handle = await sftpCall.open(sftp, 'schedule-2026-w48.csv', 'w');
      await sftpCall.write(sftp, handle, Buffer.from('x,y\n'), 0);
      await sftpCall.close(sftp, handle);
      expect(await sftpCall.readdir(sftp, '/')).toEqual(['schedule-2026-w48.csv']);
      expect((await sftpCall.readFile(sftp, 'schedule-2026-w48.csv')).toString()).toBe('x,y\n');
    } finally {
      session.end();
    }
    const own = await storedFiles(database.url, acme.integrationId);
    expect(own.find((file) => file.filename === 'schedule-2026-w48.csv')?.size_bytes).not.toBe('4');
  });

  it('lets an integration read back its own files (get)', async () => {
    const result = await batch('acme', ['get schedule-2026-w49.csv fetched.csv']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const [file] = (await storedFiles(database.url, acme.integrationId)).filter((candidate) => candidate.filename === 'schedule-2026-w49.csv');
    expect(sha256Hex(readFileSync(join(work, 'fetched.csv')))).toBe(file.sha256);
  });

  it('refuses to change the folder: mkdir, rmdir, remove, symlink, readlink, setstat', async () => {
    const session = await connectSftp(port, { username: acme.username, privateKey: readFileSync(acmeKey.privateKeyPath) });
    try {
      const { sftp } = session;
      await expect(sftpCall.mkdir(sftp, 'folder')).rejects.toMatchObject({ code: 3 });
      await expect(sftpCall.rmdir(sftp, '/')).rejects.toMatchObject({ code: 3 });
      await expect(sftpCall.unlink(sftp, 'schedule-2026-w48.csv')).rejects.toMatchObject({ code: 3, message: 'files cannot be removed' });
      await expect(sftpCall.symlink(sftp, '/etc/passwd', 'link.csv')).rejects.toMatchObject({ code: 3 });
      await expect(sftpCall.readlink(sftp, 'schedule-2026-w48.csv')).rejects.toMatchObject({ code: 8 });
      await expect(sftpCall.setstat(sftp, 'schedule-2026-w48.csv')).rejects.toMatchObject({ code: 3 });
      expect(await sftpCall.stat(sftp, '/')).toEqual({ size: 0, isDirectory: true });
    } finally {
      session.end();
    }
    expect((await batch('acme', ['rm schedule-2026-w48.csv'])).stderr).toContain('Permission denied');
  });

  it('leaves no file and no message when the client disconnects mid-upload', async () => {
    const outboxBefore = await outboxCount();
    const content = scheduleCsv(3_000_000);
    const half = content.subarray(0, 1_600_000); // more than one chunk: its transaction is open
    const session = await connectSftp(port, { username: acme.username, privateKey: readFileSync(acmeKey.privateKeyPath) });
    const handle = await sftpCall.open(session.sftp, 'interrupted.csv', 'w');
    for (let offset = 0; offset < half.length; offset += 32_768) {
      await sftpCall.write(session.sftp, handle, half.subarray(offset, offset + 32_768), offset);
    }
    expect(sftpServer().activeUploads).toBe(1);
    session.end();

    await expectEventually(() => expect(sftpServer().activeUploads).toBe(0));
    const staging = await withDatabase(database.url, async (db) =>
      (await db.query(`SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'`)).rows[0].count,
    );
    expect(Number(staging)).toBe(0);
    expect((await storedFiles(database.url, acme.integrationId)).map((file) => file.filename)).not.toContain('interrupted.csv');
    expect(await outboxCount()).toBe(outboxBefore);

    // The name is still free.
    const retry = await batch('acme', [`put ${local('interrupted.csv', content)}`]);
    expect(retry).toMatchObject({ code: 0, stderr: '' });
    const file = (await storedFiles(database.url, acme.integrationId)).find((candidate) => candidate.filename === 'interrupted.csv');
    expect(file?.sha256).toBe(sha256Hex(content));
  });

  it('puts writes that arrive out of order back in order, and refuses a write over received data', async () => {
    const content = scheduleCsv(200_000);
    const session = await connectSftp(port, { username: acme.username, privateKey: readFileSync(acmeKey.privateKeyPath) });
    try {
      const { sftp } = session;
      const handle = await sftpCall.open(sftp, 'shuffled.csv', 'w');
      const cut = [0, 70_000, 120_000, 150_000, content.length];
      await Promise.all(
        [3, 1, 2, 0].map((part) => sftpCall.write(sftp, handle, content.subarray(cut[part], cut[part + 1]), cut[part])),
      );
      await sftpCall.close(sftp, handle);

      const overlap = await sftpCall.open(sftp, 'overlap.csv', 'w');
      await sftpCall.write(sftp, overlap, content.subarray(0, 1000), 0);
      await expect(sftpCall.write(sftp, overlap, content.subarray(500, 1500), 500)).rejects.toThrow(
        'write at offset 500 overlaps data already received (next offset is 1000); rewriting is not supported, the upload was discarded',
      );
      await expect(sftpCall.close(sftp, overlap)).rejects.toThrow(/overlaps/);
    } finally {
      session.end();
    }
    const files = await storedFiles(database.url, acme.integrationId);
    const shuffled = files.find((file) => file.filename === 'shuffled.csv');
    expect((await storedBytes(database.url, shuffled?.id ?? '')).equals(content)).toBe(true);
    expect(files.map((file) => file.filename)).not.toContain('overlap.csv');
  });

  it('disconnects a client idle for SFTP_IDLE_TIMEOUT_SECONDS and discards its unfinished upload', async () => {
    await service.stop();
    service = await startTestService(sftpIngestService, { databaseUrl: database.url, namespace, env: { ...env(), SFTP_IDLE_TIMEOUT_SECONDS: '1' } });
    port = sftpServer().port;
    try {
      const session = await connectSftp(port, { username: acme.username, privateKey: readFileSync(acmeKey.privateKeyPath) });
      const closed = new Promise<number>((resolve) => session.client.on('close', () => resolve(Date.now())));
      const handle = await sftpCall.open(session.sftp, 'stalled.csv', 'w');
      await sftpCall.write(session.sftp, handle, scheduleCsv(100_000), 0);
      const lastRequest = Date.now();
      expect(sftpServer().activeUploads).toBe(1);
      expect((await closed) - lastRequest).toBeGreaterThanOrEqual(900);
      await expectEventually(() => expect(sftpServer().activeUploads).toBe(0));
      expect((await storedFiles(database.url, acme.integrationId)).map((file) => file.filename)).not.toContain('stalled.csv');
    } finally {
      await service.stop();
      service = await startTestService(sftpIngestService, { databaseUrl: database.url, namespace, env: env() });
      port = sftpServer().port;
    }
  });

  it('on shutdown ends its sessions and discards unfinished uploads; keeps its host key across restarts', async () => {
    const fingerprint = sftpServer().fingerprint;
    const keyFile = join(work, 'host-key', 'host_key');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(execFileSync('ssh-keygen', ['-l', '-f', keyFile], { encoding: 'utf8' })).toContain(fingerprint);

    const before = await connectSftp(port, { username: acme.username, password: 'acme-password-1' });
    expect(before.hostFingerprint).toBe(fingerprint);
    const disconnected = new Promise<void>((resolve) => before.client.on('close', () => resolve()));
    const handle = await sftpCall.open(before.sftp, 'cut-by-shutdown.csv', 'w');
    const content = scheduleCsv(1_500_000);
    for (let offset = 0; offset < content.length; offset += 32_768) {
      await sftpCall.write(before.sftp, handle, content.subarray(offset, offset + 32_768), offset);
    }
    const stopping = Date.now();
    await service.stop();
    expect(Date.now() - stopping).toBeLessThan(10_000);
    await disconnected;

    service = await startTestService(sftpIngestService, { databaseUrl: database.url, namespace, env: env() });
    port = sftpServer().port;
    expect(sftpServer().fingerprint).toBe(fingerprint);
    const after = await connectSftp(port, { username: acme.username, password: 'acme-password-1' });
    try {
      expect(after.hostFingerprint).toBe(fingerprint);
      expect(await sftpCall.readdir(after.sftp, '/')).not.toContain('cut-by-shutdown.csv');
    } finally {
      after.end();
    }
    expect((await storedFiles(database.url, acme.integrationId)).map((file) => file.filename)).not.toContain('cut-by-shutdown.csv');
  });
});
