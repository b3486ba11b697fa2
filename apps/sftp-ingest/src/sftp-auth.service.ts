import { randomBytes, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { utils, type ParsedKey } from 'ssh2';
import { hashSecret, verifySecret } from '@bpo/service-kit';
import { SftpAccounts, type SftpAccount } from './sftp-account.repository';

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
  | { kind: 'rejected' };

/**
 * Decides SFTP logins: each integration has its own username and logs in with its password (checked
 * against the stored scrypt hash in constant time) or with one of its registered public keys (the
 * signature over the session is verified). An unknown username costs the same hash check as a
 * known one, so response times do not tell which usernames exist.
 */
@Injectable()
export class SftpAuthService {
  private decoyHash?: Promise<string>;

  constructor(private readonly accounts: SftpAccounts) {}

  async login(attempt: LoginAttempt): Promise<LoginDecision> {
    switch (attempt.method) {
      case 'password':
        return this.withPassword(attempt.username, attempt.password);
      case 'publickey':
        return this.withKey(attempt);
      default:
        return { kind: 'rejected' };
    }
  }

  private async withPassword(username: string, password: string): Promise<LoginDecision> {
    const account = await this.accounts.findByUsername(username);
    const matches = await verifySecret(password, account?.passwordHash ?? (await this.decoy()));
    return account && matches ? { kind: 'accepted', account } : { kind: 'rejected' };
  }

  private async withKey(attempt: Extract<LoginAttempt, { method: 'publickey' }>): Promise<LoginDecision> {
    const account = await this.accounts.findByUsername(attempt.username);
    const key = account?.publicKeys.map(parsePublicKey).find((candidate) => candidate && sameBytes(candidate.getPublicSSH(), attempt.key.data));
    if (!account || !key) return { kind: 'rejected' };
    if (!attempt.signature || !attempt.blob) return { kind: 'key-acceptable' };
    return key.verify(attempt.blob, attempt.signature, attempt.hashAlgo) === true ? { kind: 'accepted', account } : { kind: 'rejected' };
  }

  private decoy(): Promise<string> {
    this.decoyHash ??= hashSecret(randomBytes(24).toString('base64'));
    return this.decoyHash;
  }
}

function parsePublicKey(line: string): ParsedKey | undefined {
  const parsed: unknown = utils.parseKey(line.trim());
  const key = Array.isArray(parsed) ? (parsed[0] as unknown) : parsed;
  return key instanceof Error || !key ? undefined : (key as ParsedKey);
}

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
