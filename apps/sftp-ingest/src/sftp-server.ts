import type { AddressInfo } from 'node:net';
import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { Server, type AuthContext, type Connection, type SFTPWrapper } from 'ssh2';
import { FileStore } from './file-store.repository';
import { loadOrCreateHostKey } from './host-key';
import type { SftpAccount } from './sftp-account.repository';
import { SftpAuthService, type LoginAttempt } from './sftp-auth.service';
import { SftpIngestConfig } from './sftp-ingest.config';
import { SftpSession } from './sftp-session';
import { UploadRegistry } from './upload-registry';

/** A client must log in within this time, and within this many attempts. */
const LOGIN_GRACE_MS = 60_000;
const MAX_LOGIN_FAILURES = 6;
/** Uploads in progress at once on this server; each may hold a database connection (pool: see the module). */
export const MAX_ACTIVE_UPLOADS = 16;
/** ...and per integration, so one integration cannot take every slot. */
const MAX_ACTIVE_UPLOADS_PER_INTEGRATION = 4;
/** On shutdown, how long uploads being stored right now may take to finish. */
const SHUTDOWN_GRACE_MS = 10_000;

interface Client {
  connection: Connection;
  sessions: Set<SftpSession>;
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
  private server?: Server;
  private nextSessionId = 1;
  private listeningPort?: number;
  private hostKeyFingerprint?: string;

  constructor(
    private readonly config: SftpIngestConfig,
    private readonly auth: SftpAuthService,
    private readonly store: FileStore,
  ) {}

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

  async onApplicationBootstrap(): Promise<void> {
    const hostKey = loadOrCreateHostKey(this.config.SFTP_HOST_KEY_PATH);
    this.hostKeyFingerprint = hostKey.fingerprint;
    if (hostKey.created) this.logger.log({ message: 'generated a new SFTP host key', path: this.config.SFTP_HOST_KEY_PATH, fingerprint: hostKey.fingerprint });
    const server = new Server({ hostKeys: [hostKey.privateKey], ident: 'bpo-sftp-ingest' }, (connection, info) => this.accept(connection, info.ip));
    server.on('error', (error: Error) => this.logger.error({ message: 'SFTP server error', error: error.message }));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.config.SFTP_PORT, this.config.SFTP_HOST, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.listeningPort = (server.address() as AddressInfo).port;
    this.logger.log({ message: 'SFTP server listening', host: this.config.SFTP_HOST, port: this.listeningPort, fingerprint: hostKey.fingerprint });
  }

  async onModuleDestroy(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    const ending = [...this.clients].map(async (client) => {
      await Promise.all([...client.sessions].map((session) => session.end()));
      client.connection.end();
    });
    await withDeadline(Promise.all(ending), SHUTDOWN_GRACE_MS);
    await withDeadline(closed, 1000);
  }

  private accept(connection: Connection, ip: string): void {
    const client: Client = { connection, sessions: new Set() };
    this.clients.add(client);
    let account: SftpAccount | undefined;
    let failures = 0;
    const grace = setTimeout(() => {
      this.logger.warn({ message: 'SFTP client did not log in in time', ip });
      connection.end();
    }, LOGIN_GRACE_MS);

    connection.on('authentication', (ctx: AuthContext) => {
      this.auth.login(loginAttempt(ctx)).then(
        (decision) => {
          if (decision.kind === 'accepted') {
            account = decision.account;
            this.logger.log({ message: 'SFTP login', integrationId: account.integrationId, username: ctx.username, method: ctx.method, ip });
            return ctx.accept();
          }
          if (decision.kind === 'key-acceptable') return ctx.accept();
          if (ctx.method !== 'none') {
            failures += 1;
            this.logger.warn({ message: 'SFTP login refused', username: ctx.username, method: ctx.method, ip });
          }
          ctx.reject(['publickey', 'password']);
          if (failures >= MAX_LOGIN_FAILURES) connection.end();
        },
        (error: Error) => {
          this.logger.error({ message: 'SFTP login failed', username: ctx.username, error: error.message });
          ctx.reject(['publickey', 'password']);
        },
      );
    });

    connection.on('ready', () => {
      clearTimeout(grace);
      connection.on('session', (acceptSession) => {
        const session = acceptSession();
        session.on('sftp', (acceptSftp) => {
          if (!account || !this.server) return connection.end();
          this.startSession(client, acceptSftp(), account);
        });
        // Shell, exec, other subsystems, pty, env...: no handler, so ssh2 refuses them.
      });
      // Likewise forwarding (no 'tcpip' / 'request' handlers).
    });

    connection.on('error', (error: Error) => this.logger.warn({ message: 'SFTP connection error', integrationId: account?.integrationId, ip, error: error.message }));
    connection.on('close', () => {
      clearTimeout(grace);
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
        client.connection.end();
      }, idleMs);
    };
    // Every request the client sends surfaces as an event of the SFTP channel.
    const emit = sftp.emit.bind(sftp);
    sftp.emit = ((event: string | symbol, ...args: unknown[]) => {
      restart();
      return emit(event, ...args);
    }) as typeof sftp.emit;
    sftp.once('close', () => clearTimeout(timer));
    restart();
  }
}

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

function withDeadline(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    work.then(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
