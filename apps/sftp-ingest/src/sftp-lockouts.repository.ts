import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** Thresholds of the lockout rule (see SftpIngestConfig). */
export interface LockoutPolicy {
  usernameFailures: number;
  addressFailures: number;
  windowSeconds: number;
  lockoutSeconds: number;
}

export interface ActiveLocks {
  username: boolean;
  address: boolean;
}

export interface LoginFailure {
  username: string;
  address: string;
  /** The integration the username belongs to; null for an unknown username. */
  integrationId: string | null;
}

export interface NewLockout {
  kind: 'username' | 'address';
  subject: string;
  failures: number;
  lockedUntil: Date;
}

/**
 * Refused logins and the lockouts they lead to, in PostgreSQL so that every sftp-ingest instance
 * sees the same counts and locks. A port, so the login rules can be tested without a database.
 */
export abstract class SftpLockouts {
  /** Whether the username, and the address, are locked right now. */
  abstract active(username: string, address: string): Promise<ActiveLocks>;
  /** Records a refused login; locks its username and/or address when their threshold is reached. */
  abstract recordFailure(failure: LoginFailure, policy: LockoutPolicy): Promise<NewLockout[]>;
}

/** Usernames are stored at most this long: an attacker's junk usernames stay small. */
const MAX_SUBJECT_LENGTH = 200;
/** Lockouts ended this long ago are removed. */
const KEEP_ENDED_LOCKOUTS_DAYS = 30;
const PRUNE_EVERY_MS = 60_000;

@Injectable()
export class TypeOrmSftpLockouts extends SftpLockouts {
  private lastPrune = 0;

  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async active(username: string, address: string): Promise<ActiveLocks> {
    const rows: Array<{ kind: 'username' | 'address' }> = await this.dataSource.query(
      `SELECT DISTINCT kind FROM sftp_lockouts
        WHERE lifted_at IS NULL AND locked_until > clock_timestamp()
          AND ((kind = 'username' AND subject = $1) OR (kind = 'address' AND subject = $2))`,
      [subject(username), address],
    );
    return { username: rows.some((row) => row.kind === 'username'), address: rows.some((row) => row.kind === 'address') };
  }

  async recordFailure(failure: LoginFailure, policy: LockoutPolicy): Promise<NewLockout[]> {
    const username = subject(failure.username);
    await this.dataSource.query('INSERT INTO sftp_login_failures (username, address, integration_id) VALUES ($1, $2, $3)', [username, failure.address, failure.integrationId]);
    const locked: NewLockout[] = [];
    for (const [kind, value, threshold] of [
      ['username', username, policy.usernameFailures],
      ['address', failure.address, policy.addressFailures],
    ] as const) {
      // Failures of the window since the subject's last lockout began (attempts while locked are not
      // checked, so not recorded): an ended or lifted lockout starts a fresh count.
      const rows: Array<{ failures: number; locked_until: Date }> = await this.dataSource.query(
        `INSERT INTO sftp_lockouts (kind, subject, integration_ids, failures, locked_until)
         SELECT $1, $2, COALESCE(array_agg(DISTINCT f.integration_id) FILTER (WHERE f.integration_id IS NOT NULL), '{}'), count(*),
                clock_timestamp() + make_interval(secs => $5)
           FROM sftp_login_failures f
          WHERE f.${kind} = $2
            AND f.failed_at > clock_timestamp() - make_interval(secs => $4)
            AND f.failed_at > COALESCE((SELECT max(l.locked_at) FROM sftp_lockouts l WHERE l.kind = $1 AND l.subject = $2), '-infinity')
         HAVING count(*) >= $3
            AND NOT EXISTS (SELECT 1 FROM sftp_lockouts l WHERE l.kind = $1 AND l.subject = $2 AND l.lifted_at IS NULL AND l.locked_until > clock_timestamp())
         RETURNING failures, locked_until`,
        [kind, value, threshold, policy.windowSeconds, policy.lockoutSeconds],
      );
      if (rows[0]) locked.push({ kind, subject: value, failures: rows[0].failures, lockedUntil: rows[0].locked_until });
    }
    await this.prune(policy);
    return locked;
  }

  private async prune(policy: LockoutPolicy): Promise<void> {
    if (Date.now() - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = Date.now();
    await this.dataSource.query('DELETE FROM sftp_login_failures WHERE failed_at < clock_timestamp() - make_interval(secs => $1)', [policy.windowSeconds]);
    await this.dataSource.query(`DELETE FROM sftp_lockouts WHERE locked_until < clock_timestamp() - make_interval(days => $1)`, [KEEP_ENDED_LOCKOUTS_DAYS]);
  }
}

function subject(username: string): string {
  return username.slice(0, MAX_SUBJECT_LENGTH);
}
