import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { AgentRepository } from '@bpo/persistence';
import { arrangeOrganization, Db, type Setup } from './support/fixtures';
import { repositoryTestDatabase } from './support/repository-test-database';

/** The one owner of the `agents` and `agent_platform_ids` SQL, against the real PostgreSQL. */
describe('AgentRepository on the real PostgreSQL', () => {
  const testDatabase = repositoryTestDatabase();
  let dataSource: DataSource;
  let db: Db;
  let agents: AgentRepository;

  beforeAll(() => {
    ({ dataSource, db } = testDatabase);
    agents = new AgentRepository(dataSource);
  });

  /** The site's agent-ID version: it moves once per statement that changes the site's IDs. */
  const version = async (setup: Setup) => Number((await db.one<{ v: string }>('SELECT agent_ids_version::text AS v FROM sites WHERE id = $1', [setup.siteId])).v);
  const idsOf = async (setup: Setup) =>
    (await db.query<{ agent_id: string; field: string; platform_agent_id: string }>(
      'SELECT agent_id, field, platform_agent_id FROM agent_platform_ids WHERE site_id = $1 ORDER BY platform_agent_id',
      [setup.siteId],
    )).map((row) => [row.agent_id, row.field, row.platform_agent_id]);

  it("finds the site's agents by their platform agent IDs in the platform's field, and no one else's", async () => {
    const setup = await arrangeOrganization(db);
    const other = await arrangeOrganization(db);
    await db.query(`INSERT INTO agent_platform_ids (agent_id, site_id, field, platform_agent_id) VALUES ($1, $2, 'verint_sftp', 'V1')`, [setup.agents.A1, setup.siteId]);
    const found = await agents.findByPlatformIds(setup.siteId, 'custom_platform_sftp', ['A1', 'A3', 'A1', 'ZZ9', 'V1']);
    expect(Object.fromEntries(found)).toEqual({ A1: setup.agents.A1, A3: setup.agents.A3 });
    expect(Object.fromEntries(await agents.findByPlatformIds(setup.siteId, 'verint_sftp', ['V1', 'A1']))).toEqual({ V1: setup.agents.A1 });
    expect(Object.fromEntries(await agents.findByPlatformIds(other.siteId, 'custom_platform_sftp', ['A2']))).toEqual({ A2: other.agents.A2 });
    expect(await agents.findByPlatformIds(setup.siteId, 'custom_platform_sftp', [])).toEqual(new Map());
    // Within a transaction, on its EntityManager, it sees the transaction's own writes.
    await dataSource.transaction(async (manager) => {
      await manager.query(`UPDATE agent_platform_ids SET platform_agent_id = 'A9' WHERE agent_id = $1`, [setup.agents.A2]);
      expect(Object.fromEntries(await new AgentRepository(manager).findByPlatformIds(setup.siteId, 'custom_platform_sftp', ['A2', 'A9']))).toEqual({ A9: setup.agents.A2 });
    });
  });

  it("lists the organization's agents by name with their IDs, filtered by site and platform ID, a page at a time", async () => {
    const setup = await arrangeOrganization(db);
    const other = await arrangeOrganization(db);
    const { id: secondSite } = await db.one<{ id: string }>(`INSERT INTO sites (organization_id, name, timezone, is_bpo) VALUES ($1, 'Cebu BPO', 'UTC', true) RETURNING id`, [setup.organizationId]);
    const { id: cebu } = await db.one<{ id: string }>(`INSERT INTO agents (organization_id, site_id, name, email) VALUES ($1, $2, 'Agent B0', 'b0@example.com') RETURNING id`, [
      setup.organizationId,
      secondSite,
    ]);
    await db.query(`INSERT INTO agent_platform_ids (agent_id, site_id, field, platform_agent_id) VALUES ($1, $2, 'verint_sftp', 'V1')`, [setup.agents.A1, setup.siteId]);
    const page = { limit: 10, offset: 0, after: null };

    const all = await agents.list(setup.organizationId, {}, page);
    expect(all.map((row) => [row.name, row.site_id, row.platform_ids])).toEqual([
      ['Agent A1', setup.siteId, { custom_platform_sftp: 'A1', verint_sftp: 'V1' }],
      ['Agent A2', setup.siteId, { custom_platform_sftp: 'A2' }],
      ['Agent A3', setup.siteId, { custom_platform_sftp: 'A3' }],
      ['Agent B0', secondSite, {}],
    ]);
    expect(all[3]).toEqual({ id: cebu, name: 'Agent B0', email: 'b0@example.com', site_id: secondSite, created_at: expect.any(Date), platform_ids: {} });
    expect((await agents.list(other.organizationId, {}, page)).map((row) => row.id)).toEqual([other.agents.A1, other.agents.A2, other.agents.A3]);

    expect((await agents.list(setup.organizationId, { siteId: secondSite }, page)).map((row) => row.id)).toEqual([cebu]);
    expect((await agents.list(setup.organizationId, { platformField: 'verint_sftp' }, page)).map((row) => row.id)).toEqual([setup.agents.A1]);
    expect((await agents.list(setup.organizationId, { platformField: 'custom_platform_sftp', platformAgentId: 'A2' }, page)).map((row) => row.id)).toEqual([setup.agents.A2]);
    expect(await agents.list(setup.organizationId, { siteId: secondSite, platformField: 'custom_platform_sftp' }, page)).toEqual([]);

    expect((await agents.list(setup.organizationId, {}, { limit: 2, offset: 1, after: null })).map((row) => row.name)).toEqual(['Agent A2', 'Agent A3']);
    const afterA2 = { name: 'Agent A2', id: setup.agents.A2 };
    expect((await agents.list(setup.organizationId, {}, { limit: 10, offset: 5, after: afterA2 })).map((row) => row.name)).toEqual(['Agent A3', 'Agent B0']);
    expect((await agents.list(setup.organizationId, { siteId: setup.siteId }, { limit: 1, offset: 0, after: afterA2 })).map((row) => row.name)).toEqual(['Agent A3']);
  });

  it('reads one agent as the API answers with it, and the agents an import names by id or email', async () => {
    const setup = await arrangeOrganization(db);
    const other = await arrangeOrganization(db);
    await db.query(`UPDATE agents SET email = 'Ana.Reyes@Example.com' WHERE id = $1`, [setup.agents.A2]);
    await db.query(`UPDATE agents SET email = 'ana.reyes@example.com' WHERE id = $1`, [other.agents.A2]);
    expect(await agents.listing(setup.agents.A2)).toEqual({
      id: setup.agents.A2,
      name: 'Agent A2',
      email: 'Ana.Reyes@Example.com',
      site_id: setup.siteId,
      created_at: expect.any(Date),
      platform_ids: { custom_platform_sftp: 'A2' },
    });
    expect(await agents.listing(randomUUID())).toBeNull();

    const named = await agents.listingByIdsOrEmails(setup.organizationId, [setup.agents.A1, other.agents.A1], ['ana.reyes@example.com', 'nobody@example.com']);
    expect(named.map((row) => row.id).sort()).toEqual([setup.agents.A1, setup.agents.A2].sort());
    expect(named.find((row) => row.id === setup.agents.A1)?.platform_ids).toEqual({ custom_platform_sftp: 'A1' });
    expect(await agents.listingByIdsOrEmails(setup.organizationId, [], [])).toEqual([]);
  });

  it("finds who holds platform agent IDs: the site's other agents, in each ID's field, or any field among sites", async () => {
    const setup = await arrangeOrganization(db);
    const other = await arrangeOrganization(db);
    await db.query(`INSERT INTO agent_platform_ids (agent_id, site_id, field, platform_agent_id) VALUES ($1, $2, 'verint_sftp', 'A2')`, [setup.agents.A1, setup.siteId]);
    const held = (agentId: string, field: string, platformAgentId: string, siteId = setup.siteId) => ({ agentId, siteId, field, platformAgentId });

    expect(await agents.holdersOf(setup.siteId, { custom_platform_sftp: 'A2', verint_sftp: 'A2' }, null)).toEqual(
      expect.arrayContaining([held(setup.agents.A2, 'custom_platform_sftp', 'A2'), held(setup.agents.A1, 'verint_sftp', 'A2')]),
    );
    expect(await agents.holdersOf(setup.siteId, { custom_platform_sftp: 'A2', verint_sftp: 'A2' }, setup.agents.A1)).toEqual([held(setup.agents.A2, 'custom_platform_sftp', 'A2')]);
    expect(await agents.holdersOf(setup.siteId, { verint_sftp: 'A3' }, null)).toEqual([]);
    expect(await agents.holdersOf(setup.siteId, {}, null)).toEqual([]);

    const among = await agents.holdersAmong([setup.siteId, other.siteId], ['A2', 'ZZ9']);
    expect(among).toHaveLength(3);
    expect(among).toEqual(
      expect.arrayContaining([
        held(setup.agents.A2, 'custom_platform_sftp', 'A2'),
        held(setup.agents.A1, 'verint_sftp', 'A2'),
        held(other.agents.A2, 'custom_platform_sftp', 'A2', other.siteId),
      ]),
    );
    expect(await agents.holdersAmong([other.siteId], ['A1'])).toEqual([held(other.agents.A1, 'custom_platform_sftp', 'A1', other.siteId)]);
    expect(await agents.holdersAmong([], ['A1'])).toEqual([]);
  });

  it("adds and removes IDs in one statement each (the site's version moves once), and refuses an ID another agent holds", async () => {
    const setup = await arrangeOrganization(db);
    const other = await arrangeOrganization(db);
    const { A1, A2, A3 } = setup.agents;
    await db.query(`INSERT INTO agent_platform_ids (agent_id, site_id, field, platform_agent_id) VALUES ($1, $2, 'verint_sftp', 'V1')`, [A1, setup.siteId]);
    const otherBefore = await version(other);
    const before = await version(setup);

    // A bulk import: the replaced IDs go in one statement, the new ones come in another.
    await agents.removePlatformIds([{ agentId: A1, field: 'custom_platform_sftp' }, { agentId: A2, field: 'custom_platform_sftp' }, { agentId: A2, field: 'verint_sftp' }]);
    expect(await version(setup)).toBe(before + 1);
    expect(await idsOf(setup)).toEqual([
      [A3, 'custom_platform_sftp', 'A3'],
      [A1, 'verint_sftp', 'V1'],
    ]);
    await agents.addPlatformIds([
      { agentId: A1, siteId: setup.siteId, field: 'custom_platform_sftp', platformAgentId: 'A2' },
      { agentId: A2, siteId: setup.siteId, field: 'custom_platform_sftp', platformAgentId: 'A1' },
      { agentId: A2, siteId: setup.siteId, field: 'verint_sftp', platformAgentId: 'V2' },
    ]);
    expect(await version(setup)).toBe(before + 2);
    expect(await idsOf(setup)).toEqual([
      [A2, 'custom_platform_sftp', 'A1'],
      [A1, 'custom_platform_sftp', 'A2'],
      [A3, 'custom_platform_sftp', 'A3'],
      [A1, 'verint_sftp', 'V1'],
      [A2, 'verint_sftp', 'V2'],
    ]);
    // Nothing to write: no statement.
    await agents.addPlatformIds([]);
    await agents.removePlatformIds([]);
    expect(await version(setup)).toBe(before + 2);

    await expect(agents.addPlatformIds([{ agentId: A1, siteId: setup.siteId, field: 'custom_platform_sftp', platformAgentId: 'A3' }])).rejects.toMatchObject({ driverError: { code: '23505' } });
    expect(await idsOf(setup)).toHaveLength(5);

    await agents.removeAllPlatformIds(A2);
    expect(await version(setup)).toBe(before + 3);
    expect(await idsOf(setup)).toEqual([
      [A1, 'custom_platform_sftp', 'A2'],
      [A3, 'custom_platform_sftp', 'A3'],
      [A1, 'verint_sftp', 'V1'],
    ]);
    expect(await version(other)).toBe(otherBefore);
    expect(await idsOf(other)).toHaveLength(3);
  });
});
