import { createServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { Server, type Algorithms, type AuthContext, type Connection, type SFTPWrapper } from 'ssh2';
import { ConnectionLimits } from './connection-limits';
import { FileStore } from './file-store.repository';
import { loadOrCreateHostKey } from './host-key';
import type { SftpAccount } from './sftp-account.repository';
import { SftpAuthService, type LoginAttempt } from './sftp-auth.service';
import { SftpIngestConfig } from './sftp-ingest.config';
import { SftpSession } from './sftp-session';
import { UploadRegistry } from './upload-registry';

/** A client may try this many credentials per connection. */
const MAX_LOGIN_FAILURES = 6;
/** A refused or timed-out client that does not hang up is cut off this long after being told to. */
const HANG_UP_GRACE_MS = 2000;
/** Uploads in progress at once on this server; each may hold a database connection (pool: see the module). */
export const MAX_ACTIVE_UPLOADS = 16;
/** ...and per integration, so one integration cannot take every slot. */
const MAX_ACTIVE_UPLOADS_PER_INTEGRATION = 4;
/** On shutdown, how long uploads being stored right now may take to finish. */
const SHUTDOWN_GRACE_MS = 10_000;

/**
 * The only algorithms offered (ssh2's defaults include SHA-1 MACs; its supported list also has
 * SHA-1 key exchanges and CBC ciphers): no SHA-1 key exchange or MAC, no CBC cipher, no compression.
 * Every name is one ssh2 1.17 supports. The host key is ed25519.
 */
export const SFTP_ALGORITHMS = {
  kex: [
    'curve25519-sha256',
    'curve25519-sha256@libssh.org',
    'ecdh-sha2-nistp256',
    'ecdh-sha2-nistp384',
    'ecdh-sha2-nistp521',
    'diffie-hellman-group16-sha512',
    'diffie-hellman-group18-sha512',
    'diffie-hellman-group14-sha256',
  ],
  cipher: ['chacha20-poly1305@openssh.com', 'aes128-gcm@openssh.com', 'aes256-gcm@openssh.com', 'aes128-ctr', 'aes192-ctr', 'aes256-ctr'],
  hmac: ['hmac-sha2-256-etm@openssh.com', 'hmac-sha2-512-etm@openssh.com', 'hmac-sha2-256', 'hmac-sha2-512'],
  serverHostKey: ['ssh-ed25519'],
  compress: ['none'],
} satisfies Algorithms;

interface Client {
  connection: Connection;
  sessions: Set<SftpSession>;
  /** Session channels open (one SFTP channel per connection is allowed). */
  channels: number;
}

/** A TCP connection, from its accept on: counted against the caps, cut if it does not log in in time. */
interface Admitted {
  socket: Socket;
  ip: string;
  /** Set once it logged in (and the per-integration cap let it). */
  integrationId?: string;
  loginTimer: NodeJS.Timeout;
}

/**
 * The SFTP server (ssh2): logs integrations in and hands each SFTP channel to an SftpSession over
 * the integration's own virtual folder. Only the `sftp` subsystem is offered (no shell, exec or
 * forwarding). When a client's SFTP channel closes, the connection is ended, as OpenSSH's `bye`
 * expects. Starts once the app is ready; stops first on shutdown, discarding unfinished uploads.
 */
@Injectable()
export class SftpServer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(SftpServer.name);
  private readonly uploads = new UploadRegistry();
  private readonly clients = new Set<Client>();
  private readonly limits: ConnectionLimits;
  private uploadWatch?: NodeJS.Timeout;
  /** By `remoteAddress|remotePort`, as ssh2 reports a connection. */
  private readonly admitted = new Map<string, Admitted>();
  private listener?: NetServer;
  private server?: Server;
  private nextSessionId = 1;
  private listeningPort?: number;
  private hostKeyFingerprint?: string;

  constructor(
    private readonly config: SftpIngestConfig,
    private readonly auth: SftpAuthService,
    private readonly store: FileStore,
  ) {
    this.limits = new ConnectionLimits({
      total: config.SFTP_MAX_CONNECTIONS,
      perAddress: config.SFTP_MAX_CONNECTIONS_PER_ADDRESS,
      perIntegration: config.SFTP_MAX_CONNECTIONS_PER_INTEGRATION,
    });
  }

  /** The port the server listens on (the chosen one when SFTP_PORT is 0). */
  get port(): number {
    if (this.listeningPort === undefined) throw new Error('the SFTP server is not listening');
    return this.listeningPort;
  }

  /** `SHA256:...` of the host key, as clients see it. */
  get fingerprint(): string | undefined {
    return this.hostKeyFingerprint;
  }

  /** Uploads in progress (open, or complete under a temporary name). */
  get activeUploads(): number {
    return this.uploads.size;
  }

  /** Connections open right now, in all and from one address. */
  connectionCount(address?: string): number {
    return address === undefined ? this.limits.connections : this.limits.fromAddress(address);
  }

  async onApplicationBootstrap(): Promise<void> {
    const hostKey = loadOrCreateHostKey(this.config.SFTP_HOST_KEY_PATH);
    this.hostKeyFingerprint = hostKey.fingerprint;
    if (hostKey.created) this.logger.log({ message: 'generated a new SFTP host key', path: this.config.SFTP_HOST_KEY_PATH, fingerprint: hostKey.fingerprint });
    const server = new Server({ hostKeys: [hostKey.privateKey], ident: 'bpo-sftp-ingest', algorithms: SFTP_ALGORITHMS }, (connection, info) =>
      this.accept(connection, `${info.ip}|${info.port}`),
    );
    server.on('error', (error: Error) => this.logger.error({ message: 'SFTP server error', error: error.message }));
    this.server = server;
    // Our own TCP listener: ssh2 sees a connection only once the client sent its identification, so
    // the caps and the login timeout must act on the socket, before ssh2 gets it.
    const listener = createServer((socket) => this.admit(socket));
    listener.on('error', (error: Error) => this.logger.error({ message: 'SFTP listener error', error: error.message }));
    await new Promise<void>((resolve, reject) => {
      listener.once('error', reject);
      listener.listen(this.config.SFTP_PORT, this.config.SFTP_HOST, () => {
        listener.off('error', reject);
        resolve();
      });
    });
    this.listener = listener;
    this.listeningPort = (listener.address() as AddressInfo).port;
    this.watchUploads();
    this.logger.log({ message: 'SFTP server listening', host: this.config.SFTP_HOST, port: this.listeningPort, fingerprint: hostKey.fingerprint });
  }

  async onModuleDestroy(): Promise<void> {
    const listener = this.listener;
    this.server = undefined;
    this.listener = undefined;
    clearInterval(this.uploadWatch);
    if (!listener) return;
    const closed = new Promise<void>((resolve) => listener.close(() => resolve()));
    const ending = [...this.clients].map(async (client) => {
      await Promise.all([...client.sessions].map((session) => session.end()));
      client.connection.end();
    });
    await withDeadline(Promise.all(ending), SHUTDOWN_GRACE_MS);
    for (const { socket } of this.admitted.values()) socket.destroy();
    await withDeadline(closed, 1000);
  }

  /** A new TCP connection: within the caps, it goes on to ssh2 with the login timeout running. */
  private admit(socket: Socket): void {
    socket.on('error', () => undefined); // ssh2 reports errors of the connections it handles
    const ip = normalizeAddress(socket.remoteAddress);
    const refused = this.server ? this.limits.admit(ip) : 'the server is stopping';
    if (refused) {
      this.logger.warn({ message: 'SFTP connection refused', ip, reason: refused });
      socket.destroy();
      return;
    }
    const key = `${socket.remoteAddress}|${socket.remotePort}`;
    const admitted: Admitted = {
      socket,
      ip,
      loginTimer: setTimeout(() => {
        this.logger.warn({ message: 'SFTP client did not log in in time', ip, timeoutSeconds: this.config.SFTP_LOGIN_TIMEOUT_SECONDS });
        socket.destroy();
      }, this.config.SFTP_LOGIN_TIMEOUT_SECONDS * 1000),
    };
    this.admitted.set(key, admitted);
    socket.once('close', () => {
      clearTimeout(admitted.loginTimer);
      this.admitted.delete(key);
      this.limits.release(ip, admitted.integrationId);
    });
    this.server?.injectSocket(socket);
  }

  private accept(connection: Connection, key: string): void {
    const admitted = this.admitted.get(key);
    if (!admitted) return hangUp(connection);
    const { ip } = admitted;
    const client: Client = { connection, sessions: new Set(), channels: 0 };
    this.clients.add(client);
    let account: SftpAccount | undefined;
    let failures = 0;
    let timer: NodeJS.Timeout | undefined;

    connection.on('authentication', (ctx: AuthContext) => {
      this.auth.login(loginAttempt(ctx), ip).then(
        (decision) => {
          if (decision.kind === 'accepted') {
            const tooMany = this.limits.login(decision.account.integrationId);
            if (tooMany) {
              this.logger.warn({ message: 'SFTP login refused', integrationId: decision.account.integrationId, username: ctx.username, ip, reason: tooMany });
              ctx.reject([]);
              return hangUp(connection);
            }
            account = decision.account;
            admitted.integrationId = account.integrationId;
            this.logger.log({ message: 'SFTP login', integrationId: account.integrationId, username: ctx.username, method: ctx.method, ip });
            return ctx.accept();
          }
          if (decision.kind === 'key-acceptable') return ctx.accept();
          if (ctx.method !== 'none') {
            failures += 1;
            this.logger.warn({ message: 'SFTP login refused', username: ctx.username, method: ctx.method, ip, ...(decision.locked ? { locked: decision.locked } : {}) });
          }
          ctx.reject(['publickey', 'password']);
          if (failures >= MAX_LOGIN_FAILURES) hangUp(connection);
        },
        (error: Error) => {
          this.logger.error({ message: 'SFTP login failed', username: ctx.username, error: error.message });
          ctx.reject(['publickey', 'password']);
        },
      );
    });

    connection.on('ready', () => {
      clearTimeout(admitted.loginTimer);
      // Logged in: the SFTP channel must follow.
      timer = setTimeout(() => {
        if (client.sessions.size > 0) return;
        this.logger.warn({ message: 'SFTP client opened no SFTP channel in time', integrationId: account?.integrationId, ip, timeoutSeconds: this.config.SFTP_CHANNEL_TIMEOUT_SECONDS });
        hangUp(connection);
      }, this.config.SFTP_CHANNEL_TIMEOUT_SECONDS * 1000);
      connection.on('session', (acceptSession, rejectSession) => {
        if (client.channels >= 1) return rejectSession();
        client.channels += 1;
        const session = acceptSession();
        session.once('close', () => {
          client.channels -= 1;
        });
        session.on('sftp', (acceptSftp) => {
          if (!account || !this.server) return connection.end();
          clearTimeout(timer);
          this.startSession(client, acceptSftp(), account);
        });
        // Shell, exec, other subsystems, pty, env...: no handler, so ssh2 refuses them.
      });
      // Likewise forwarding (no 'tcpip' / 'request' handlers).
    });

    connection.on('error', (error: Error) => this.logger.warn({ message: 'SFTP connection error', integrationId: account?.integrationId, ip, error: error.message }));
    connection.on('close', () => {
      clearTimeout(timer);
      this.clients.delete(client);
      for (const session of client.sessions) void session.end();
    });
  }

  private startSession(client: Client, sftp: SFTPWrapper, account: SftpAccount): void {
    const session = new SftpSession(this.nextSessionId++, sftp, {
      account,
      store: this.store,
      uploads: this.uploads,
      maxFileBytes: this.config.SFTP_MAX_FILE_BYTES,
      maxActiveUploads: MAX_ACTIVE_UPLOADS,
      maxActiveUploadsPerIntegration: MAX_ACTIVE_UPLOADS_PER_INTEGRATION,
      maxUploadMs: this.config.SFTP_MAX_UPLOAD_SECONDS * 1000,
      minBytesPerSecond: this.config.SFTP_MIN_UPLOAD_BYTES_PER_SECOND,
      rateWindowMs: this.config.SFTP_MIN_UPLOAD_RATE_WINDOW_SECONDS * 1000,
      now: () => new Date(),
    });
    client.sessions.add(session);
    this.endWhenIdle(client, sftp, account);
    sftp.on('error', (error: Error) => this.logger.warn({ message: 'SFTP protocol error', integrationId: account.integrationId, error: error.message }));
    // The client sent EOF (OpenSSH's `bye`): close our side of the channel.
    sftp.on('end', () => sftp.end());
    // The channel closed: end the connection too, or OpenSSH's sftp waits forever.
    sftp.on('close', () => {
      sftp.end();
      client.sessions.delete(session);
      void session.end().finally(() => {
        if (client.sessions.size === 0) client.connection.end();
      });
    });
  }

  /**
   * Every few seconds, uploads past SFTP_MAX_UPLOAD_SECONDS or slower than
   * SFTP_MIN_UPLOAD_BYTES_PER_SECOND (averaged over SFTP_MIN_UPLOAD_RATE_WINDOW_SECONDS) are
   * discarded: their slot is freed and their transaction rolled back, whatever requests the client
   * keeps sending. An upload complete under a temporary name receives nothing: it must be renamed
   * within the rate window.
   */
  private watchUploads(): void {
    const tickMs = Math.min(5000, Math.max(200, Math.floor((this.config.SFTP_MIN_UPLOAD_RATE_WINDOW_SECONDS * 1000) / 6)));
    this.uploadWatch = setInterval(() => {
      const now = Date.now();
      for (const client of this.clients) for (const session of client.sessions) session.enforceUploadLimits(now);
    }, tickMs);
    this.uploadWatch.unref();
  }

  /**
   * A client that sends no SFTP request for SFTP_IDLE_TIMEOUT_SECONDS is disconnected, so a stalled
   * pipeline cannot hold an upload (and its database transaction) open forever; the upload is discarded.
   */
  private endWhenIdle(client: Client, sftp: SFTPWrapper, account: SftpAccount): void {
    const idleMs = this.config.SFTP_IDLE_TIMEOUT_SECONDS * 1000;
    let timer: NodeJS.Timeout | undefined;
    const restart = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        this.logger.warn({ message: 'SFTP client idle, disconnecting', integrationId: account.integrationId, idleSeconds: this.config.SFTP_IDLE_TIMEOUT_SECONDS });
        hangUp(client.connection);
      }, idleMs);
    };
    // ssh2 has no "a request arrived" event: it emits each request as an event of the request's
    // name, and answers OP_UNSUPPORTED itself when no one listens to that name. So the timer listens
    // only to requests the session already handles (all of them), never silencing that answer.
    for (const request of SFTP_REQUESTS) if (sftp.listenerCount(request) > 0) sftp.on(request, restart);
    sftp.once('close', () => clearTimeout(timer));
    restart();
  }
}

/** The requests ssh2's SFTP server parses and emits, each as an event of this name (ssh2 lib/protocol/SFTP.js). */
const SFTP_REQUESTS = [
  'OPEN', 'CLOSE', 'READ', 'WRITE', 'LSTAT', 'FSTAT', 'SETSTAT', 'FSETSTAT', 'OPENDIR', 'READDIR',
  'REMOVE', 'MKDIR', 'RMDIR', 'REALPATH', 'STAT', 'RENAME', 'READLINK', 'SYMLINK', 'EXTENDED',
] as const;

function loginAttempt(ctx: AuthContext): LoginAttempt {
  switch (ctx.method) {
    case 'password':
      return { method: 'password', username: ctx.username, password: ctx.password };
    case 'publickey':
      return { method: 'publickey', username: ctx.username, key: ctx.key, signature: ctx.signature, blob: ctx.blob, hashAlgo: ctx.hashAlgo };
    default:
      return { method: 'other', username: ctx.username };
  }
}

/** Tells the client goodbye, and cuts the socket if it does not hang up (or never read anything). */
function hangUp(connection: Connection): void {
  connection.end();
  const socket = (connection as unknown as { _sock?: { destroy(): void; destroyed?: boolean } })._sock;
  setTimeout(() => {
    if (socket && !socket.destroyed) socket.destroy();
  }, HANG_UP_GRACE_MS).unref();
}

/** `::ffff:10.0.0.1` (an IPv4 client of a dual-stack socket) counts as `10.0.0.1`. */
function normalizeAddress(ip: string | undefined): string {
  if (!ip) return 'unknown';
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice('::ffff:'.length) : ip;
}

function withDeadline(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    work.then(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
