import { createTestDatabase, startTestService, uniqueName, type RunningService, type TestDatabase } from '@bpo/testing';
import { configApiService } from './config-api.service-definition';
import { createIntegratedSite, createOrganization, expectProblem, fieldProblems, OPERATOR_TOKEN, type ApiClient, type TestOrganization } from './testing/config-api-test-kit';

describe('config-api: agents and their platform IDs', () => {
  let database: TestDatabase;
  let service: RunningService;
  let org: TestOrganization;
  let lead: ApiClient;
  let iexSite: string;
  let verintSite: string;
  let plainSite: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    service = await startTestService(configApiService, { databaseUrl: database.url, namespace: uniqueName('config-api'), env: { OPERATOR_TOKEN } });
    org = await createOrganization(service.url, 'Acme');
    lead = org.as.lead;
    iexSite = (await createIntegratedSite(org.as.manager, 'IEX BPO', 'nice_iex')).siteId;
    verintSite = (await createIntegratedSite(org.as.manager, 'Verint BPO', 'verint')).siteId;
    plainSite = (await org.as.manager.post('/v1/sites').send({ name: 'Headquarters', timezone: 'Europe/Paris' }).expect(201)).body.id;
  });
  afterAll(async () => {
    await service?.stop();
    await database?.drop();
  });

  describe('one by one', () => {
    let ana: string;

    it('creates, reads, updates and deletes an agent', async () => {
      const created = await lead.post('/v1/agents').send({ name: 'Ana Rivera', email: 'ana@example.com', siteId: iexSite, platformIds: { nice_iex_sftp: ' IEX-1 ' } }).expect(201);
      expect(created.body).toEqual({ id: expect.any(String), name: 'Ana Rivera', email: 'ana@example.com', siteId: iexSite, platformIds: { nice_iex_sftp: 'IEX-1' }, createdAt: expect.any(String) });
      ana = created.body.id;
      expect((await org.as.basic.get(`/v1/agents/${ana}`).expect(200)).body).toEqual(created.body);
      const renamed = await lead.patch(`/v1/agents/${ana}`).send({ name: 'Ana R.', email: null }).expect(200);
      expect(renamed.body).toMatchObject({ name: 'Ana R.', email: null, platformIds: { nice_iex_sftp: 'IEX-1' } });
      const temporary = await lead.post('/v1/agents').send({ name: 'Temp', siteId: plainSite }).expect(201);
      expect(temporary.body.platformIds).toEqual({});
      await lead.delete(`/v1/agents/${temporary.body.id}`).expect(204);
      expectProblem(await org.as.basic.get(`/v1/agents/${temporary.body.id}`), 404);
    });

    it('accepts a platform field only when the site has an integration on that platform, saying why', async () => {
      const wrongPlatform = await lead.post('/v1/agents').send({ name: 'Bo', siteId: iexSite, platformIds: { verint_sftp: 'V-1' } });
      expectProblem(wrongPlatform, 409);
      expect(wrongPlatform.body).toMatchObject({ code: 'platform_not_integrated', detail: `site ${iexSite} is integrated with nice_iex, so its agents take nice_iex_sftp, not verint_sftp` });
      const noIntegration = await lead.post('/v1/agents').send({ name: 'Bo', siteId: plainSite, platformIds: { nice_iex_sftp: 'IEX-9' } });
      expectProblem(noIntegration, 409);
      expect(noIntegration.body.detail).toMatch(/has no integration/);
    });

    it('keeps platform IDs unique per platform within a site, saying why', async () => {
      const taken = await lead.post('/v1/agents').send({ name: 'Cy', siteId: iexSite, platformIds: { nice_iex_sftp: 'IEX-1' } });
      expectProblem(taken, 409);
      expect(taken.body).toMatchObject({ code: 'platform_agent_id_taken', detail: expect.stringContaining(`already belongs to agent ${ana}`) });
      await lead.post('/v1/agents').send({ name: 'Cy', siteId: verintSite, platformIds: { verint_sftp: 'IEX-1' } }).expect(201);
    });

    it('sets and removes platform IDs, and re-checks them when the agent moves', async () => {
      const dee = (await lead.post('/v1/agents').send({ name: 'Dee', siteId: iexSite, platformIds: { nice_iex_sftp: 'IEX-2' } }).expect(201)).body.id;
      expectProblem(await lead.patch(`/v1/agents/${dee}`).send({ platformIds: { nice_iex_sftp: 'IEX-1' } }), 409);
      expect((await lead.patch(`/v1/agents/${dee}`).send({ platformIds: { nice_iex_sftp: 'IEX-3' } }).expect(200)).body.platformIds).toEqual({ nice_iex_sftp: 'IEX-3' });
      const move = await lead.patch(`/v1/agents/${dee}`).send({ siteId: verintSite });
      expectProblem(move, 409);
      expect(move.body.code).toBe('platform_not_integrated');
      const moved = await lead.patch(`/v1/agents/${dee}`).send({ siteId: verintSite, platformIds: { nice_iex_sftp: null, verint_sftp: 'V-DEE' } }).expect(200);
      expect(moved.body).toMatchObject({ siteId: verintSite, platformIds: { verint_sftp: 'V-DEE' } });
    });

    it('filters by site and by platform ID, paged', async () => {
      const bySite = await org.as.basic.get(`/v1/agents?siteId=${iexSite}`).expect(200);
      expect(bySite.body.items.map((agent: { name: string }) => agent.name)).toEqual(['Ana R.']);
      const byId = await org.as.basic.get('/v1/agents?platformField=verint_sftp&platformAgentId=V-DEE').expect(200);
      expect(byId.body.items.map((agent: { name: string }) => agent.name)).toEqual(['Dee']);
      const byField = await org.as.basic.get('/v1/agents?platformField=verint_sftp').expect(200);
      expect(byField.body.items.map((agent: { name: string }) => agent.name)).toEqual(['Cy', 'Dee']);
      const first = await org.as.basic.get('/v1/agents?limit=2').expect(200);
      expect(first.body.items).toHaveLength(2);
      const second = await org.as.basic.get(`/v1/agents?limit=2&cursor=${first.body.nextCursor}`).expect(200);
      const third = await org.as.basic.get('/v1/agents?limit=2&offset=2').expect(200);
      expect(second.body.items).toEqual(third.body.items);
      expect([...first.body.items, ...second.body.items].map((agent: { name: string }) => agent.name)).toEqual(['Ana R.', 'Cy', 'Dee']);
      expect(second.body.nextCursor).toBeNull();
    });

    it.each([
      ['/v1/agents?platformField=excel_sftp', 'platformField'],
      ['/v1/agents?platformAgentId=V-DEE', 'platformAgentId'],
      ['/v1/agents?limit=1001', 'limit'],
      ['/v1/agents?cursor=nonsense', 'cursor'],
      ['/v1/agents?cursor=abc&offset=1', 'cursor'],
    ])('refuses %s', async (path, field) => {
      expect(fieldProblems(await org.as.basic.get(path), field).length).toBeGreaterThan(0);
    });

    it('refuses bad bodies field by field', async () => {
      expect(fieldProblems(await lead.post('/v1/agents').send({ name: 'x', siteId: iexSite, platformIds: { excel_sftp: '1' } }), 'platformIds.excel_sftp')).toEqual(['property excel_sftp should not exist']);
      expect(fieldProblems(await lead.post('/v1/agents').send({ name: 'x', siteId: iexSite, email: 'not-an-email' }), 'email')).toEqual(['email must be an email']);
      expect(fieldProblems(await lead.post('/v1/agents').send({ name: 'x', siteId: iexSite, platformIds: { nice_iex_sftp: '   ' } }), 'platformIds.nice_iex_sftp')).toEqual(['nice_iex_sftp must not be blank']);
      expect(fieldProblems(await lead.post('/v1/agents').send({ name: 'x' }), 'siteId')).toHaveLength(1);
    });
  });

  describe('import', () => {
    let eve: string;
    let fay: string;

    beforeAll(async () => {
      eve = (await lead.post('/v1/agents').send({ name: 'Eve', email: 'eve@example.com', siteId: iexSite }).expect(201)).body.id;
      fay = (await lead.post('/v1/agents').send({ name: 'Fay', email: 'FAY@example.com', siteId: verintSite }).expect(201)).body.id;
      await lead.post('/v1/agents').send({ name: 'Twin 1', email: 'twin@example.com', siteId: iexSite }).expect(201);
      await lead.post('/v1/agents').send({ name: 'Twin 2', email: 'twin@example.com', siteId: iexSite }).expect(201);
    });

    it('answers per line what was updated or why it was refused, from a text/csv body', async () => {
      const csv = [
        'agent_id,email,nice_iex_sftp,verint_sftp',
        `${eve},,IEX-E,`,
        ',fay@example.com,,V-F',
        ',twin@example.com,IEX-T,',
        ',nobody@example.com,IEX-N,',
        `${eve},,,V-E`,
        `not-an-id,,IEX-X,`,
        `,fay@example.com,,V-F`,
        `,ana@example.com,IEX-1,`,
      ].join('\n');
      const response = await lead.post('/v1/agents/import').set('Content-Type', 'text/csv').send(csv).expect(200);
      expect(response.body.summary).toEqual({ updated: 2, unchanged: 1, refused: 5 });
      expect(response.body.lines).toEqual([
        { line: 2, status: 'updated', agentId: eve, changes: { nice_iex_sftp: 'IEX-E' } },
        { line: 3, status: 'updated', agentId: fay, changes: { verint_sftp: 'V-F' } },
        { line: 4, status: 'refused', agentId: null, reason: '2 agents have the email twin@example.com; use agent_id instead' },
        { line: 5, status: 'refused', agentId: null, reason: 'no agent with the email nobody@example.com in this organization' },
        { line: 6, status: 'refused', agentId: eve, reason: expect.stringContaining('so its agents take nice_iex_sftp, not verint_sftp') },
        { line: 7, status: 'refused', agentId: null, reason: 'agent_id "not-an-id" is not an agent id (a UUID)' },
        { line: 8, status: 'unchanged', agentId: fay },
        { line: 9, status: 'refused', agentId: null, reason: 'no agent with the email ana@example.com in this organization' },
      ]);
      expect((await org.as.basic.get(`/v1/agents/${eve}`).expect(200)).body.platformIds).toEqual({ nice_iex_sftp: 'IEX-E' });
      expect((await org.as.basic.get(`/v1/agents/${fay}`).expect(200)).body.platformIds).toEqual({ verint_sftp: 'V-F' });
    });

    it('takes JSON {csv} too, and refuses ids another agent of the site holds', async () => {
      const response = await lead.post('/v1/agents/import').send({ csv: `agent_id,nice_iex_sftp\n${eve},IEX-1` }).expect(200);
      expect(response.body.lines).toEqual([{ line: 2, status: 'refused', agentId: eve, reason: expect.stringMatching(/^nice_iex_sftp "IEX-1" already belongs to agent /) }]);
    });

    it('refuses a file it cannot read at all, and bodies that are neither CSV nor {csv}', async () => {
      const header = await lead.post('/v1/agents/import').set('Content-Type', 'text/csv').send('name,phone\nx,y');
      expectProblem(header, 400);
      expect(header.body).toMatchObject({ code: 'invalid_import', detail: expect.stringContaining('unknown column(s) "name", "phone"') });
      expect(fieldProblems(await lead.post('/v1/agents/import').send({ csv: 'email,verint_sftp', dryRun: true }), 'dryRun')).toEqual(['property dryRun should not exist']);
      expect(fieldProblems(await lead.post('/v1/agents/import').send({}), 'csv')).toEqual(['csv must be a string']);
      expectProblem(await org.as.basic.post('/v1/agents/import').set('Content-Type', 'text/csv').send('email,verint_sftp'), 403);
    });
  });
});
