/**
 * Helpers for the integration tests of this app (not part of the service): integrations in the
 * database, client keys, the real OpenSSH `sftp` client in batch mode, and an in-process ssh2 client.
 */
import { createHash } from 'node:crypto';
import { Client as PgClient } from 'pg';
import { Client as SshClient, type ConnectConfig, type SFTPWrapper } from 'ssh2';
import { hashSecret } from '@bpo/service-kit';

export interface SeededIntegration {
  integrationId: string;
  organizationId: string;
  siteId: string;
  username: string;
}

export async function withDatabase<T>(url: string, work: (client: PgClient) => Promise<T>): Promise<T> {
  const client = new PgClient({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** An organization with a site, a default schedule and an integration that logs in as `username`. */
export async function seedIntegration(
  databaseUrl: string,
  { username, password, publicKey }: { username: string; password: string; publicKey?: { line: string; fingerprint: string } },
): Promise<SeededIntegration> {
  const passwordHash = await hashSecret(password);
  return withDatabase(databaseUrl, async (db) => {
    const [organization] = (await db.query(`INSERT INTO organizations (name, timezone) VALUES ($1, 'Europe/Paris') RETURNING id`, [`Org of ${username}`])).rows;
    const [site] = (await db.query(`INSERT INTO sites (organization_id, name, timezone, is_bpo) VALUES ($1, 'BPO site', 'Europe/Paris', true) RETURNING id`, [organization.id])).rows;
    const [schedule] = (await db.query(`INSERT INTO schedules (organization_id, name, is_default) VALUES ($1, 'Main', true) RETURNING id`, [organization.id])).rows;
    const [integration] = (
      await db.query(
        `INSERT INTO integrations (organization_id, site_id, platform, sftp_username, sftp_password_hash, target_schedule_id)
         VALUES ($1, $2, 'nice_iex', $3, $4, $5) RETURNING id`,
        [organization.id, site.id, username, passwordHash, schedule.id],
      )
    ).rows;
    if (publicKey) {
      const [algorithm] = publicKey.line.split(' ');
      await db.query(
        `INSERT INTO integration_ssh_keys (integration_id, algorithm, public_key, fingerprint, comment) VALUES ($1, $2, $3, $4, 'test key')`,
        [integration.id, algorithm, publicKey.line, publicKey.fingerprint],
      );
    }
    return { integrationId: integration.id, organizationId: organization.id, siteId: site.id, username };
  });
}

export interface Ssh2Session {
  client: SshClient;
  sftp: SFTPWrapper;
  /** `SHA256:...` of the host key the server presented. */
  hostFingerprint: string;
  end(): void;
}

/** Logs in with the ssh2 client (password or key) and opens an SFTP channel. */
export function connectSftp(port: number, auth: Pick<ConnectConfig, 'username' | 'password' | 'privateKey' | 'localAddress'>): Promise<Ssh2Session> {
  return new Promise((resolve, reject) => {
    const client = new SshClient();
    let hostFingerprint = '';
    client
      .on('ready', () => {
        client.sftp((error, sftp) => {
          if (error) {
            client.end();
            return reject(error);
          }
          resolve({ client, sftp, hostFingerprint, end: () => client.end() });
        });
      })
      .on('error', reject)
      .connect({
        host: '127.0.0.1',
        port,
        ...auth,
        tryKeyboard: false,
        readyTimeout: 20_000,
        hostVerifier: (key: Buffer) => {
          hostFingerprint = `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
          return true;
        },
      });
  });
}

/** Promise versions of the ssh2 SFTP client calls the tests use. */
export const sftpCall = {
  open: (sftp: SFTPWrapper, path: string, mode: 'r' | 'w') =>
    new Promise<Buffer>((resolve, reject) => sftp.open(path, mode, (error, handle) => (error ? reject(error) : resolve(handle)))),
  write: (sftp: SFTPWrapper, handle: Buffer, data: Buffer, position: number) =>
    new Promise<void>((resolve, reject) => sftp.write(handle, data, 0, data.length, position, (error) => (error ? reject(error) : resolve()))),
  close: (sftp: SFTPWrapper, handle: Buffer) => new Promise<void>((resolve, reject) => sftp.close(handle, (error) => (error ? reject(error) : resolve()))),
  readdir: (sftp: SFTPWrapper, path: string) =>
    new Promise<string[]>((resolve, reject) => sftp.readdir(path, (error, list) => (error ? reject(error) : resolve(list.map((entry) => entry.filename).sort())))),
  stat: (sftp: SFTPWrapper, path: string) =>
    new Promise<{ size: number; isDirectory: boolean }>((resolve, reject) =>
      sftp.stat(path, (error, stats) => (error ? reject(error) : resolve({ size: stats.size, isDirectory: stats.isDirectory() }))),
    ),
  realpath: (sftp: SFTPWrapper, path: string) =>
    new Promise<string>((resolve, reject) => sftp.realpath(path, (error, resolved) => (error ? reject(error) : resolve(resolved)))),
  rename: (sftp: SFTPWrapper, from: string, to: string) =>
    new Promise<void>((resolve, reject) => sftp.rename(from, to, (error) => (error ? reject(error) : resolve()))),
  mkdir: (sftp: SFTPWrapper, path: string) => new Promise<void>((resolve, reject) => sftp.mkdir(path, (error) => (error ? reject(error) : resolve()))),
  rmdir: (sftp: SFTPWrapper, path: string) => new Promise<void>((resolve, reject) => sftp.rmdir(path, (error) => (error ? reject(error) : resolve()))),
  unlink: (sftp: SFTPWrapper, path: string) => new Promise<void>((resolve, reject) => sftp.unlink(path, (error) => (error ? reject(error) : resolve()))),
  symlink: (sftp: SFTPWrapper, target: string, path: string) =>
    new Promise<void>((resolve, reject) => sftp.symlink(target, path, (error) => (error ? reject(error) : resolve()))),
  readlink: (sftp: SFTPWrapper, path: string) =>
    new Promise<string>((resolve, reject) => sftp.readlink(path, (error, target) => (error ? reject(error) : resolve(target)))),
  setstat: (sftp: SFTPWrapper, path: string) =>
    new Promise<void>((resolve, reject) => sftp.setstat(path, { mode: 0o777 }, (error) => (error ? reject(error) : resolve()))),
  readFile: (sftp: SFTPWrapper, path: string) =>
    new Promise<Buffer>((resolve, reject) => sftp.readFile(path, (error, data) => (error ? reject(error) : resolve(data)))),
};

export interface StoredFileRow {
  id: string;
  filename: string;
  size_bytes: string;
  sha256: string;
  received_at: Date;
}

export async function storedFiles(databaseUrl: string, integrationId: string): Promise<StoredFileRow[]> {
  return withDatabase(databaseUrl, async (db) => (await db.query('SELECT * FROM received_files WHERE integration_id = $1 ORDER BY filename', [integrationId])).rows);
}

/** The file's chunks put back together. */
export async function storedBytes(databaseUrl: string, fileId: string): Promise<Buffer> {
  return withDatabase(databaseUrl, async (db) => {
    const { rows } = await db.query('SELECT data FROM received_file_chunks WHERE file_id = $1 ORDER BY seq', [fileId]);
    return Buffer.concat(rows.map((row: { data: Buffer }) => row.data));
  });
}

export function sha256Hex(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export interface TimedAttempt {
  username: string;
  password: string;
}

export interface AttemptOutcome {
  username: string;
  /** The server accepted the password (the connection then became ready). */
  accepted: boolean;
  /** Milliseconds from sending the password to the server's answer. */
  ms: number;
  /** The methods the server said may continue, after a refusal. */
  methodsLeft: string[] | null;
  partialSuccess: boolean | null;
}

/**
 * Tries passwords one after the other on one ssh2 connection (from `localAddress`), timing each
 * from the moment it is sent to the server's answer: the key exchange is left out of the timing.
 * Stops at the first accepted password; attempts after that, or after the server hung up, are
 * missing from the result.
 */
export function timedPasswordAttempts(port: number, attempts: TimedAttempt[], localAddress = '127.0.0.1'): Promise<AttemptOutcome[]> {
  return new Promise((resolve, reject) => {
    const client = new SshClient();
    const outcomes: AttemptOutcome[] = [];
    let next = 0;
    let sentAt = 0;
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      client.end();
      resolve(outcomes);
    };
    client
      .on('ready', () => {
        outcomes.push({ username: attempts[next - 1].username, accepted: true, ms: performance.now() - sentAt, methodsLeft: null, partialSuccess: null });
        finish();
      })
      .on('error', (error: Error & { level?: string }) => {
        if (error.level === 'client-authentication' || outcomes.length > 0 || next > 0) return finish();
        settled = true;
        reject(error);
      })
      .on('close', finish)
      .connect({
        host: '127.0.0.1',
        port,
        localAddress,
        readyTimeout: 30_000,
        hostVerifier: () => true,
        username: attempts[0].username,
        authHandler: (methodsLeft: string[] | null, partialSuccess: boolean | null, callback: (next: unknown) => void) => {
          if (next > 0) outcomes.push({ username: attempts[next - 1].username, accepted: false, ms: performance.now() - sentAt, methodsLeft, partialSuccess });
          if (next >= attempts.length) return callback(false);
          const attempt = attempts[next++];
          sentAt = performance.now();
          callback({ type: 'password', username: attempt.username, password: attempt.password });
        },
      } as ConnectConfig);
  });
}
