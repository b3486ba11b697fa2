import { randomUUID } from 'node:crypto';
import { Roles, type Role } from '@bpo/persistence';
import { createTestDatabase, startTestService, uniqueName, type RunningService, type TestDatabase } from '@bpo/testing';
import { configApiService } from './config-api.service-definition';
import {
  client,
  createIntegratedSite,
  createOrganization,
  expectProblem,
  fieldProblems,
  insertReceivedFile,
  OPERATOR_TOKEN,
  type Method,
  withDatabase,
  type TestOrganization,
} from './testing/config-api-test-kit';

/** Every route of the API with the least role that may call it. */
const ROUTES: [Method, string, Role | 'operator'][] = [
  ['post', '/v1/organizations', 'operator'],
  ['post', '/v1/tokens', 'admin'],
  ['get', '/v1/tokens', 'admin'],
  ['delete', '/v1/tokens/{id}', 'admin'],
  ['get', '/v1/me', 'basic'],
  ['get', '/v1/sites', 'basic'],
  ['post', '/v1/sites', 'manager'],
  ['post', '/v1/sites/bpo', 'manager'],
  ['get', '/v1/sites/{id}', 'basic'],
  ['patch', '/v1/sites/{id}', 'manager'],
  ['delete', '/v1/sites/{id}', 'manager'],
  ['get', '/v1/platforms', 'basic'],
  ['get', '/v1/platforms/{platform}/template.csv', 'basic'],
  ['post', '/v1/sites/{siteId}/integration', 'manager'],
  ['get', '/v1/integrations', 'basic'],
  ['get', '/v1/integrations/{id}', 'basic'],
  ['patch', '/v1/integrations/{id}', 'manager'],
  ['delete', '/v1/integrations/{id}', 'manager'],
  ['post', '/v1/integrations/{id}/credentials/rotate', 'manager'],
  ['get', '/v1/integrations/{id}/ssh-keys', 'basic'],
  ['post', '/v1/integrations/{id}/ssh-keys', 'manager'],
  ['delete', '/v1/integrations/{id}/ssh-keys/{keyId}', 'manager'],
  ['get', '/v1/integrations/{id}/sftp-lockouts', 'manager'],
  ['delete', '/v1/integrations/{id}/sftp-lockouts/{lockoutId}', 'manager'],
  ['get', '/v1/event-types', 'basic'],
  ['post', '/v1/event-types', 'manager'],
  ['get', '/v1/event-types/{id}', 'basic'],
  ['patch', '/v1/event-types/{id}', 'manager'],
  ['delete', '/v1/event-types/{id}', 'manager'],
  ['get', '/v1/integrations/{id}/mapping-rules', 'basic'],
  ['post', '/v1/integrations/{id}/mapping-rules', 'manager'],
  ['post', '/v1/integrations/{id}/mapping-rules/preview', 'basic'],
  ['patch', '/v1/integrations/{id}/mapping-rules/{ruleId}', 'manager'],
  ['delete', '/v1/integrations/{id}/mapping-rules/{ruleId}', 'manager'],
  ['put', '/v1/integrations/{id}/default-mapping', 'manager'],
  ['get', '/v1/agents', 'basic'],
  ['post', '/v1/agents', 'lead'],
  ['post', '/v1/agents/import', 'lead'],
  ['get', '/v1/agents/{id}', 'basic'],
  ['patch', '/v1/agents/{id}', 'lead'],
  ['delete', '/v1/agents/{id}', 'lead'],
  ['get', '/v1/schedules', 'basic'],
  ['post', '/v1/schedules', 'manager'],
  ['get', '/v1/schedules/{id}', 'basic'],
  ['patch', '/v1/schedules/{id}', 'manager'],
  ['delete', '/v1/schedules/{id}', 'manager'],
  ['get', '/v1/events', 'basic'],
  ['get', '/v1/integrations/{id}/files', 'basic'],
  ['get', '/v1/integrations/{id}/files/{fileId}', 'basic'],
  ['get', '/v1/integrations/{id}/files/{fileId}/content', 'basic'],
  ['post', '/v1/integrations/{id}/files/{fileId}/replay', 'manager'],
  ['post', '/v1/integrations/{id}/files/check', 'basic'],
];

/** A concrete path with fresh ids (or a real platform name). */
function concrete(path: string): string {
  return path.replace(/\{platform\}/g, 'verint').replace(/\{\w+\}/g, () => randomUUID());
}

describe('config-api: access, errors and the OpenAPI document', () => {
  let database: TestDatabase;
  let service: RunningService;
  let org: TestOrganization;

  beforeAll(async () => {
    database = await createTestDatabase();
    service = await startTestService(configApiService, { databaseUrl: database.url, namespace: uniqueName('config-api'), env: { OPERATOR_TOKEN } });
    org = await createOrganization(service.url, 'Acme');
  });
  afterAll(async () => {
    await service?.stop();
    await database?.drop();
  });

  describe('organizations (operator token)', () => {
    it('creates an organization with its first admin token and its default schedule', async () => {
      const response = await client(service.url, OPERATOR_TOKEN).post('/v1/organizations').send({ name: 'Globex', timezone: 'America/Chicago' }).expect(201);
      expect(response.body).toEqual({
        organization: { id: expect.any(String), name: 'Globex', timezone: 'America/Chicago', createdAt: expect.any(String) },
        token: { id: expect.any(String), name: 'admin', role: 'admin', token: expect.stringMatching(/^bpo_[A-Za-z0-9]{40}$/), createdAt: expect.any(String), lastUsedAt: null },
        defaultSchedule: { id: expect.any(String), name: 'Default', isDefault: true, createdAt: expect.any(String) },
      });
      const admin = client(service.url, response.body.token.token);
      const schedules = await admin.get('/v1/schedules').expect(200);
      expect(schedules.body.items).toEqual([response.body.defaultSchedule]);
    });

    it('stores tokens only as hashes', async () => {
      const rows = await withDatabase(database.url, async (db) => (await db.query('SELECT token_hash FROM api_tokens WHERE organization_id = $1', [org.id])).rows);
      expect(rows).toHaveLength(4);
      for (const token of Object.values(org.tokens)) expect(rows.map((row) => row.token_hash)).not.toContain(token);
    });

    it('refuses organization tokens, and refuses the operator token elsewhere', async () => {
      expectProblem(await org.as.admin.post('/v1/organizations').send({ name: 'x', timezone: 'UTC' }), 403);
      const operatorElsewhere = await client(service.url, OPERATOR_TOKEN).get('/v1/sites');
      expectProblem(operatorElsewhere, 403);
      expect(operatorElsewhere.body.detail).toMatch(/operator token may only create organizations/);
    });

    it.each([
      [{ name: 'x', timezone: 'Mars/Olympus' }, 'timezone'],
      [{ name: 'x', timezone: 'EST' }, 'timezone'],
      [{ timezone: 'UTC' }, 'name'],
      [{ name: 'x', timezone: 'UTC', plan: 'gold' }, 'plan'],
    ])('refuses %j, naming %s', async (body, field) => {
      expect(fieldProblems(await client(service.url, OPERATOR_TOKEN).post('/v1/organizations').send(body), field).length).toBeGreaterThan(0);
    });
  });

  describe('tokens (admin)', () => {
    it('creates a token shown once, lists tokens without secrets, deletes one', async () => {
      const created = await org.as.admin.post('/v1/tokens').send({ name: 'reporting', role: 'basic' }).expect(201);
      expect(created.body).toMatchObject({ name: 'reporting', role: 'basic', token: expect.any(String) });
      const list = await org.as.admin.get('/v1/tokens').expect(200);
      expect(list.body.items.map((token: { name: string }) => token.name)).toEqual(['admin', 'basic token', 'lead token', 'manager token', 'reporting']);
      expect(JSON.stringify(list.body)).not.toContain(created.body.token);
      expect(list.body.items.find((token: { name: string }) => token.name === 'admin').lastUsedAt).not.toBeNull();
      await client(service.url, created.body.token).get('/v1/sites').expect(200);
      await org.as.admin.delete(`/v1/tokens/${created.body.id}`).expect(204);
      expectProblem(await client(service.url, created.body.token).get('/v1/sites'), 401);
    });

    it('refuses a bad role and never deletes the last admin token', async () => {
      expect(fieldProblems(await org.as.admin.post('/v1/tokens').send({ name: 'x', role: 'owner' }), 'role')).toEqual(['role must be one of the following values: basic, lead, manager, admin']);
      const tokens = await org.as.admin.get('/v1/tokens').expect(200);
      const admin = tokens.body.items.find((token: { role: string }) => token.role === 'admin');
      const refused = await org.as.admin.delete(`/v1/tokens/${admin.id}`);
      expectProblem(refused, 409);
      expect(refused.body).toMatchObject({ code: 'last_admin_token', detail: expect.stringMatching(/last admin token/) });
    });
  });

  describe('who am I (GET /v1/me)', () => {
    it.each<[Role, string[]]>([
      ['basic', ['read']],
      ['lead', ['read', 'edit_agents']],
      ['manager', ['read', 'edit_agents', 'manage_integrations', 'replay_files']],
      ['admin', ['read', 'edit_agents', 'manage_integrations', 'replay_files', 'manage_tokens']],
    ])('answers a %s token its organization, role and permissions', async (role, permissions) => {
      const response = await org.as[role].get('/v1/me').expect(200);
      expect(response.body).toEqual({
        organization: { id: org.id, name: 'Acme', timezone: 'Europe/Paris' },
        token: { id: expect.any(String), name: role === 'admin' ? 'admin' : `${role} token` },
        role,
        permissions,
        // Whoever asks: the least role of each permission, the one a token lacking it would need.
        leastRoles: { read: 'basic', edit_agents: 'lead', manage_integrations: 'manager', replay_files: 'manager', manage_tokens: 'admin' },
      });
      for (const permission of permissions) expect(Roles.indexOf(response.body.leastRoles[permission])).toBeLessThanOrEqual(Roles.indexOf(role));
      expect(JSON.stringify(response.body)).not.toContain(org.tokens[role]);
    });

    it('agrees with what the API then allows: each permission opens exactly its routes', async () => {
      const me = async (role: Role) => (await org.as[role].get('/v1/me').expect(200)).body.permissions as string[];
      const basic = await me('basic');
      expect(basic).not.toContain('manage_integrations');
      expectProblem(await org.as.basic.post('/v1/sites').send({ name: 'x', timezone: 'UTC' }), 403);
      expect(await me('manager')).toContain('manage_integrations');
      await org.as.manager.post('/v1/sites').send({ name: 'Allowed by me', timezone: 'UTC' }).expect(201);
    });

    it('reads the role afresh on every call: a role changed in the database shows on the next one', async () => {
      const created = await org.as.admin.post('/v1/tokens').send({ name: 'promoted', role: 'basic' }).expect(201);
      const promoted = client(service.url, created.body.token);
      expect((await promoted.get('/v1/me').expect(200)).body).toMatchObject({ role: 'basic', token: { id: created.body.id, name: 'promoted' } });
      await withDatabase(database.url, (db) => db.query(`UPDATE api_tokens SET role = 'manager' WHERE id = $1`, [created.body.id]));
      expect((await promoted.get('/v1/me').expect(200)).body).toMatchObject({ role: 'manager', permissions: ['read', 'edit_agents', 'manage_integrations', 'replay_files'] });
      await org.as.admin.delete(`/v1/tokens/${created.body.id}`).expect(204);
      expectProblem(await promoted.get('/v1/me'), 401);
    });

    it('refuses a missing token and the operator token', async () => {
      expectProblem(await client(service.url, null).get('/v1/me'), 401);
      expectProblem(await client(service.url, OPERATOR_TOKEN).get('/v1/me'), 403);
    });

    it('is documented with its permissions enum', async () => {
      const document = (await client(service.url, null).get('/docs-json').expect(200)).body;
      expect(document.paths['/v1/me'].get.responses['200']).toBeDefined();
      expect(document.components.schemas.MeResponse.properties.permissions.items.enum).toEqual(['read', 'edit_agents', 'manage_integrations', 'replay_files', 'manage_tokens']);
      expect(document.components.schemas.MeResponse.properties.role.enum).toEqual(['basic', 'lead', 'manager', 'admin']);
    });
  });

  describe('who may do what', () => {
    it('asks for a bearer token, as problem+json with WWW-Authenticate', async () => {
      const missing = await client(service.url, null).get('/v1/sites');
      expectProblem(missing, 401);
      expect(missing.headers['www-authenticate']).toBe('Bearer');
      expect(missing.body).toEqual({ type: 'urn:problem:bpo-schedule-sync:unauthenticated', title: 'Missing or unknown token', status: 401, detail: expect.any(String), code: 'unauthenticated' });
      expectProblem(await client(service.url, 'bpo_not-a-token').get('/v1/sites'), 401);
      expectProblem(await client(service.url, null).get('/v1/sites').set('Authorization', 'Basic abc'), 401);
    });

    const boundaries = ROUTES.filter(([, , role]) => role !== 'operator' && role !== 'basic').map(([method, path, role]) => [method.toUpperCase(), path, role] as const);

    it.each(boundaries)('%s %s needs %s', async (method, path, role) => {
      const url = concrete(path);
      const below = Roles[Roles.indexOf(role as Role) - 1];
      const refused = await org.as[below].call(method.toLowerCase() as Method, url).send({});
      expectProblem(refused, 403);
      expect(refused.body.detail).toBe(`this needs a ${role} token (or higher); this token is ${below}`);
      const allowed = await org.as[role as Role].call(method.toLowerCase() as Method, url).send({});
      expect([401, 403]).not.toContain(allowed.status);
    });

    it.each(ROUTES.filter(([, , role]) => role === 'basic').map(([method, path]) => [method.toUpperCase(), path] as const))('%s %s is open to basic tokens', async (method, path) => {
      const response = await org.as.basic.call(method.toLowerCase() as Method, concrete(path)).send({});
      expect([401, 403]).not.toContain(response.status);
    });
  });

  describe('organizations never see each other', () => {
    let other: TestOrganization;
    const ids: Record<string, string> = {};

    beforeAll(async () => {
      other = await createOrganization(service.url, 'Initech');
      const { siteId, integrationId } = await createIntegratedSite(org.as.manager, 'Isolated BPO', 'verint');
      const eventType = await org.as.manager.post('/v1/event-types').send({ name: 'Isolated' }).expect(201);
      const rule = await org.as.manager.post(`/v1/integrations/${integrationId}/mapping-rules`).send({ matchType: 'exact', keyword: 'x', priority: 'high', eventTypeId: eventType.body.id }).expect(201);
      const agent = await org.as.lead.post('/v1/agents').send({ name: 'Ana', siteId, platformIds: { verint_sftp: 'V1' } }).expect(201);
      const schedule = await org.as.manager.post('/v1/schedules').send({ name: 'Tier 2' }).expect(201);
      const tokens = await org.as.admin.get('/v1/tokens').expect(200);
      const file = await insertReceivedFile(database.url, { organizationId: org.id, integrationId, filename: 'isolated.csv', content: Buffer.from('a,b\n') });
      Object.assign(ids, { siteId, integrationId, eventTypeId: eventType.body.id, ruleId: rule.body.id, agentId: agent.body.id, scheduleId: schedule.body.id, tokenId: tokens.body.items[0].id, fileId: file.fileId });
    });

    it.each([
      ['get', '/v1/sites/{{siteId}}', null],
      ['patch', '/v1/sites/{{siteId}}', { name: 'mine' }],
      ['delete', '/v1/sites/{{siteId}}', null],
      ['post', '/v1/sites/bpo', { siteIds: ['{{siteId}}'], isBpo: false }],
      ['post', '/v1/sites/{{siteId}}/integration', { platform: 'verint' }],
      ['get', '/v1/integrations/{{integrationId}}', null],
      ['patch', '/v1/integrations/{{integrationId}}', { syncPastEvents: true }],
      ['delete', '/v1/integrations/{{integrationId}}', null],
      ['post', '/v1/integrations/{{integrationId}}/credentials/rotate', null],
      ['get', '/v1/integrations/{{integrationId}}/ssh-keys', null],
      ['get', '/v1/integrations/{{integrationId}}/sftp-lockouts', null],
      ['get', '/v1/integrations/{{integrationId}}/mapping-rules', null],
      ['post', '/v1/integrations/{{integrationId}}/mapping-rules/preview', { activities: ['x'] }],
      ['patch', '/v1/integrations/{{integrationId}}/mapping-rules/{{ruleId}}', { keyword: 'y' }],
      ['delete', '/v1/integrations/{{integrationId}}/mapping-rules/{{ruleId}}', null],
      ['put', '/v1/integrations/{{integrationId}}/default-mapping', { eventTypeId: null }],
      ['get', '/v1/event-types/{{eventTypeId}}', null],
      ['patch', '/v1/event-types/{{eventTypeId}}', { name: 'mine' }],
      ['delete', '/v1/event-types/{{eventTypeId}}', null],
      ['get', '/v1/agents/{{agentId}}', null],
      ['patch', '/v1/agents/{{agentId}}', { name: 'mine' }],
      ['delete', '/v1/agents/{{agentId}}', null],
      ['get', '/v1/agents?siteId={{siteId}}', null],
      ['get', '/v1/schedules/{{scheduleId}}', null],
      ['patch', '/v1/schedules/{{scheduleId}}', { name: 'mine' }],
      ['delete', '/v1/schedules/{{scheduleId}}', null],
      ['delete', '/v1/tokens/{{tokenId}}', null],
      ['get', '/v1/events?scheduleId={{scheduleId}}', null],
      ['get', '/v1/integrations/{{integrationId}}/files', null],
      ['get', '/v1/integrations/{{integrationId}}/files/{{fileId}}', null],
      ['get', '/v1/integrations/{{integrationId}}/files/{{fileId}}/content', null],
      ['post', '/v1/integrations/{{integrationId}}/files/{{fileId}}/replay', null],
    ] as [Method, string, object | null][])('%s %s with another organization\'s ids answers 404', async (method, template, body) => {
      const fill = (text: string) => text.replace(/\{\{(\w+)\}\}/g, (_match, name: string) => ids[name]);
      const call = other.as.admin.call(method, fill(template));
      const response = await (body ? call.send(JSON.parse(fill(JSON.stringify(body)))) : call);
      expectProblem(response, 404);
      expect(response.body.code).toBe('not_found');
    });

    it('refuses another organization\'s ids inside bodies with 404', async () => {
      const { siteId, integrationId } = await createIntegratedSite(other.as.manager, 'Their BPO', 'verint');
      expectProblem(await other.as.lead.post('/v1/agents').send({ name: 'x', siteId: ids.siteId }), 404);
      expectProblem(await other.as.manager.patch(`/v1/integrations/${integrationId}`).send({ targetScheduleId: ids.scheduleId }), 404);
      expectProblem(await other.as.manager.put(`/v1/integrations/${integrationId}/default-mapping`).send({ eventTypeId: ids.eventTypeId }), 404);
      const rule = await other.as.manager.post(`/v1/integrations/${integrationId}/mapping-rules`).send({ matchType: 'exact', keyword: 'x', priority: 'high', eventTypeId: ids.eventTypeId });
      expectProblem(rule, 404);
      expect(rule.body.detail).toBe(`event type ${ids.eventTypeId} not found`);
      expect(siteId).toBeDefined();
    });

    it('lists only the organization\'s own data', async () => {
      for (const path of ['/v1/sites', '/v1/integrations', '/v1/event-types', '/v1/agents', '/v1/schedules', '/v1/events']) {
        const body = JSON.stringify((await other.as.admin.get(path).expect(200)).body);
        for (const id of Object.values(ids)) expect(body).not.toContain(id);
      }
    });
  });

  describe('errors are problem+json', () => {
    it('for validation: status, title, and each field\'s problems', async () => {
      const response = await org.as.manager.post('/v1/sites').send({ name: '', timezone: 'Nowhere/Land', isBpo: 'yes', colour: 'red' });
      expectProblem(response, 400);
      expect(response.body).toEqual({
        type: 'urn:problem:bpo-schedule-sync:validation',
        title: 'Invalid request',
        status: 400,
        code: 'validation',
        detail: '4 fields are invalid: colour, name, timezone, isBpo',
        errors: [
          { field: 'colour', problems: ['property colour should not exist'] },
          { field: 'name', problems: ['name must be longer than or equal to 1 characters'] },
          { field: 'timezone', problems: ['timezone must be an IANA time zone such as Europe/Paris'] },
          { field: 'isBpo', problems: ['isBpo must be a boolean value'] },
        ],
      });
    });

    it('for unknown query parameters, bad ids, malformed JSON, unknown routes, unknown platforms and bodies over the limit', async () => {
      expect(fieldProblems(await org.as.basic.get('/v1/events?color=red'), 'color')).toEqual(['property color should not exist']);
      expect(fieldProblems(await org.as.basic.get('/v1/sites/not-a-uuid'), 'id')).toEqual(['id must be a UUID']);
      const malformed = await org.as.manager.post('/v1/sites').set('Content-Type', 'application/json').send('{"name": ');
      expectProblem(malformed, 400);
      expect(malformed.body.type).toBe('about:blank');
      const unknown = await org.as.basic.get('/v1/nothing-here');
      expectProblem(unknown, 404);
      expect(unknown.body).toMatchObject({ type: 'about:blank', title: 'Not Found' });
      expectProblem(await org.as.basic.get('/v1/platforms/excel/template.csv'), 404);
      const tooLarge = await org.as.manager.post('/v1/sites').send({ name: 'x'.repeat(6 * 1024 * 1024), timezone: 'UTC' });
      expectProblem(tooLarge, 413);
      expect(tooLarge.body.title).toBe('Payload Too Large');
    });

    it('keeps /health as it is', async () => {
      const health = await client(service.url, null).get('/health').expect(200);
      expect(health.body).toMatchObject({ status: 'ok', service: 'config-api' });
    });
  });

  describe('OpenAPI document', () => {
    it('is served at /docs-json and lists every route with its method', async () => {
      const response = await client(service.url, null).get('/docs-json').expect(200);
      const document = response.body as { openapi: string; paths: Record<string, Record<string, unknown>> };
      expect(document.openapi).toMatch(/^3\./);
      for (const [method, path] of ROUTES) {
        expect(`${method} ${path}: ${Object.keys(document.paths[path] ?? {}).join(',')}`).toContain(method);
      }
      const documented = Object.entries(document.paths).flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method} ${path}`));
      expect(documented.filter((route) => !route.includes(' /health') && route !== 'get /metrics').sort()).toEqual(ROUTES.map(([method, path]) => `${method} ${path}`).sort());
    });

    it('documents bodies with their enums and the bearer scheme', async () => {
      const document = (await client(service.url, null).get('/docs-json').expect(200)).body;
      expect(document.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
      expect(document.components.schemas.CreateMappingRuleDto.properties.priority.enum).toEqual(['highest', 'high', 'medium', 'low', 'lowest']);
      expect(document.components.schemas.UpdateIntegrationDto.properties.replaceScope.enum).toEqual(['agents_in_file', 'all_site_agents']);
    });

    it('is browsable at /docs', async () => {
      const page = await client(service.url, null).get('/docs').redirects(1).expect(200);
      expect(page.text).toContain('swagger');
    });
  });
});
