import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { IntegrationRepository } from '@bpo/persistence';
import { arrangeOrganization, Db } from './support/fixtures';
import { repositoryTestDatabase } from './support/repository-test-database';

/** The one owner of the `integrations` table's SQL for the services, against the real PostgreSQL. */
describe('IntegrationRepository on the real PostgreSQL', () => {
  const testDatabase = repositoryTestDatabase();
  let dataSource: DataSource;
  let db: Db;
  let integrations: IntegrationRepository;

  beforeAll(() => {
    ({ dataSource, db } = testDatabase);
    integrations = new IntegrationRepository(dataSource);
  });

  it('reads the settings with the site zone and the default schedule when the integration names neither, and only for its organization', async () => {
    const setup = await arrangeOrganization(db, { platform: 'nice_iex', timezone: 'Asia/Manila' });
    expect(await integrations.settings(setup.integrationId)).toEqual({
      id: setup.integrationId,
      organizationId: setup.organizationId,
      siteId: setup.siteId,
      platform: 'nice_iex',
      timezone: 'Asia/Manila',
      siteTimezone: 'Asia/Manila',
      dateOrder: 'YYYY-MM-DD',
      encoding: 'utf-8',
      titleLines: 0,
      syncPastEvents: false,
      replaceScope: 'agents_in_file',
      defaultEventTypeId: null,
      scheduleId: setup.scheduleId,
    });
    const { id: testSchedule } = await db.one<{ id: string }>(`INSERT INTO schedules (organization_id, name, is_default) VALUES ($1, 'Test', false) RETURNING id`, [setup.organizationId]);
    await db.query(`UPDATE integrations SET timezone = 'Europe/Berlin', target_schedule_id = $2, default_event_type_id = $3, sync_past_events = true WHERE id = $1`, [
      setup.integrationId,
      testSchedule,
      setup.eventTypes.Phones,
    ]);
    expect(await integrations.settings(setup.integrationId, setup.organizationId)).toMatchObject({
      timezone: 'Europe/Berlin',
      siteTimezone: 'Asia/Manila',
      scheduleId: testSchedule,
      defaultEventTypeId: setup.eventTypes.Phones,
      syncPastEvents: true,
    });
    expect(await integrations.settings(setup.integrationId, randomUUID())).toBeNull();
    expect(await integrations.settings(randomUUID())).toBeNull();
  });

  it("finds the sites' integrations, lists them, counts default mappings and locks the row in a transaction", async () => {
    const first = await arrangeOrganization(db, { platform: 'verint' });
    const second = await arrangeOrganization(db, { platform: 'injixo' });
    const { id: bare } = await db.one<{ id: string }>(`INSERT INTO sites (organization_id, name, timezone, is_bpo) VALUES ($1, 'No integration', 'UTC', true) RETURNING id`, [first.organizationId]);
    const bySite = await integrations.bySite([first.siteId, second.siteId, bare]);
    expect(Object.fromEntries(bySite)).toEqual({ [first.siteId]: { id: first.integrationId, platform: 'verint' }, [second.siteId]: { id: second.integrationId, platform: 'injixo' } });
    expect(await integrations.bySite([])).toEqual(new Map());
    expect((await integrations.listing({ organizationId: first.organizationId })).map((row) => [row.id, row.site_name, row.platform, row.ssh_key_count])).toEqual([
      [first.integrationId, 'Manila BPO', 'verint', 0],
    ]);
    expect(await integrations.listing({ integrationId: second.integrationId })).toEqual([expect.objectContaining({ id: second.integrationId, site_id: second.siteId, sftp_username: second.sftpUsername })]);

    expect(await integrations.countDefaultMappingsTo(first.eventTypes.Break)).toBe(0);
    await db.query('UPDATE integrations SET default_event_type_id = $2 WHERE id = $1', [first.integrationId, first.eventTypes.Break]);
    expect(await integrations.countDefaultMappingsTo(first.eventTypes.Break)).toBe(1);

    await dataSource.transaction(async (manager) => {
      expect(await new IntegrationRepository(manager).lock(first.integrationId, 'update')).toBe(true);
      expect(await new IntegrationRepository(manager).lock(randomUUID(), 'no-key-update')).toBe(false);
      // Another connection cannot lock the row until this transaction ends.
      const blocked = await db.query<{ id: string }>('SELECT id FROM integrations WHERE id = $1 FOR UPDATE SKIP LOCKED', [first.integrationId]);
      expect(blocked).toEqual([]);
    });
  });

  it('finds an SFTP account with its keys, and logs arrivals: never backwards, ending a silence', async () => {
    const setup = await arrangeOrganization(db);
    await db.query(`INSERT INTO integration_ssh_keys (integration_id, algorithm, public_key, fingerprint) VALUES ($1, 'ssh-ed25519', 'ssh-ed25519 AAAAtest ci', 'SHA256:test')`, [setup.integrationId]);
    expect(await integrations.sftpAccount(setup.sftpUsername)).toEqual({
      integrationId: setup.integrationId,
      organizationId: setup.organizationId,
      siteId: setup.siteId,
      platform: 'custom',
      username: setup.sftpUsername,
      passwordHash: expect.any(String),
      publicKeys: ['ssh-ed25519 AAAAtest ci'],
    });
    expect(await integrations.sftpAccount('nobody')).toBeNull();

    await db.query(`UPDATE integrations SET stale_since = now() WHERE id = $1`, [setup.integrationId]);
    await integrations.recordFileArrival(setup.integrationId, '2026-12-01T10:00:00Z');
    await integrations.recordFileArrival(setup.integrationId, '2026-12-01T09:00:00Z');
    const [row] = await db.query<{ last: Date; stale: Date | null }>('SELECT last_file_received_at AS last, stale_since AS stale FROM integrations WHERE id = $1', [setup.integrationId]);
    expect([row.last.toISOString(), row.stale]).toEqual(['2026-12-01T10:00:00.000Z', null]);
  });

  it('marks overdue integrations stale once, from their deadline, and clears those no longer overdue', async () => {
    const setup = await arrangeOrganization(db, { platform: 'alvaria' });
    const lastFile = new Date(Date.now() - 3 * 3_600_000);
    await db.query('UPDATE integrations SET last_file_received_at = $2, expected_cadence_minutes = 15 WHERE id = $1', [setup.integrationId, lastFile]);
    const before = await integrations.countStale();
    const marked = (await integrations.markStale(4, 500)).filter((stale) => stale.id === setup.integrationId);
    expect(marked).toEqual([
      {
        id: setup.integrationId,
        organizationId: setup.organizationId,
        siteId: setup.siteId,
        platform: 'alvaria',
        staleSince: new Date(lastFile.getTime() + 60 * 60_000),
        lastFileReceivedAt: lastFile,
        expectedCadenceMinutes: 15,
      },
    ]);
    expect((await integrations.markStale(4, 500)).filter((stale) => stale.id === setup.integrationId)).toEqual([]);
    expect(await integrations.countStale()).toBeGreaterThan(before);
    // The manager says this BPO sends daily: no longer overdue.
    await db.query('UPDATE integrations SET expected_cadence_minutes = 1440 WHERE id = $1', [setup.integrationId]);
    expect(await integrations.clearNoLongerStale(4)).toBeGreaterThanOrEqual(1);
    const [{ stale }] = await db.query<{ stale: Date | null }>('SELECT stale_since AS stale FROM integrations WHERE id = $1', [setup.integrationId]);
    expect(stale).toBeNull();
  });

  it("counts each statement that changes its site's agent IDs, whatever it changes, and no other site's", async () => {
    const setup = await arrangeOrganization(db);
    const other = await arrangeOrganization(db);
    const version = async () => Number(await integrations.agentIdsVersion(setup.integrationId));
    const otherBefore = await integrations.agentIdsVersion(other.integrationId);
    const before = await version();
    // One statement over two rows counts once.
    await db.query(`UPDATE agent_platform_ids SET platform_agent_id = platform_agent_id || 'x' WHERE site_id = $1 AND platform_agent_id IN ('A1', 'A2')`, [setup.siteId]);
    expect(await version()).toBe(before + 1);
    await db.query(`DELETE FROM agent_platform_ids WHERE site_id = $1 AND platform_agent_id = 'A3'`, [setup.siteId]);
    expect(await version()).toBe(before + 2);
    await db.query(`INSERT INTO agent_platform_ids (agent_id, site_id, field, platform_agent_id) VALUES ($1, $2, 'custom_platform_sftp', 'A3')`, [setup.agents.A3, setup.siteId]);
    expect(await version()).toBe(before + 3);
    // Deleting an agent takes its IDs along: a change too.
    await db.query('DELETE FROM agents WHERE id = $1', [setup.agents.A3]);
    expect(await version()).toBe(before + 4);
    expect(await integrations.agentIdsVersion(other.integrationId)).toBe(otherBefore);
    expect(await integrations.agentIdsVersion(randomUUID())).toBeNull();
  });
});
