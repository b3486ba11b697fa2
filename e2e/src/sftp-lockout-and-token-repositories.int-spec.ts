import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { ApiTokenRepository, SftpLockoutRepository, type SftpLockoutPolicy } from '@bpo/persistence';
import { hashToken } from '@bpo/service-kit';
import { arrangeOrganization, Db, issueApiToken } from './support/fixtures';
import { repositoryTestDatabase } from './support/repository-test-database';

const POLICY: SftpLockoutPolicy = { usernameFailures: 3, addressFailures: 5, windowSeconds: 600, lockoutSeconds: 900 };

/** The one owners of the `sftp_login_failures`/`sftp_lockouts` and `api_tokens` tables' SQL, against the real PostgreSQL. */
describe('SftpLockoutRepository and ApiTokenRepository on the real PostgreSQL', () => {
  const testDatabase = repositoryTestDatabase();
  let dataSource: DataSource;
  let db: Db;
  let lockouts: SftpLockoutRepository;
  let tokens: ApiTokenRepository;

  beforeAll(() => {
    ({ dataSource, db } = testDatabase);
    lockouts = new SftpLockoutRepository(dataSource);
    tokens = new ApiTokenRepository(dataSource);
  });

  it('locks a username, then an address, at their thresholds, once each, and shows them on the integration they concern', async () => {
    const setup = await arrangeOrganization(db);
    const other = await arrangeOrganization(db);
    const integration = { id: setup.integrationId, sftpUsername: setup.sftpUsername };
    const address = '192.0.2.77';
    const failure = { username: setup.sftpUsername, address, integrationId: setup.integrationId };

    expect(await lockouts.recordFailure(failure, POLICY)).toEqual([]);
    expect(await lockouts.recordFailure(failure, POLICY)).toEqual([]);
    expect(await lockouts.active(setup.sftpUsername, address)).toEqual({ username: false, address: false });
    const [byUsername, ...more] = await lockouts.recordFailure(failure, POLICY);
    expect(more).toEqual([]);
    expect(byUsername).toEqual({ kind: 'username', subject: setup.sftpUsername, failures: 3, lockedUntil: expect.any(Date) });
    expect(Math.abs(byUsername.lockedUntil.getTime() - (Date.now() + POLICY.lockoutSeconds * 1000))).toBeLessThan(10_000);
    expect(await lockouts.active(setup.sftpUsername, '198.51.100.7')).toEqual({ username: true, address: false });

    // A locked username is not locked again; an unknown username's failures count for the address.
    expect(await lockouts.recordFailure(failure, POLICY)).toEqual([]);
    expect(await lockouts.recordFailure({ username: 'ghost', address, integrationId: null }, POLICY)).toEqual([
      { kind: 'address', subject: address, failures: 5, lockedUntil: expect.any(Date) },
    ]);
    expect(await lockouts.active('ghost', address)).toEqual({ username: false, address: true });

    const shown = await lockouts.activeConcerning(integration);
    expect(shown.map(({ kind, subject, failures }) => ({ kind, subject, failures }))).toEqual([
      { kind: 'address', subject: address, failures: 5 },
      { kind: 'username', subject: setup.sftpUsername, failures: 3 },
    ]);
    expect(shown.every((lockout) => lockout.lockedAt instanceof Date && lockout.lockedUntil > lockout.lockedAt)).toBe(true);
    expect(await lockouts.activeConcerning({ id: other.integrationId, sftpUsername: other.sftpUsername })).toEqual([]);
    const [{ integration_ids }] = await db.query<{ integration_ids: string[] }>(`SELECT integration_ids FROM sftp_lockouts WHERE kind = 'address' AND subject = $1`, [address]);
    expect(integration_ids).toEqual([setup.integrationId]);
  });

  it('lifts a lockout only for an integration it concerns, after which the count starts afresh', async () => {
    const setup = await arrangeOrganization(db);
    const other = await arrangeOrganization(db);
    const integration = { id: setup.integrationId, sftpUsername: setup.sftpUsername };
    const failure = { username: setup.sftpUsername, address: '203.0.113.9', integrationId: setup.integrationId };
    const policy = { ...POLICY, addressFailures: 100 };
    for (let attempt = 0; attempt < policy.usernameFailures; attempt++) await lockouts.recordFailure(failure, policy);
    const [lockout] = await lockouts.activeConcerning(integration);
    expect(lockout).toMatchObject({ kind: 'username', subject: setup.sftpUsername });

    expect(await lockouts.lift({ id: other.integrationId, sftpUsername: other.sftpUsername }, lockout.id)).toBe(false);
    expect(await lockouts.lift(integration, randomUUID())).toBe(false);
    expect(await lockouts.lift(integration, lockout.id)).toBe(true);
    expect(await lockouts.lift(integration, lockout.id)).toBe(false);
    expect(await lockouts.active(setup.sftpUsername, '203.0.113.10')).toEqual({ username: false, address: false });
    expect(await lockouts.activeConcerning(integration)).toEqual([]);

    // The three failures before the lockout no longer count: two more do not lock, a third does.
    expect(await lockouts.recordFailure(failure, policy)).toEqual([]);
    expect(await lockouts.recordFailure(failure, policy)).toEqual([]);
    expect(await lockouts.recordFailure(failure, policy)).toEqual([expect.objectContaining({ kind: 'username', failures: 3 })]);
  });

  it('counts only the window, stores long usernames cut, and prunes old failures and long-ended lockouts', async () => {
    const long = `x${'y'.repeat(250)}`;
    const address = '198.51.100.200';
    await lockouts.recordFailure({ username: long, address, integrationId: null }, POLICY);
    await lockouts.recordFailure({ username: long, address, integrationId: null }, POLICY);
    // Those two fall out of the window: the third failure alone does not lock.
    await db.query(`UPDATE sftp_login_failures SET failed_at = failed_at - interval '1 hour' WHERE address = $1`, [address]);
    expect(await lockouts.recordFailure({ username: long, address, integrationId: null }, POLICY)).toEqual([]);
    const locked = await lockouts.recordFailure({ username: long, address, integrationId: null }, { ...POLICY, usernameFailures: 2 });
    expect(locked).toEqual([{ kind: 'username', subject: long.slice(0, 200), failures: 2, lockedUntil: expect.any(Date) }]);
    expect(await lockouts.active(long, '192.0.2.1')).toEqual({ username: true, address: false });

    const { id: endedLongAgo } = await db.one<{ id: string }>(
      `INSERT INTO sftp_lockouts (kind, subject, failures, locked_at, locked_until) VALUES ('address', '192.0.2.250', 9, now() - interval '40 days', now() - interval '31 days') RETURNING id`,
    );
    const { id: endedLately } = await db.one<{ id: string }>(
      `INSERT INTO sftp_lockouts (kind, subject, failures, locked_at, locked_until) VALUES ('address', '192.0.2.251', 9, now() - interval '3 days', now() - interval '2 days') RETURNING id`,
    );
    await lockouts.prune(POLICY.windowSeconds);
    expect(await db.query<{ count: number }>(`SELECT count(*)::int AS count FROM sftp_login_failures WHERE address = $1`, [address])).toEqual([{ count: 2 }]);
    const kept = (await db.query<{ id: string }>('SELECT id FROM sftp_lockouts WHERE id = ANY($1::uuid[])', [[endedLongAgo, endedLately]])).map((row) => row.id);
    expect(kept).toEqual([endedLately]);
    expect(await lockouts.active(long, '192.0.2.1')).toEqual({ username: true, address: false });
  });

  it("finds a token by its hash, recording its use at most once a minute, and answers its name with its organization's", async () => {
    const setup = await arrangeOrganization(db, { timezone: 'Asia/Manila' });
    const token = await issueApiToken(db, setup.organizationId, 'manager');
    const { id: tokenId } = await db.one<{ id: string }>('SELECT id FROM api_tokens WHERE token_hash = $1', [hashToken(token)]);
    const lastUsed = async () => (await db.one<{ last_used_at: Date | null }>('SELECT last_used_at FROM api_tokens WHERE id = $1', [tokenId])).last_used_at;
    expect(await lastUsed()).toBeNull();

    expect(await tokens.useByHash(hashToken(token))).toEqual({ tokenId, organizationId: setup.organizationId, role: 'manager' });
    const first = await lastUsed();
    expect(first).toBeInstanceOf(Date);
    await tokens.useByHash(hashToken(token));
    expect(await lastUsed()).toEqual(first);
    await db.query(`UPDATE api_tokens SET last_used_at = now() - interval '2 minutes' WHERE id = $1`, [tokenId]);
    await tokens.useByHash(hashToken(token));
    expect((await lastUsed())!.getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(await tokens.useByHash(hashToken('bpo_unknown'))).toBeNull();

    expect(await tokens.owner(setup.organizationId, tokenId)).toEqual({
      organization: { id: setup.organizationId, name: 'Acme', timezone: 'Asia/Manila' },
      token: { id: tokenId, name: 'test manager' },
    });
    const other = await arrangeOrganization(db);
    expect(await tokens.owner(other.organizationId, tokenId)).toBeNull();
    expect(await tokens.owner(setup.organizationId, randomUUID())).toBeNull();
  });

  it("locks and counts the organization's admin tokens in a transaction", async () => {
    const setup = await arrangeOrganization(db);
    await issueApiToken(db, setup.organizationId, 'admin');
    await issueApiToken(db, setup.organizationId, 'admin');
    await issueApiToken(db, setup.organizationId, 'manager');
    const bare = await arrangeOrganization(db);
    await issueApiToken(db, bare.organizationId, 'manager');

    await dataSource.transaction(async (manager) => {
      expect(await new ApiTokenRepository(manager).lockAdmins(setup.organizationId)).toBe(2);
      expect(await new ApiTokenRepository(manager).lockAdmins(bare.organizationId)).toBe(0);
      // Another connection cannot lock the admin tokens until this transaction ends; the manager token stays free.
      const free = await db.query<{ role: string }>('SELECT role FROM api_tokens WHERE organization_id = $1 FOR UPDATE SKIP LOCKED', [setup.organizationId]);
      expect(free).toEqual([{ role: 'manager' }]);
    });
  });
});
