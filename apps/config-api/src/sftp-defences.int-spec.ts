import { utils } from 'ssh2';
import { createTestDatabase, startTestService, uniqueName, type RunningService, type TestDatabase } from '@bpo/testing';
import { configApiService } from './config-api.service-definition';
import { createIntegratedSite, createOrganization, expectProblem, OPERATOR_TOKEN, withDatabase, type TestOrganization } from './testing/config-api-test-kit';

/** ssh2's generator sometimes writes a 31-byte ed25519 key (a leading zero dropped): draw again then. */
function ed25519Public(comment: string): string {
  for (;;) {
    const pair = utils.generateKeyPairSync('ed25519', { comment });
    if (!(utils.parseKey(pair.public) instanceof Error)) return pair.public;
  }
}

/** A lockout as sftp-ingest records it. */
async function insertLockout(databaseUrl: string, lockout: { kind: 'username' | 'address'; subject: string; integrationIds: string[]; lockedUntilSeconds: number }): Promise<string> {
  return withDatabase(databaseUrl, async (db) => {
    const { rows } = await db.query(
      `INSERT INTO sftp_lockouts (kind, subject, integration_ids, failures, locked_until) VALUES ($1, $2, $3, 5, clock_timestamp() + make_interval(secs => $4)) RETURNING id`,
      [lockout.kind, lockout.subject, lockout.integrationIds, lockout.lockedUntilSeconds],
    );
    return rows[0].id;
  });
}

describe('config-api: SFTP defences (lockouts, SSH key count and size)', () => {
  let database: TestDatabase;
  let service: RunningService;
  let org: TestOrganization;

  beforeAll(async () => {
    database = await createTestDatabase();
    service = await startTestService(configApiService, { databaseUrl: database.url, namespace: uniqueName('config-api'), env: { OPERATOR_TOKEN, SSH_KEYS_MAX_PER_INTEGRATION: '3' } });
    org = await createOrganization(service.url, 'Acme');
  });
  afterAll(async () => {
    await service?.stop();
    await database?.drop();
  });

  it('shows a manager the active lockouts of an integration and lifts one', async () => {
    const { integrationId, username } = await createIntegratedSite(org.as.manager, 'Manila BPO');
    const other = await createIntegratedSite(org.as.manager, 'Bogota BPO');
    const byUsername = await insertLockout(database.url, { kind: 'username', subject: username, integrationIds: [integrationId], lockedUntilSeconds: 900 });
    const byAddress = await insertLockout(database.url, { kind: 'address', subject: '203.0.113.9', integrationIds: [integrationId, other.integrationId], lockedUntilSeconds: 900 });
    await insertLockout(database.url, { kind: 'username', subject: username, integrationIds: [integrationId], lockedUntilSeconds: -60 }); // over
    await insertLockout(database.url, { kind: 'username', subject: other.username, integrationIds: [other.integrationId], lockedUntilSeconds: 900 }); // someone else's

    const list = await org.as.manager.get(`/v1/integrations/${integrationId}/sftp-lockouts`).expect(200);
    expect(list.body.items.map((item: { id: string }) => item.id).sort()).toEqual([byUsername, byAddress].sort());
    expect(list.body.items.find((item: { id: string }) => item.id === byUsername)).toEqual({
      id: byUsername,
      kind: 'username',
      subject: username,
      failures: 5,
      lockedAt: expect.any(String),
      lockedUntil: expect.any(String),
    });
    expectProblem(await org.as.lead.get(`/v1/integrations/${integrationId}/sftp-lockouts`), 403);

    await org.as.manager.delete(`/v1/integrations/${integrationId}/sftp-lockouts/${byUsername}`).expect(204);
    const after = await org.as.manager.get(`/v1/integrations/${integrationId}/sftp-lockouts`).expect(200);
    expect(after.body.items.map((item: { id: string }) => item.id)).toEqual([byAddress]);
    const lifted = await withDatabase(database.url, async (db) => (await db.query('SELECT lifted_at FROM sftp_lockouts WHERE id = $1', [byUsername])).rows[0]);
    expect(lifted.lifted_at).toBeInstanceOf(Date);
    expectProblem(await org.as.manager.delete(`/v1/integrations/${integrationId}/sftp-lockouts/${byUsername}`), 404);

    // Another organization sees nothing and lifts nothing.
    const initech = await createOrganization(service.url, 'Initech');
    expectProblem(await initech.as.manager.get(`/v1/integrations/${integrationId}/sftp-lockouts`), 404);
    const theirs = await createIntegratedSite(initech.as.manager, 'Their BPO');
    expectProblem(await initech.as.manager.delete(`/v1/integrations/${theirs.integrationId}/sftp-lockouts/${byAddress}`), 404);
    expect((await org.as.manager.get(`/v1/integrations/${integrationId}/sftp-lockouts`).expect(200)).body.items).toHaveLength(1);
  });

  it('refuses an SSH key past the per-integration maximum with a 409 problem, and takes one again once a key is deleted', async () => {
    const { integrationId } = await createIntegratedSite(org.as.manager, 'Keys BPO');
    const added = [];
    for (let index = 0; index < 3; index += 1) {
      added.push((await org.as.manager.post(`/v1/integrations/${integrationId}/ssh-keys`).send({ publicKey: ed25519Public(`k${index}`) }).expect(201)).body);
    }
    const refused = await org.as.manager.post(`/v1/integrations/${integrationId}/ssh-keys`).send({ publicKey: ed25519Public('one too many') });
    expectProblem(refused, 409);
    expect(refused.body).toMatchObject({ code: 'ssh_key_limit', detail: 'an integration may hold at most 3 SSH keys: delete one it no longer uses first' });
    // Concurrent adds cannot slip past the maximum either.
    await org.as.manager.delete(`/v1/integrations/${integrationId}/ssh-keys/${added[0].id}`).expect(204);
    const racing = await Promise.all([1, 2, 3].map((index) => org.as.manager.post(`/v1/integrations/${integrationId}/ssh-keys`).send({ publicKey: ed25519Public(`race${index}`) })));
    expect(racing.map((response) => response.status).sort()).toEqual([201, 409, 409]);
    expect((await org.as.basic.get(`/v1/integrations/${integrationId}/ssh-keys`).expect(200)).body.items).toHaveLength(3);
  });

  it('refuses an RSA key shorter than 2048 bits with a 400 problem, and takes a 2048-bit one', async () => {
    const { integrationId } = await createIntegratedSite(org.as.manager, 'RSA BPO');
    const short = await org.as.manager.post(`/v1/integrations/${integrationId}/ssh-keys`).send({ publicKey: utils.generateKeyPairSync('rsa', { bits: 1024 }).public });
    expectProblem(short, 400);
    expect(short.body).toMatchObject({ code: 'invalid_ssh_key', detail: 'this RSA key has 1024 bits; at least 2048 are needed (or use an ed25519 key)' });
    const long = await org.as.manager.post(`/v1/integrations/${integrationId}/ssh-keys`).send({ publicKey: utils.generateKeyPairSync('rsa', { bits: 2048 }).public }).expect(201);
    expect(long.body.algorithm).toBe('ssh-rsa');
  });
});
