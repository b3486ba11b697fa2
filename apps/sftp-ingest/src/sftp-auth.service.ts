import { randomBytes, timingSafeEqual } from 'node:crypto';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { utils, type ParsedKey } from 'ssh2';
import { hashSecret, Metrics, verifySecret } from '@bpo/service-kit';
import { SftpAccounts, type SftpAccount } from './sftp-account.repository';
import { SftpIngestConfig } from './sftp-ingest.config';
import { SftpLockouts, type LockoutPolicy } from './sftp-lockouts.repository';

export type LoginAttempt =
  | { method: 'password'; username: string; password: string }
  | {
      method: 'publickey';
      username: string;
      key: { algo: string; data: Buffer };
      /** Absent when the client only asks whether the key would be accepted. */
      signature?: Buffer;
      blob?: Buffer;
      hashAlgo?: string;
    }
  | { method: 'other'; username: string };

export type LoginDecision =
  | { kind: 'accepted'; account: SftpAccount }
  /** The key is registered; the client may now prove it holds the private key. */
  | { kind: 'key-acceptable' }
  /** `locked`: refused without looking at the credentials, the username or address being locked. */
  | { kind: 'rejected'; locked?: 'username' | 'address' };

/**
 * Decides SFTP logins: each integration has its own username and logs in with its password (checked
 * against the stored scrypt hash in constant time) or with one of its registered public keys (the
 * signature over the session is verified).
 *
 * Defences:
 * - Enumeration: an unknown username takes the very same path as a known one (the same queries, a
 *   scrypt check against a decoy hash made at start-up, the same failure record and answer), so
 *   neither the answer nor its timing tells which usernames exist.
 * - Brute force: every refused password (and every bad key signature) is recorded in PostgreSQL;
 *   SFTP_LOCKOUT_USERNAME_FAILURES of them for a username within SFTP_LOCKOUT_WINDOW_SECONDS lock
 *   its password logins, SFTP_LOCKOUT_ADDRESS_FAILURES from one address lock the address (every
 *   method), each for SFTP_LOCKOUT_SECONDS. While locked, credentials are refused unchecked.
 *   Registered keys still log a locked username in (a key cannot be guessed), so guessing at a
 *   username's password cannot lock its key-based pipeline out.
 */
@Injectable()
export class SftpAuthService implements OnModuleInit {
  private readonly logger = new Logger(SftpAuthService.name);
  private decoyHash?: Promise<string>;
  private readonly policy: LockoutPolicy;

  constructor(
    private readonly accounts: SftpAccounts,
    private readonly lockouts: SftpLockouts,
    config: SftpIngestConfig,
  ) {
    this.policy = {
      usernameFailures: config.SFTP_LOCKOUT_USERNAME_FAILURES,
      addressFailures: config.SFTP_LOCKOUT_ADDRESS_FAILURES,
      windowSeconds: config.SFTP_LOCKOUT_WINDOW_SECONDS,
      lockoutSeconds: config.SFTP_LOCKOUT_SECONDS,
    };
  }

  /** The decoy hash is made before the first login, so the first unknown username is not slower. */
  async onModuleInit(): Promise<void> {
    await this.decoy();
  }

  async login(attempt: LoginAttempt, address: string): Promise<LoginDecision> {
    if (attempt.method === 'other') return { kind: 'rejected' };
    const locks = await this.lockouts.active(attempt.username, address);
    if (locks.address || (locks.username && attempt.method === 'password')) {
      const locked = locks.address ? 'address' : 'username';
      Metrics.sftpLoginFailures.inc({ method: attempt.method, reason: `locked_${locked}` });
      return { kind: 'rejected', locked };
    }
    const { decision, account, counts } = attempt.method === 'password' ? await this.withPassword(attempt.username, attempt.password) : await this.withKey(attempt);
    if (decision.kind === 'accepted') Metrics.sftpLogins.inc({ method: attempt.method });
    if (decision.kind === 'rejected' && counts) {
      Metrics.sftpLoginFailures.inc({ method: attempt.method, reason: 'wrong_credentials' });
      const locked = await this.lockouts.recordFailure({ username: attempt.username, address, integrationId: account?.integrationId ?? null }, this.policy);
      for (const lockout of locked) {
        Metrics.sftpLockouts.inc({ kind: lockout.kind });
        this.logger.warn({ message: `SFTP ${lockout.kind} locked out`, subject: lockout.subject, failures: lockout.failures, lockedUntil: lockout.lockedUntil.toISOString(), integrationId: account?.integrationId });
      }
    }
    return decision;
  }

  private async withPassword(username: string, password: string): Promise<Checked> {
    const account = await this.accounts.findByUsername(username);
    const matches = await verifySecret(password, account?.passwordHash ?? (await this.decoy()));
    return account && matches ? { decision: { kind: 'accepted', account }, account } : { decision: { kind: 'rejected' }, account, counts: true };
  }

  private async withKey(attempt: Extract<LoginAttempt, { method: 'publickey' }>): Promise<Checked> {
    const account = await this.accounts.findByUsername(attempt.username);
    const key = account?.publicKeys.map(parsePublicKey).find((candidate) => candidate && sameBytes(candidate.getPublicSSH(), attempt.key.data));
    // Offering keys that are not registered is what clients do with every key they hold: not a failure.
    if (!account || !key) return { decision: { kind: 'rejected' }, account };
    if (!attempt.signature || !attempt.blob) return { decision: { kind: 'key-acceptable' }, account };
    if (key.verify(attempt.blob, attempt.signature, attempt.hashAlgo) === true) return { decision: { kind: 'accepted', account }, account };
    return { decision: { kind: 'rejected' }, account, counts: true };
  }

  private decoy(): Promise<string> {
    this.decoyHash ??= hashSecret(randomBytes(24).toString('base64'));
    return this.decoyHash;
  }
}

interface Checked {
  decision: LoginDecision;
  account: SftpAccount | null;
  /** A refusal that counts towards a lockout. */
  counts?: boolean;
}

function parsePublicKey(line: string): ParsedKey | undefined {
  const parsed: unknown = utils.parseKey(line.trim());
  const key = Array.isArray(parsed) ? (parsed[0] as unknown) : parsed;
  return key instanceof Error || !key ? undefined : (key as ParsedKey);
}

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
