import type { Queryable } from './integration.repository';

/** What a lockout locks: an SFTP username's password logins, or a source address. */
export type SftpLockoutKind = 'username' | 'address';

/** Thresholds of the lockout rule (sftp-ingest's SftpIngestConfig). */
export interface SftpLockoutPolicy {
  usernameFailures: number;
  addressFailures: number;
  windowSeconds: number;
  lockoutSeconds: number;
}

/** Whether a login's username, and its address, are locked right now. */
export interface ActiveSftpLocks {
  username: boolean;
  address: boolean;
}

/** A refused SFTP login. */
export interface SftpLoginFailure {
  username: string;
  address: string;
  /** The integration the username belongs to; null for an unknown username. */
  integrationId: string | null;
}

/** A lockout a refused login just began. */
export interface NewSftpLockout {
  kind: SftpLockoutKind;
  subject: string;
  failures: number;
  lockedUntil: Date;
}

/** An active lockout as a manager sees it on the integration it concerns. */
export interface SftpLockoutRecord {
  id: string;
  kind: SftpLockoutKind;
  subject: string;
  failures: number;
  lockedAt: Date;
  lockedUntil: Date;
}

/** Usernames are stored at most this long: an attacker's junk usernames stay small. */
const MAX_SUBJECT_LENGTH = 200;
/** Lockouts ended this long ago are removed. */
const KEEP_ENDED_LOCKOUTS_DAYS = 30;
/** A lockout in force (of the table, or of its alias `l`): not lifted by a manager, not run out. */
const ACTIVE_SQL = 'lifted_at IS NULL AND locked_until > clock_timestamp()';
const ACTIVE_L_SQL = 'l.lifted_at IS NULL AND l.locked_until > clock_timestamp()';
/** What concerns an integration ($1 its id, $2 its username): lockouts of its username, and of addresses its username failed from. */
const CONCERNS_SQL = `(($1::uuid = ANY(integration_ids)) OR (kind = 'username' AND subject = $2))`;

/**
 * The one owner of the `sftp_login_failures` and `sftp_lockouts` tables' SQL: sftp-ingest records
 * refused logins and checks locks through here, config-api lists and lifts an integration's
 * lockouts, so both read the rows as the other writes them. Each method runs on what it was built
 * with: the DataSource, or a transaction's EntityManager.
 */
export class SftpLockoutRepository {
  constructor(private readonly db: Queryable) {}

  /** Whether the username, and the address, are locked right now. */
  async active(username: string, address: string): Promise<ActiveSftpLocks> {
    const rows: Array<{ kind: SftpLockoutKind }> = await this.db.query(
      `SELECT DISTINCT kind FROM sftp_lockouts
        WHERE ${ACTIVE_SQL}
          AND ((kind = 'username' AND subject = $1) OR (kind = 'address' AND subject = $2))`,
      [subject(username), address],
    );
    return { username: rows.some((row) => row.kind === 'username'), address: rows.some((row) => row.kind === 'address') };
  }

  /** Records a refused login; locks its username and/or address when their threshold is reached, and returns those lockouts. */
  async recordFailure(failure: SftpLoginFailure, policy: SftpLockoutPolicy): Promise<NewSftpLockout[]> {
    const username = subject(failure.username);
    await this.db.query('INSERT INTO sftp_login_failures (username, address, integration_id) VALUES ($1, $2, $3)', [username, failure.address, failure.integrationId]);
    const locked: NewSftpLockout[] = [];
    for (const [kind, value, threshold] of [
      ['username', username, policy.usernameFailures],
      ['address', failure.address, policy.addressFailures],
    ] as const) {
      // Failures of the window since the subject's last lockout began (attempts while locked are not
      // checked, so not recorded): an ended or lifted lockout starts a fresh count.
      const rows: Array<{ failures: number; locked_until: Date }> = await this.db.query(
        `INSERT INTO sftp_lockouts (kind, subject, integration_ids, failures, locked_until)
         SELECT $1, $2, COALESCE(array_agg(DISTINCT f.integration_id) FILTER (WHERE f.integration_id IS NOT NULL), '{}'), count(*),
                clock_timestamp() + make_interval(secs => $5)
           FROM sftp_login_failures f
          WHERE f.${kind} = $2
            AND f.failed_at > clock_timestamp() - make_interval(secs => $4)
            AND f.failed_at > COALESCE((SELECT max(l.locked_at) FROM sftp_lockouts l WHERE l.kind = $1 AND l.subject = $2), '-infinity')
         HAVING count(*) >= $3
            AND NOT EXISTS (SELECT 1 FROM sftp_lockouts l WHERE l.kind = $1 AND l.subject = $2 AND ${ACTIVE_L_SQL})
         RETURNING failures, locked_until`,
        [kind, value, threshold, policy.windowSeconds, policy.lockoutSeconds],
      );
      if (rows[0]) locked.push({ kind, subject: value, failures: rows[0].failures, lockedUntil: rows[0].locked_until });
    }
    return locked;
  }

  /** Removes the failures older than the window (no lockout counts them any more) and the lockouts ended 30 days ago. */
  async prune(windowSeconds: number): Promise<void> {
    await this.db.query('DELETE FROM sftp_login_failures WHERE failed_at < clock_timestamp() - make_interval(secs => $1)', [windowSeconds]);
    await this.db.query('DELETE FROM sftp_lockouts WHERE locked_until < clock_timestamp() - make_interval(days => $1)', [KEEP_ENDED_LOCKOUTS_DAYS]);
  }

  /** The active lockouts concerning the integration, newest first. */
  async activeConcerning(integration: { id: string; sftpUsername: string }): Promise<SftpLockoutRecord[]> {
    const rows: Array<{ id: string; kind: SftpLockoutKind; subject: string; failures: number; locked_at: Date; locked_until: Date }> = await this.db.query(
      `SELECT id, kind, subject, failures, locked_at, locked_until FROM sftp_lockouts WHERE ${CONCERNS_SQL} AND ${ACTIVE_SQL} ORDER BY locked_at DESC, id`,
      [integration.id, integration.sftpUsername],
    );
    return rows.map((row) => ({ id: row.id, kind: row.kind, subject: row.subject, failures: row.failures, lockedAt: row.locked_at, lockedUntil: row.locked_until }));
  }

  /** Lifts an active lockout concerning the integration at once (sftp-ingest reads lockouts at every login); false when there is none such. */
  async lift(integration: { id: string; sftpUsername: string }, lockoutId: string): Promise<boolean> {
    const rows: unknown[] = await this.db.query(
      // As a SELECT, so the driver answers with the rows (for an UPDATE it answers [rows, count]).
      `WITH lifted AS (UPDATE sftp_lockouts SET lifted_at = clock_timestamp() WHERE id = $3 AND ${CONCERNS_SQL} AND ${ACTIVE_SQL} RETURNING id) SELECT id FROM lifted`,
      [integration.id, integration.sftpUsername, lockoutId],
    );
    return rows.length > 0;
  }
}

function subject(username: string): string {
  return username.slice(0, MAX_SUBJECT_LENGTH);
}
