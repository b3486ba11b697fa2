import { utils } from 'ssh2';
import { verifySecret } from '@bpo/service-kit';
import { createTestDatabase, startTestService, uniqueName, type RunningService, type TestDatabase } from '@bpo/testing';
import { configApiService } from './config-api.service-definition';
import { createOrganization, expectProblem, fieldProblems, OPERATOR_TOKEN, withDatabase, type ApiClient, type TestOrganization } from './testing/config-api-test-kit';

/** ssh2's generator sometimes writes a 31-byte ed25519 key (a leading zero dropped): draw again then. */
function ed25519Pair(comment: string): { public: string; private: string } {
  for (;;) {
    const pair = utils.generateKeyPairSync('ed25519', { comment });
    if (!(utils.parseKey(pair.public) instanceof Error)) return pair;
  }
}

describe('config-api: setting up sites, integrations, event types, mapping rules and schedules', () => {
  let database: TestDatabase;
  let service: RunningService;
  let org: TestOrganization;
  let manager: ApiClient;

  beforeAll(async () => {
    database = await createTestDatabase();
    service = await startTestService(configApiService, {
      databaseUrl: database.url,
      namespace: uniqueName('config-api'),
      env: { OPERATOR_TOKEN, SFTP_PUBLIC_HOST: 'sftp.example.com', SFTP_PUBLIC_PORT: '2022', PUBLIC_URL: 'https://api.example.com/' },
    });
    org = await createOrganization(service.url, 'Acme');
    manager = org.as.manager;
  });
  afterAll(async () => {
    await service?.stop();
    await database?.drop();
  });

  describe('sites', () => {
    it('creates, reads, lists, renames, marks BPOs and deletes', async () => {
      const created = await manager.post('/v1/sites').send({ name: 'Manila', timezone: 'Asia/Manila' }).expect(201);
      expect(created.body).toEqual({ id: expect.any(String), name: 'Manila', timezone: 'Asia/Manila', isBpo: false, integrationId: null, createdAt: expect.any(String) });
      const id = created.body.id;
      expect((await org.as.basic.get(`/v1/sites/${id}`).expect(200)).body).toEqual(created.body);
      const patched = await manager.patch(`/v1/sites/${id}`).send({ name: 'Manila 2', isBpo: true }).expect(200);
      expect(patched.body).toMatchObject({ name: 'Manila 2', timezone: 'Asia/Manila', isBpo: true });
      const other = await manager.post('/v1/sites').send({ name: 'Bogotá', timezone: 'America/Bogota' }).expect(201);
      const bulk = await manager.post('/v1/sites/bpo').send({ siteIds: [id, other.body.id], isBpo: false }).expect(200);
      expect(bulk.body.items.map((site: { isBpo: boolean }) => site.isBpo)).toEqual([false, false]);
      const list = await org.as.basic.get('/v1/sites').expect(200);
      expect(list.body.items.map((site: { name: string }) => site.name)).toEqual(['Bogotá', 'Manila 2']);
      await manager.delete(`/v1/sites/${other.body.id}`).expect(204);
      expectProblem(await manager.get(`/v1/sites/${other.body.id}`), 404);
    });

    it('refuses bad input field by field', async () => {
      expect(fieldProblems(await manager.post('/v1/sites').send({ name: 'x', timezone: 'GMT+2' }), 'timezone')).toHaveLength(1);
      expect(fieldProblems(await manager.post('/v1/sites').send({ name: 'x', timezone: 'UTC', bpo: true }), 'bpo')).toEqual(['property bpo should not exist']);
      expect(fieldProblems(await manager.patch(`/v1/sites/${crypto.randomUUID()}`).send({ name: null }), 'name').length).toBeGreaterThan(0);
      expect(fieldProblems(await manager.post('/v1/sites/bpo').send({ siteIds: ['x'], isBpo: true }), 'siteIds')).toEqual(['each value in siteIds must be a UUID']);
      expect(fieldProblems(await manager.post('/v1/sites/bpo').send({ siteIds: [], isBpo: true }), 'siteIds')).toEqual(['siteIds must contain at least 1 elements']);
    });

    it('marks in bulk all or nothing: one unknown site refuses the request', async () => {
      const site = await manager.post('/v1/sites').send({ name: 'Lima', timezone: 'America/Lima' }).expect(201);
      const unknown = crypto.randomUUID();
      const refused = await manager.post('/v1/sites/bpo').send({ siteIds: [site.body.id, unknown], isBpo: true });
      expectProblem(refused, 404);
      expect(refused.body.detail).toBe(`site ${unknown} not found`);
      expect((await manager.get(`/v1/sites/${site.body.id}`).expect(200)).body.isBpo).toBe(false);
    });
  });

  describe('platforms', () => {
    it('lists the platforms with their names, agent ID fields and template links', async () => {
      const response = await org.as.basic.get('/v1/platforms').expect(200);
      expect(response.body.items).toEqual([
        { platform: 'nice_iex', name: 'NICE IEX', agentIdField: 'nice_iex_sftp', templateUrl: 'https://api.example.com/v1/platforms/nice_iex/template.csv' },
        { platform: 'verint', name: 'Verint', agentIdField: 'verint_sftp', templateUrl: 'https://api.example.com/v1/platforms/verint/template.csv' },
        { platform: 'injixo', name: 'Injixo', agentIdField: 'injixo_sftp', templateUrl: 'https://api.example.com/v1/platforms/injixo/template.csv' },
        { platform: 'alvaria', name: 'Alvaria', agentIdField: 'alvaria_sftp', templateUrl: 'https://api.example.com/v1/platforms/alvaria/template.csv' },
        { platform: 'custom', name: 'Custom platform', agentIdField: 'custom_platform_sftp', templateUrl: 'https://api.example.com/v1/platforms/custom/template.csv' },
      ]);
    });

    it('downloads a template: header and two example rows, as text/csv', async () => {
      const response = await org.as.basic.get('/v1/platforms/custom/template.csv').buffer(true).parse((res, done) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        res.on('end', () => done(null, text));
      });
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(response.headers['content-disposition']).toBe('attachment; filename="custom-schedule-template.csv"');
      const lines = (response.body as string).trim().split('\r\n');
      expect(lines).toHaveLength(3);
      expect(lines[0]).toBe('agent_id,agent_name,start_time,end_time,activity');
    });
  });

  describe('integrations', () => {
    let siteId: string;
    let integrationId: string;

    beforeAll(async () => {
      const site = await manager.post('/v1/sites').send({ name: 'São Paulo Centro', timezone: 'America/Sao_Paulo' }).expect(201);
      siteId = site.body.id;
    });

    it('refuses a site that is not a BPO, saying why', async () => {
      const refused = await manager.post(`/v1/sites/${siteId}/integration`).send({ platform: 'verint' });
      expectProblem(refused, 409);
      expect(refused.body).toMatchObject({ code: 'site_not_bpo', detail: expect.stringContaining('not marked as a BPO') });
    });

    it('connects a BPO site: SFTP host, port, username, a password shown once, the template URL', async () => {
      await manager.patch(`/v1/sites/${siteId}`).send({ isBpo: true }).expect(200);
      expect(fieldProblems(await manager.post(`/v1/sites/${siteId}/integration`).send({ platform: 'excel' }), 'platform')).toHaveLength(1);
      const response = await manager.post(`/v1/sites/${siteId}/integration`).send({ platform: 'verint' }).expect(201);
      expect(response.body.sftp).toEqual({ host: 'sftp.example.com', port: 2022, username: expect.stringMatching(/^bpo-sao-paulo-centro-[a-z0-9]{4}$/), password: expect.stringMatching(/^[A-Za-z0-9]{32}$/) });
      expect(response.body.templateUrl).toBe('https://api.example.com/v1/platforms/verint/template.csv');
      expect(response.body.integration).toMatchObject({
        siteId,
        siteName: 'São Paulo Centro',
        platform: 'verint',
        agentIdField: 'verint_sftp',
        sftpUsername: response.body.sftp.username,
        targetScheduleId: null,
        syncPastEvents: false,
        replaceScope: 'agents_in_file',
        timezone: 'America/Sao_Paulo',
        timezoneFromSite: true,
        encoding: 'utf-8',
        titleLines: 0,
        lastSyncAt: null,
        lastStatus: null,
        lastFile: null,
        lastErrors: [],
      });
      integrationId = response.body.integration.id;
      const [{ sftp_password_hash: hash }] = await withDatabase(database.url, async (db) => (await db.query('SELECT sftp_password_hash FROM integrations WHERE id = $1', [integrationId])).rows);
      expect(hash).not.toContain(response.body.sftp.password);
      expect(await verifySecret(response.body.sftp.password, hash)).toBe(true);
      expect(JSON.stringify((await org.as.basic.get(`/v1/integrations/${integrationId}`).expect(200)).body)).not.toContain(response.body.sftp.password);
      expect((await org.as.basic.get(`/v1/sites/${siteId}`).expect(200)).body.integrationId).toBe(integrationId);
    });

    it('allows one integration per site, and a site with one stays a BPO', async () => {
      const again = await manager.post(`/v1/sites/${siteId}/integration`).send({ platform: 'injixo' });
      expectProblem(again, 409);
      expect(again.body.code).toBe('site_has_integration');
      const unmark = await manager.patch(`/v1/sites/${siteId}`).send({ isBpo: false });
      expectProblem(unmark, 409);
      expect(unmark.body.detail).toMatch(/delete the integration/);
    });

    it('lists and changes the settings', async () => {
      const schedule = await manager.post('/v1/schedules').send({ name: 'BPO schedule' }).expect(201);
      const patched = await manager
        .patch(`/v1/integrations/${integrationId}`)
        .send({ targetScheduleId: schedule.body.id, syncPastEvents: true, replaceScope: 'all_site_agents', timezone: 'Europe/Lisbon', dateOrder: 'DD/MM/YYYY', encoding: 'windows-1252', titleLines: 2 })
        .expect(200);
      expect(patched.body).toMatchObject({ targetScheduleId: schedule.body.id, syncPastEvents: true, replaceScope: 'all_site_agents', timezone: 'Europe/Lisbon', timezoneFromSite: false, dateOrder: 'DD/MM/YYYY', encoding: 'windows-1252', titleLines: 2 });
      const reset = await manager.patch(`/v1/integrations/${integrationId}`).send({ timezone: null, targetScheduleId: null }).expect(200);
      expect(reset.body).toMatchObject({ timezone: 'America/Sao_Paulo', timezoneFromSite: true, targetScheduleId: null, syncPastEvents: true });
      const list = await org.as.basic.get('/v1/integrations').expect(200);
      expect(list.body.items.map((integration: { id: string }) => integration.id)).toEqual([integrationId]);
    });

    it.each([
      [{ replaceScope: 'everything' }, 'replaceScope'],
      [{ dateOrder: 'DD.MM.YYYY' }, 'dateOrder'],
      [{ encoding: 'utf-16' }, 'encoding'],
      [{ titleLines: 21 }, 'titleLines'],
      [{ timezone: 'Europe/Atlantis' }, 'timezone'],
      [{ syncPastEvents: null }, 'syncPastEvents'],
      [{ platform: 'injixo' }, 'platform'],
    ])('refuses %j', async (body, field) => {
      expect(fieldProblems(await manager.patch(`/v1/integrations/${integrationId}`).send(body), field).length).toBeGreaterThan(0);
    });

    it('rotates the SFTP password', async () => {
      const before = await withDatabase(database.url, async (db) => (await db.query('SELECT sftp_password_hash FROM integrations WHERE id = $1', [integrationId])).rows[0].sftp_password_hash);
      const rotated = await manager.post(`/v1/integrations/${integrationId}/credentials/rotate`).expect(200);
      expect(rotated.body).toEqual({ host: 'sftp.example.com', port: 2022, username: expect.stringMatching(/^bpo-sao-paulo-centro-/), password: expect.any(String) });
      const after = await withDatabase(database.url, async (db) => (await db.query('SELECT sftp_password_hash FROM integrations WHERE id = $1', [integrationId])).rows[0].sftp_password_hash);
      expect(await verifySecret(rotated.body.password, after)).toBe(true);
      expect(after).not.toBe(before);
    });

    it('adds, lists and deletes SSH public keys, with the OpenSSH fingerprint', async () => {
      const pair = ed25519Pair('ops@bpo');
      const added = await manager.post(`/v1/integrations/${integrationId}/ssh-keys`).send({ publicKey: pair.public }).expect(201);
      expect(added.body).toEqual({
        id: expect.any(String),
        algorithm: 'ssh-ed25519',
        publicKey: pair.public.split(' ').slice(0, 2).join(' '),
        fingerprint: expect.stringMatching(/^SHA256:[A-Za-z0-9+/]{43}$/),
        comment: 'ops@bpo',
        createdAt: expect.any(String),
      });
      const duplicate = await manager.post(`/v1/integrations/${integrationId}/ssh-keys`).send({ publicKey: pair.public });
      expectProblem(duplicate, 409);
      const list = await org.as.basic.get(`/v1/integrations/${integrationId}/ssh-keys`).expect(200);
      expect(list.body.items).toEqual([added.body]);
      expect((await org.as.basic.get(`/v1/integrations/${integrationId}`).expect(200)).body.sshKeyCount).toBe(1);
      await manager.delete(`/v1/integrations/${integrationId}/ssh-keys/${added.body.id}`).expect(204);
      expectProblem(await manager.delete(`/v1/integrations/${integrationId}/ssh-keys/${added.body.id}`), 404);
    });

    it('refuses private keys and garbage with a 400 saying why', async () => {
      const privateKey = await manager.post(`/v1/integrations/${integrationId}/ssh-keys`).send({ publicKey: ed25519Pair('x').private });
      expectProblem(privateKey, 400);
      expect(privateKey.body).toMatchObject({ code: 'invalid_ssh_key', detail: expect.stringMatching(/private key/) });
      expect(privateKey.text).not.toContain('PRIVATE KEY-----\n');
      const garbage = await manager.post(`/v1/integrations/${integrationId}/ssh-keys`).send({ publicKey: 'ssh-rsa not-base64!' });
      expectProblem(garbage, 400);
      expect(garbage.body.detail).toMatch(/not an OpenSSH public key/);
      expect(fieldProblems(await manager.post(`/v1/integrations/${integrationId}/ssh-keys`).send({ publicKey: 42 }), 'publicKey')).toContain('publicKey must be a string');
    });

    it('deletes an integration', async () => {
      const site = await manager.post('/v1/sites').send({ name: 'Temporary', timezone: 'UTC', isBpo: true }).expect(201);
      const connected = await manager.post(`/v1/sites/${site.body.id}/integration`).send({ platform: 'custom' }).expect(201);
      await manager.delete(`/v1/integrations/${connected.body.integration.id}`).expect(204);
      expectProblem(await org.as.basic.get(`/v1/integrations/${connected.body.integration.id}`), 404);
      await manager.patch(`/v1/sites/${site.body.id}`).send({ isBpo: false }).expect(200);
    });

    describe('event types and mapping rules', () => {
      let lunch: string;
      let phone: string;
      let other: string;

      it('creates, lists, renames and deletes event types', async () => {
        lunch = (await manager.post('/v1/event-types').send({ name: 'Lunch', color: '#ff8800' }).expect(201)).body.id;
        phone = (await manager.post('/v1/event-types').send({ name: 'Phone' }).expect(201)).body.id;
        other = (await manager.post('/v1/event-types').send({ name: 'Other' }).expect(201)).body.id;
        const duplicate = await manager.post('/v1/event-types').send({ name: 'lunch' });
        expectProblem(duplicate, 409);
        expect(duplicate.body.code).toBe('event_type_name_taken');
        expect(fieldProblems(await manager.post('/v1/event-types').send({ name: 'x', color: 'orange' }), 'color')).toEqual(['color must be a hex color such as #1e90ff']);
        const renamed = await manager.patch(`/v1/event-types/${phone}`).send({ name: 'Phone calls', color: '#00ff00' }).expect(200);
        expect(renamed.body).toMatchObject({ id: phone, name: 'Phone calls', color: '#00ff00' });
        expect((await manager.patch(`/v1/event-types/${phone}`).send({ color: null }).expect(200)).body.color).toBeNull();
        const list = await org.as.basic.get('/v1/event-types').expect(200);
        expect(list.body.items.map((type: { name: string }) => type.name)).toEqual(['Lunch', 'Other', 'Phone calls']);
        const temporary = await manager.post('/v1/event-types').send({ name: 'Temporary' }).expect(201);
        await manager.delete(`/v1/event-types/${temporary.body.id}`).expect(204);
        expectProblem(await org.as.basic.get(`/v1/event-types/${temporary.body.id}`), 404);
      });

      it('creates rules, lists them in the order they are tried, updates and deletes them', async () => {
        const base = `/v1/integrations/${integrationId}/mapping-rules`;
        const contains = await manager.post(base).send({ matchType: 'contains', keyword: ' phone ', priority: 'low', eventTypeId: phone }).expect(201);
        expect(contains.body).toEqual({
          id: expect.any(String),
          integrationId,
          matchType: 'contains',
          keyword: 'phone',
          priority: 'low',
          eventTypeId: phone,
          position: expect.any(Number),
          createdAt: expect.any(String),
        });
        const exact = await manager.post(base).send({ matchType: 'exact', keyword: 'Lunch', priority: 'highest', eventTypeId: lunch }).expect(201);
        const pattern = await manager.post(base).send({ matchType: 'pattern', keyword: '^break[0-9]+$', priority: 'low', eventTypeId: other }).expect(201);
        const list = await org.as.basic.get(base).expect(200);
        expect(list.body.items.map((rule: { id: string }) => rule.id)).toEqual([exact.body.id, contains.body.id, pattern.body.id]);
        expect(list.body.defaultEventTypeId).toBeNull();
        const updated = await manager.patch(`${base}/${pattern.body.id}`).send({ priority: 'high' }).expect(200);
        expect(updated.body).toMatchObject({ priority: 'high', keyword: '^break[0-9]+$', matchType: 'pattern' });
        const temporary = await manager.post(base).send({ matchType: 'starts_with', keyword: 'tmp', priority: 'medium', eventTypeId: other }).expect(201);
        await manager.delete(`${base}/${temporary.body.id}`).expect(204);
        expectProblem(await manager.delete(`${base}/${temporary.body.id}`), 404);
      });

      it('refuses unsafe or invalid patterns with a 400 that says why', async () => {
        const base = `/v1/integrations/${integrationId}/mapping-rules`;
        for (const keyword of ['(a+', '(a)\\1', '(?=lookahead)']) {
          const refused = await manager.post(base).send({ matchType: 'pattern', keyword, priority: 'high', eventTypeId: other });
          expectProblem(refused, 400);
          expect(refused.body).toMatchObject({ code: 'invalid_pattern', detail: expect.stringMatching(/^the pattern cannot be used: .+/) });
        }
        const rules = (await org.as.basic.get(base).expect(200)).body.items;
        const pattern = rules.find((rule: { matchType: string }) => rule.matchType === 'pattern');
        expectProblem(await manager.patch(`${base}/${pattern.id}`).send({ keyword: '(unclosed' }), 400);
        expect(fieldProblems(await manager.post(base).send({ matchType: 'regex', keyword: 'x', priority: 'urgent', eventTypeId: other }), 'matchType')).toHaveLength(1);
        expect(fieldProblems(await manager.post(base).send({ matchType: 'exact', keyword: 'x', priority: 'urgent', eventTypeId: other }), 'priority')).toHaveLength(1);
        const unknownType = await manager.post(base).send({ matchType: 'exact', keyword: 'x', priority: 'high', eventTypeId: crypto.randomUUID() });
        expectProblem(unknownType, 404);
      });

      it('sets the default mapping and previews activities', async () => {
        const base = `/v1/integrations/${integrationId}`;
        const preview = () => org.as.basic.post(`${base}/mapping-rules/preview`).send({ activities: ['LUNCH', 'Inbound phone', 'break12', 'Training'] }).expect(200);
        const rules = (await org.as.basic.get(`${base}/mapping-rules`).expect(200)).body.items as { id: string; keyword: string }[];
        const ruleOf = (keyword: string) => rules.find((rule) => rule.keyword === keyword)!.id;
        expect((await preview()).body.items).toEqual([
          { activity: 'LUNCH', kind: 'rule', eventTypeId: lunch, eventTypeName: 'Lunch', ruleId: ruleOf('Lunch') },
          { activity: 'Inbound phone', kind: 'rule', eventTypeId: phone, eventTypeName: 'Phone calls', ruleId: ruleOf('phone') },
          { activity: 'break12', kind: 'rule', eventTypeId: other, eventTypeName: 'Other', ruleId: ruleOf('^break[0-9]+$') },
          { activity: 'Training', kind: 'unmapped', eventTypeId: null, eventTypeName: null, ruleId: null },
        ]);
        expect((await manager.put(`${base}/default-mapping`).send({ eventTypeId: other }).expect(200)).body).toEqual({ eventTypeId: other });
        expect((await preview()).body.items[3]).toEqual({ activity: 'Training', kind: 'default', eventTypeId: other, eventTypeName: 'Other', ruleId: null });
        expect((await org.as.basic.get(base).expect(200)).body.defaultEventTypeId).toBe(other);
        expect(fieldProblems(await manager.put(`${base}/default-mapping`).send({}), 'eventTypeId')).toHaveLength(1);
        expect(fieldProblems(await org.as.basic.post(`${base}/mapping-rules/preview`).send({ activities: [] }), 'activities')).toHaveLength(1);
        await manager.put(`${base}/default-mapping`).send({ eventTypeId: null }).expect(200);
        expect((await preview()).body.items[3].kind).toBe('unmapped');
      });

      it('refuses to delete an event type still in use', async () => {
        const refused = await manager.delete(`/v1/event-types/${lunch}`);
        expectProblem(refused, 409);
        expect(refused.body).toMatchObject({ code: 'event_type_in_use', detail: expect.stringContaining('1 mapping rule(s)') });
      });
    });
  });

  describe('schedules', () => {
    it('starts with the default schedule; creates, renames and deletes others; never deletes the default', async () => {
      const list = await org.as.basic.get('/v1/schedules').expect(200);
      expect(list.body.items[0]).toMatchObject({ id: org.defaultScheduleId, name: 'Default', isDefault: true });
      const created = await manager.post('/v1/schedules').send({ name: 'Night shift' }).expect(201);
      expect(created.body).toMatchObject({ name: 'Night shift', isDefault: false });
      expect((await manager.patch(`/v1/schedules/${created.body.id}`).send({ name: 'Nights' }).expect(200)).body.name).toBe('Nights');
      expect((await org.as.basic.get(`/v1/schedules/${created.body.id}`).expect(200)).body.name).toBe('Nights');
      await manager.delete(`/v1/schedules/${created.body.id}`).expect(204);
      const refused = await manager.delete(`/v1/schedules/${org.defaultScheduleId}`);
      expectProblem(refused, 409);
      expect(refused.body.code).toBe('default_schedule_undeletable');
      expect(fieldProblems(await manager.post('/v1/schedules').send({ name: 'x', isDefault: true }), 'isDefault')).toEqual(['property isDefault should not exist']);
    });
  });
});
