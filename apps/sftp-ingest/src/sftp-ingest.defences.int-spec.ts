import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifySecret, hashSecret } from '@bpo/service-kit';
import {
  createTestDatabase,
  expectEventually,
  generateClientKey,
  sftpBatch,
  startTestService,
  uniqueName,
  type ClientKey,
  type RunningService,
  type TestDatabase,
} from '@bpo/testing';
import { sftpIngestService } from './sftp-ingest.service-definition';
import { SftpServer } from './sftp-server';
import {
  connectSftp,
  seedIntegration,
  sftpCall,
  storedFiles,
  timedPasswordAttempts,
  withDatabase,
  type SeededIntegration,
} from './sftp-test.fixtures';

/** Short windows so every defence can be seen acting within a test. */
const DEFENCES = {
  SFTP_LOCKOUT_USERNAME_FAILURES: '5',
  SFTP_LOCKOUT_ADDRESS_FAILURES: '12',
  SFTP_LOCKOUT_WINDOW_SECONDS: '300',
  SFTP_LOCKOUT_SECONDS: '8',
  SFTP_MAX_CONNECTIONS: '60',
  SFTP_MAX_CONNECTIONS_PER_ADDRESS: '20',
  SFTP_MAX_CONNECTIONS_PER_INTEGRATION: '4',
  SFTP_LOGIN_TIMEOUT_SECONDS: '3',
  SFTP_CHANNEL_TIMEOUT_SECONDS: '3',
  SFTP_MAX_UPLOAD_SECONDS: '10',
  SFTP_MIN_UPLOAD_BYTES_PER_SECOND: '10240',
  SFTP_MIN_UPLOAD_RATE_WINDOW_SECONDS: '3',
};

const PASSWORD = 'acme-password-1';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** A raw TCP connection from `localAddress` that sends nothing; resolves `closed` when the server hangs up. */
function silentConnection(port: number, localAddress: string): Promise<{ socket: Socket; closed: Promise<number> }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, localAddress });
    const closed = new Promise<number>((done) => socket.once('close', () => done(Date.now())));
    socket.on('error', () => undefined);
    socket.resume(); // reads (and drops) what the server sends, so its hang-up is seen; sends nothing
    socket.once('connect', () => resolve({ socket, closed }));
    socket.once('error', reject);
  });
}

/** OpenSSH `sftp` with extra `-o` options (key login, batch mode). */
function sftpWithOptions(port: number, username: string, key: ClientKey, cwd: string, options: string[]): Promise<{ code: number; stderr: string }> {
  const batchFile = join(cwd, `batch-${Math.random().toString(16).slice(2)}.txt`);
  writeFileSync(batchFile, 'ls\n');
  const args = ['-b', batchFile, '-i', key.privateKeyPath, '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'IdentitiesOnly=yes', '-o', 'PasswordAuthentication=no'];
  for (const option of options) args.push('-o', option);
  args.push('-P', String(port), `${username}@127.0.0.1`);
  return new Promise((resolve) => {
    execFile('sftp', args, { cwd, timeout: 30_000 }, (error, _stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stderr }));
  });
}

describe('sftp-ingest defences: lockouts, enumeration, floods, held uploads, algorithms', () => {
  let database: TestDatabase;
  let service: RunningService;
  let work: string;
  let port: number;
  let acme: SeededIntegration;
  let acmeKey: ClientKey;
  const namespace = uniqueName('sftp-defences');
  const sftpServer = () => service.app.get(SftpServer);
  const lockoutRows = (subject: string) =>
    withDatabase(database.url, async (db) => (await db.query('SELECT * FROM sftp_lockouts WHERE subject = $1 ORDER BY locked_at', [subject])).rows);
  const openStagingTransactions = () =>
    withDatabase(database.url, async (db) =>
      Number((await db.query(`SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'`)).rows[0].count),
    );

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'sftp-defences-'));
    database = await createTestDatabase();
    acmeKey = generateClientKey(work, 'acme_key');
    acme = await seedIntegration(database.url, { username: uniqueName('acme'), password: PASSWORD, publicKey: acmeKey });
    service = await startTestService(sftpIngestService, {
      databaseUrl: database.url,
      namespace,
      env: { SFTP_PORT: '0', SFTP_HOST_KEY_PATH: join(work, 'host-key', 'host_key'), ...DEFENCES },
    });
    port = sftpServer().port;
  });

  afterAll(async () => {
    await service?.stop();
    await database?.drop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('brute force on a username: locked after 5 wrong passwords, the right one refused while locked, the lockout ends by itself', async () => {
    const target = await seedIntegration(database.url, { username: uniqueName('brute'), password: PASSWORD });
    const guesses = Array.from({ length: 10 }, (_, index) => ({ username: target.username, password: `guess-${index}` }));
    // Ten wrong passwords in a row, from two addresses (the per-address lockout is not what stops it).
    const first = await timedPasswordAttempts(port, guesses.slice(0, 5), '127.0.0.2');
    const second = await timedPasswordAttempts(port, guesses.slice(5), '127.0.0.3');
    expect([...first, ...second].map((outcome) => outcome.accepted)).toEqual(Array(10).fill(false));
    const [lockout] = await lockoutRows(target.username);
    expect(lockout).toMatchObject({ kind: 'username', failures: 5, integration_ids: [target.integrationId], lifted_at: null });

    // The right password, from yet another address: refused while locked.
    const [locked] = await timedPasswordAttempts(port, [{ username: target.username, password: PASSWORD }], '127.0.0.4');
    expect(locked).toMatchObject({ accepted: false });
    expect(new Date(lockout.locked_until).getTime()).toBeGreaterThan(Date.now());

    // The lockout (8 s here) ends by itself: the right password then gets in.
    await expectEventually(
      async () => {
        const [attempt] = await timedPasswordAttempts(port, [{ username: target.username, password: PASSWORD }], '127.0.0.4');
        if (!attempt.accepted) throw new Error('still locked');
      },
      { timeoutMs: 30_000, intervalMs: 1000 },
    );
    expect(Date.now()).toBeGreaterThanOrEqual(new Date(lockout.locked_until).getTime() - 50);
    // A legitimate key login worked for the locked username all along (a key cannot be guessed).
  });

  it('a locked username still logs in with its registered key; other usernames are not affected', async () => {
    const guesses = Array.from({ length: 5 }, (_, index) => ({ username: acme.username, password: `wrong-${index}` }));
    await timedPasswordAttempts(port, guesses, '127.0.0.5');
    expect(await lockoutRows(acme.username)).toHaveLength(1);
    const [refused] = await timedPasswordAttempts(port, [{ username: acme.username, password: PASSWORD }]);
    expect(refused.accepted).toBe(false);
    const withKey = await sftpBatch({ port, username: acme.username, key: acmeKey, cwd: work, commands: ['ls'] });
    expect(withKey).toMatchObject({ code: 0 });
    // Lifted as a manager would (config-api sets lifted_at): the password works again at once.
    await withDatabase(database.url, (db) => db.query('UPDATE sftp_lockouts SET lifted_at = now() WHERE subject = $1', [acme.username]));
    const [lifted] = await timedPasswordAttempts(port, [{ username: acme.username, password: PASSWORD }]);
    expect(lifted.accepted).toBe(true);
  });

  it('brute force from one address across usernames: the address is locked (even the right password and keys), other addresses are not', async () => {
    const sprayed = Array.from({ length: 12 }, (_, index) => ({ username: `spray-${index}-${uniqueName('u')}`, password: PASSWORD }));
    // ssh2 (like OpenSSH) ends a connection whose username changes: one username per connection.
    for (const attempt of sprayed) await timedPasswordAttempts(port, [attempt], '127.0.0.6');
    const [lockout] = await lockoutRows('127.0.0.6');
    expect(lockout).toMatchObject({ kind: 'address', failures: 12, integration_ids: [] });

    const [right] = await timedPasswordAttempts(port, [{ username: acme.username, password: PASSWORD }], '127.0.0.6');
    expect(right.accepted).toBe(false);
    await expect(connectSftp(port, { username: acme.username, privateKey: readFileSync(acmeKey.privateKeyPath), localAddress: '127.0.0.6' })).rejects.toThrow(
      /authentication methods failed/,
    );
    const [elsewhere] = await timedPasswordAttempts(port, [{ username: acme.username, password: PASSWORD }], '127.0.0.7');
    expect(elsewhere.accepted).toBe(true);
  });

  it('enumeration: an unknown username gets the same answer as a known one, in the same time (a password hash is checked either way)', async () => {
    const known = await Promise.all([1, 2, 3].map(async (index) => seedIntegration(database.url, { username: uniqueName(`known${index}`), password: PASSWORD })));
    // Interleaved known / unknown (one username per connection), at most 4 per known username (under
    // the username lockout) and 6 per address (under the address lockout).
    const attempts = Array.from({ length: 24 }, (_, index) =>
      index % 2 === 0 ? { username: known[(index / 2) % 3].username, password: `not-it-${index}` } : { username: `ghost-${index}-${uniqueName('g')}`, password: `not-it-${index}` },
    );
    const outcomes = [];
    for (const [index, attempt] of attempts.entries()) outcomes.push(...(await timedPasswordAttempts(port, [attempt], `127.0.1.${Math.floor(index / 6) + 1}`)));
    expect(outcomes).toHaveLength(24);
    expect(outcomes.every((outcome) => !outcome.accepted)).toBe(true);
    // The same answer: the same methods left, no partial success.
    expect(new Set(outcomes.map((outcome) => JSON.stringify([outcome.methodsLeft, outcome.partialSuccess])))).toEqual(new Set([JSON.stringify([['publickey', 'password'], false])]));

    // What checking one password costs here and now (same process, same load).
    const hash = await hashSecret('some password');
    const hashTimes: number[] = [];
    for (let run = 0; run < 5; run += 1) {
      const started = performance.now();
      await verifySecret('another password', hash);
      hashTimes.push(performance.now() - started);
    }
    const hashMs = median(hashTimes);
    const knownMs = median(outcomes.filter((_, index) => index % 2 === 0).map((outcome) => outcome.ms));
    const unknownMs = median(outcomes.filter((_, index) => index % 2 === 1).map((outcome) => outcome.ms));
    // Unknown usernames pay for a hash check too (a shortcut would answer in a fraction of it)...
    expect(unknownMs).toBeGreaterThan(0.5 * hashMs);
    // ...and the two medians differ by much less than one hash check.
    expect(Math.abs(knownMs - unknownMs)).toBeLessThan(Math.max(0.5 * hashMs, 20));
  });

  it('connection flood from one address: surplus connections are cut at once, silent ones at the login timeout, and a real client logs in meanwhile', async () => {
    const flood = await Promise.all(Array.from({ length: 40 }, () => silentConnection(port, '127.0.0.8')));
    const floodStarted = Date.now();
    // 20 per address: the other 20 are hung up on at once.
    await expectEventually(async () => {
      const closed = await Promise.all(flood.map(({ closed }) => Promise.race([closed.then(() => true), new Promise((resolve) => setTimeout(() => resolve(false), 10))])));
      if (closed.filter(Boolean).length < 20) throw new Error('surplus connections still open');
    }, { timeoutMs: 10_000 });
    expect(sftpServer().connectionCount('127.0.0.8')).toBeLessThanOrEqual(20);

    const loginStarted = Date.now();
    const legit = await sftpBatch({ port, username: acme.username, key: acmeKey, cwd: work, commands: ['ls'] });
    expect(legit).toMatchObject({ code: 0 });
    expect(Date.now() - loginStarted).toBeLessThan(5000);

    // The silent ones never log in: the login timeout (3 s here) hangs up on them.
    const closedAt = await Promise.all(flood.map(({ closed }) => closed));
    expect(Math.max(...closedAt) - floodStarted).toBeLessThan(15_000);
    expect(Math.max(...closedAt) - floodStarted).toBeGreaterThanOrEqual(2500);
    await expectEventually(() => expect(sftpServer().connectionCount('127.0.0.8')).toBe(0));
  });

  it('caps connections in all: past the total, new connections are cut whatever their address', async () => {
    const held = [];
    for (const address of ['127.0.2.1', '127.0.2.2', '127.0.2.3']) held.push(...(await Promise.all(Array.from({ length: 20 }, () => silentConnection(port, address)))));
    await expectEventually(() => expect(sftpServer().connectionCount()).toBe(60));
    const connectedAt = Date.now();
    const extra = await silentConnection(port, '127.0.2.4');
    // Cut at once, long before the 3 s login timeout.
    expect((await extra.closed) - connectedAt).toBeLessThan(2000);
    expect(sftpServer().connectionCount()).toBe(60);
    for (const { socket } of held) socket.destroy();
    await expectEventually(() => expect(sftpServer().connectionCount()).toBe(0));
  });

  it('caps connections per integration and hangs up on a login that opens no SFTP channel', async () => {
    const sessions = await Promise.all(Array.from({ length: 4 }, () => connectSftp(port, { username: acme.username, privateKey: readFileSync(acmeKey.privateKeyPath) })));
    try {
      await expect(connectSftp(port, { username: acme.username, privateKey: readFileSync(acmeKey.privateKeyPath) })).rejects.toThrow();
      const other = await seedIntegration(database.url, { username: uniqueName('other'), password: PASSWORD });
      const [otherLogin] = await timedPasswordAttempts(port, [{ username: other.username, password: PASSWORD }]);
      expect(otherLogin.accepted).toBe(true);
    } finally {
      for (const session of sessions) session.end();
    }
    await expectEventually(() => expect(sftpServer().connectionCount()).toBe(0));

    // Logged in, but never asks for the SFTP subsystem: hung up on after 3 s here.
    const { Client } = await import('ssh2');
    const client = new Client();
    const readyAt = await new Promise<number>((resolve, reject) => {
      client.on('ready', () => resolve(Date.now())).on('error', reject);
      client.connect({ host: '127.0.0.1', port, username: acme.username, password: PASSWORD, hostVerifier: () => true });
    });
    const closedAt = await new Promise<number>((resolve) => client.on('close', () => resolve(Date.now())));
    expect(closedAt - readyAt).toBeGreaterThanOrEqual(2500);
    expect(closedAt - readyAt).toBeLessThan(15_000);
  });

  it('slot exhaustion: held uploads are discarded by the rate limit, their transactions end, and a fresh upload goes through', async () => {
    const holder = await connectSftp(port, { username: acme.username, privateKey: readFileSync(acmeKey.privateKeyPath) });
    const { sftp } = holder;
    try {
      // Four slots (the per-integration maximum), two open and two complete under a temporary name.
      // Three hold a staging transaction: the open one past its first chunk and both closed ones.
      const big = Buffer.alloc(1_200_000, 'a,b\n');
      const open1 = await sftpCall.open(sftp, 'held-1.csv', 'w');
      await sftpCall.write(sftp, open1, big, 0);
      const open2 = await sftpCall.open(sftp, 'held-2.csv', 'w');
      await sftpCall.write(sftp, open2, Buffer.from('a,b\n'), 0);
      for (const name of ['held-3.csv.part', 'held-4.csv.part']) {
        const handle = await sftpCall.open(sftp, name, 'w');
        await sftpCall.write(sftp, handle, name === 'held-3.csv.part' ? big : Buffer.from('a,b\n'), 0);
        await sftpCall.close(sftp, handle);
      }
      expect(sftpServer().activeUploads).toBe(4);
      expect(await openStagingTransactions()).toBe(3);
      await expect(sftpCall.open(sftp, 'fresh.csv', 'w')).rejects.toThrow(/at most 4 uploads at a time/);

      // The holder keeps the connection busy (well within the idle timeout) but sends no data.
      const keepAlive = setInterval(() => sftp.stat('/', () => undefined), 500);
      try {
        await expectEventually(() => expect(sftpServer().activeUploads).toBe(0), { timeoutMs: 20_000 });
      } finally {
        clearInterval(keepAlive);
      }
      await expectEventually(async () => expect(await openStagingTransactions()).toBe(0));
      await expect(sftpCall.write(sftp, open1, Buffer.from('x'), big.length)).rejects.toThrow(/slower than 10240 bytes\/s over 3 s; it was discarded/);
      await expect(sftpCall.rename(sftp, 'held-3.csv.part', 'held-3.csv')).rejects.toThrow(/no such file/);

      writeFileSync(join(work, 'fresh.csv'), 'agent_id,activity\nA1,Phone\n');
      const fresh = await sftpBatch({ port, username: acme.username, key: acmeKey, cwd: work, commands: ['put fresh.csv fresh.csv'] });
      expect(fresh).toMatchObject({ code: 0 });
      const names = (await storedFiles(database.url, acme.integrationId)).map((file) => file.filename);
      expect(names).toContain('fresh.csv');
      expect(names.filter((name) => name.startsWith('held'))).toEqual([]);
    } finally {
      holder.end();
    }
  });

  it('an upload that keeps a good rate but runs past the maximum duration is discarded', async () => {
    const session = await connectSftp(port, { username: acme.username, privateKey: readFileSync(acmeKey.privateKeyPath) });
    try {
      const handle = await sftpCall.open(session.sftp, 'endless.csv', 'w');
      const started = Date.now();
      const piece = Buffer.alloc(64 * 1024, 'a,b\n');
      let offset = 0;
      let failure: Error | undefined;
      while (!failure && Date.now() - started < 30_000) {
        try {
          await sftpCall.write(session.sftp, handle, piece, offset);
          offset += piece.length;
        } catch (error) {
          failure = error as Error;
        }
        await new Promise((resolve) => setTimeout(resolve, 250)); // about 256 KiB/s: well above the minimum rate
      }
      expect(failure?.message).toMatch(/the upload took longer than 10 s; it was discarded/);
      expect(Date.now() - started).toBeGreaterThanOrEqual(9500);
      await expectEventually(() => expect(sftpServer().activeUploads).toBe(0));
    } finally {
      session.end();
    }
    expect((await storedFiles(database.url, acme.integrationId)).map((file) => file.filename)).not.toContain('endless.csv');
  });

  it.each([
    ['a CBC cipher', ['Ciphers=aes128-cbc'], /no matching cipher found/],
    ['a SHA-1 MAC', ['Ciphers=aes128-ctr', 'MACs=hmac-sha1'], /no matching MAC found/],
    ['a SHA-1 key exchange', ['KexAlgorithms=diffie-hellman-group14-sha1'], /no matching key exchange method found/],
    ['an RSA (SHA-1) host key', ['HostKeyAlgorithms=ssh-rsa'], /no matching host key type found/],
  ])('does not negotiate %s', async (_name, options, message) => {
    const result = await sftpWithOptions(port, acme.username, acmeKey, work, options);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(message);
  });

  it('negotiates the modern algorithms it offers', async () => {
    for (const options of [
      ['Ciphers=aes128-ctr', 'MACs=hmac-sha2-256-etm@openssh.com', 'KexAlgorithms=curve25519-sha256'],
      ['Ciphers=aes256-gcm@openssh.com', 'KexAlgorithms=diffie-hellman-group14-sha256'],
      ['Ciphers=chacha20-poly1305@openssh.com', 'KexAlgorithms=ecdh-sha2-nistp256'],
    ]) {
      expect(await sftpWithOptions(port, acme.username, acmeKey, work, options)).toMatchObject({ code: 0 });
    }
  });
});
