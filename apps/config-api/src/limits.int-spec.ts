import { createTestDatabase, startTestService, uniqueName, type RunningService, type TestDatabase } from '@bpo/testing';
import { encodeCursor, MAX_OFFSET } from './common/pagination.util';
import { configApiService } from './config-api.service-definition';
import { MAX_MAPPING_RULES_PER_INTEGRATION } from './mapping-rules/mapping-rules.repository';
import { client, createIntegratedSite, createOrganization, expectProblem, fieldProblems, insertReceivedFile, OPERATOR_TOKEN, withDatabase, type TestOrganization } from './testing/config-api-test-kit';

describe('config-api limits: health without a token, paging caps, forged cursors, mapping rule cap, replay lock', () => {
  let database: TestDatabase;
  let service: RunningService;
  let org: TestOrganization;
  let integrationId: string;
  let fileId: string;
  let errorsFileId: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    service = await startTestService(configApiService, { databaseUrl: database.url, namespace: uniqueName('limits'), env: { OPERATOR_TOKEN } });
    org = await createOrganization(service.url, 'Limits');
    ({ integrationId } = await createIntegratedSite(org.as.manager, 'Manila', 'custom'));
    ({ fileId } = await insertReceivedFile(database.url, { organizationId: org.id, integrationId, filename: 'week-1.csv', content: Buffer.from('agent_id\n') }));
    ({ fileId: errorsFileId } = await insertReceivedFile(database.url, {
      organizationId: org.id,
      integrationId,
      filename: 'week-2.csv',
      content: Buffer.from('agent_id\n'),
      errors: [{ line: 2, code: 'date_out_of_range', message: 'x', column: 'start_time' }],
    }));
  }, 120_000);

  afterAll(async () => {
    await service?.stop();
    await database?.drop();
  });

  describe('health', () => {
    const anonymous = () => client(service.url, null);

    it('GET /health/live answers ok without a token and without checking anything', async () => {
      const response = await anonymous().get('/health/live').expect(200);
      expect(response.body).toEqual({ status: 'ok' });
    });

    it('GET /health/ready answers only ok or error', async () => {
      const response = await anonymous().get('/health/ready').expect(200);
      expect(response.body).toEqual({ status: 'ok' });
    });

    it('GET /health keeps its documented shape, with no error text', async () => {
      const response = await anonymous().get('/health').expect(200);
      expect(response.body).toEqual({ status: 'ok', service: 'config-api', checks: { database: { status: 'up' }, kafka: { status: 'up' } } });
    });

    it('many probes at once all answer, from one shared round of checks', async () => {
      const answers = await Promise.all(Array.from({ length: 30 }, (_, index) => anonymous().get(['/health', '/health/ready', '/health/live'][index % 3])));
      expect(answers.map((answer) => answer.status)).toEqual(Array(30).fill(200));
    });
  });

  describe('offset paging is capped', () => {
    const routes = () => ['/v1/agents', `/v1/events?scheduleId=${org.defaultScheduleId}`, `/v1/integrations/${integrationId}/files`, `/v1/integrations/${integrationId}/files/${errorsFileId}`];

    it(`accepts offset up to ${MAX_OFFSET}`, async () => {
      for (const route of routes()) await org.as.basic.get(`${route}${route.includes('?') ? '&' : '?'}offset=${MAX_OFFSET}`).expect(200);
    });

    it(`refuses a deeper offset with 400 problem+json pointing to cursor paging`, async () => {
      for (const route of routes()) {
        const problems = fieldProblems(await org.as.basic.get(`${route}${route.includes('?') ? '&' : '?'}offset=${MAX_OFFSET + 1}`), 'offset');
        expect(problems).toEqual([`offset must not be greater than ${MAX_OFFSET}; page deeper with cursor (each page's nextCursor)`]);
      }
    });
  });

  describe('a malformed or forged cursor answers 400, never 500', () => {
    const uuid = '0d3b5f3e-8c1a-4c7e-9a55-2f1e0b7c9d10';
    const time = '2025-11-03 08:00:00.123+00';
    const cases = (): Array<[string, string, string]> => [
      ['agents: not base64 JSON', '/v1/agents', '%%%'],
      ['agents: a name with a NUL byte', '/v1/agents', encodeCursor(['Ana\u0000', uuid])],
      ['agents: an id that is no uuid', '/v1/agents', encodeCursor(['Ana', 'not-a-uuid'])],
      ['agents: three keys', '/v1/agents', encodeCursor(['Ana', uuid, 'x'])],
      ['events: a start that is no time', `/v1/events?scheduleId=${org.defaultScheduleId}`, encodeCursor(['yesterday', '1'])],
      ['events: month 13', `/v1/events?scheduleId=${org.defaultScheduleId}`, encodeCursor(['2025-13-03 08:00:00+00', '1'])],
      ['events: an id beyond bigint', `/v1/events?scheduleId=${org.defaultScheduleId}`, encodeCursor([time, '99999999999999999999'])],
      ['events: an id that is no number', `/v1/events?scheduleId=${org.defaultScheduleId}`, encodeCursor([time, '1 OR 1=1'])],
      ['files: a received time with an SQL tail', `/v1/integrations/${integrationId}/files`, encodeCursor([`${time}'; --`, uuid])],
      ['files: numbers for keys', `/v1/integrations/${integrationId}/files`, Buffer.from('[1,2]').toString('base64url')],
      ['file report: an error position beyond int', `/v1/integrations/${integrationId}/files/${errorsFileId}`, encodeCursor(['2147483648'])],
      ['file report: an error position that is no number', `/v1/integrations/${integrationId}/files/${errorsFileId}`, encodeCursor(['two'])],
    ];

    it('refuses each with a validation problem on cursor', async () => {
      for (const [name, route, cursor] of cases()) {
        const response = await org.as.basic.get(`${route}${route.includes('?') ? '&' : '?'}cursor=${cursor}`);
        expect([name, response.status]).toEqual([name, 400]);
        expect(fieldProblems(response, 'cursor')).toEqual(['cursor is not one this API gave out']);
      }
    });

    it('still accepts a well-formed cursor the client built itself', async () => {
      await org.as.basic.get(`/v1/agents?cursor=${encodeCursor(['Ana', uuid])}`).expect(200);
      await org.as.basic.get(`/v1/events?scheduleId=${org.defaultScheduleId}&cursor=${encodeCursor([time, '1'])}`).expect(200);
      await org.as.basic.get(`/v1/integrations/${integrationId}/files?cursor=${encodeCursor([time, uuid])}`).expect(200);
      await org.as.basic.get(`/v1/integrations/${integrationId}/files/${errorsFileId}?cursor=${encodeCursor(['0'])}`).expect(200);
    });
  });

  describe(`mapping rules are capped at ${MAX_MAPPING_RULES_PER_INTEGRATION} per integration`, () => {
    let capped: string;
    let eventTypeId: string;
    const rule = (keyword: string) => ({ matchType: 'exact', keyword, priority: 'medium', eventTypeId });
    const count = () => withDatabase(database.url, async (db) => (await db.query('SELECT count(*)::int AS n FROM mapping_rules WHERE integration_id = $1', [capped])).rows[0].n as number);

    beforeAll(async () => {
      ({ integrationId: capped } = await createIntegratedSite(org.as.manager, 'Cebu', 'custom'));
      eventTypeId = (await org.as.manager.post('/v1/event-types').send({ name: 'Phones' }).expect(201)).body.id;
      await withDatabase(database.url, (db) =>
        db.query(
          `INSERT INTO mapping_rules (integration_id, match_type, keyword, priority, event_type_id)
           SELECT $1, 'exact', 'activity ' || n, 'medium', $2 FROM generate_series(1, $3::int) n`,
          [capped, eventTypeId, MAX_MAPPING_RULES_PER_INTEGRATION - 1],
        ),
      );
    });

    it('adds the last allowed rule, then refuses with 409 problem+json saying why and what to do', async () => {
      await org.as.manager.post(`/v1/integrations/${capped}/mapping-rules`).send(rule('last one')).expect(201);
      const refused = await org.as.manager.post(`/v1/integrations/${capped}/mapping-rules`).send(rule('one too many'));
      expectProblem(refused, 409);
      expect(refused.body).toMatchObject({ code: 'mapping_rule_limit', title: 'Too many mapping rules' });
      expect(refused.body.detail).toBe(
        `the integration already has ${MAX_MAPPING_RULES_PER_INTEGRATION} mapping rules, the most allowed is ${MAX_MAPPING_RULES_PER_INTEGRATION}; delete rules it no longer needs, or cover several activities with one contains or pattern rule`,
      );
      expect(await count()).toBe(MAX_MAPPING_RULES_PER_INTEGRATION);
      // Other integrations keep their own allowance; editing an existing rule is still fine.
      await org.as.manager.post(`/v1/integrations/${integrationId}/mapping-rules`).send(rule('phones')).expect(201);
      const rules = await org.as.basic.get(`/v1/integrations/${capped}/mapping-rules`).expect(200);
      await org.as.manager.patch(`/v1/integrations/${capped}/mapping-rules/${rules.body.items[0].id}`).send({ keyword: 'renamed' }).expect(200);
    });

    it('lets exactly one of many concurrent requests take the last free place', async () => {
      const rules = await org.as.basic.get(`/v1/integrations/${capped}/mapping-rules`).expect(200);
      await org.as.manager.delete(`/v1/integrations/${capped}/mapping-rules/${rules.body.items[0].id}`).expect(204);
      const answers = await Promise.all(Array.from({ length: 6 }, (_, index) => org.as.manager.post(`/v1/integrations/${capped}/mapping-rules`).send(rule(`racer ${index}`))));
      expect(answers.map((answer) => answer.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
      expect(await count()).toBe(MAX_MAPPING_RULES_PER_INTEGRATION);
    });
  });

  describe('replay takes a real lock', () => {
    const replay = (id: string) => org.as.manager.post(`/v1/integrations/${integrationId}/files/${id}/replay`);
    const processingRuns = (id: string) => withDatabase(database.url, async (db) => (await db.query(`SELECT count(*)::int AS n FROM sync_runs WHERE file_id = $1 AND status = 'processing'`, [id])).rows[0].n as number);

    it('two concurrent replays of one file: exactly one starts (202), the other is refused (409)', async () => {
      const [first, second] = await Promise.all([replay(fileId), replay(fileId)]);
      expect([first.status, second.status].sort()).toEqual([202, 409]);
      const refused = first.status === 409 ? first : second;
      expectProblem(refused, 409);
      expect(refused.body.code).toBe('file_still_processing');
      expect(await processingRuns(fileId)).toBe(1);
    });

    it('many concurrent replays of one file, repeated: always exactly one run', async () => {
      for (let round = 0; round < 3; round += 1) {
        const { fileId: fresh } = await insertReceivedFile(database.url, { organizationId: org.id, integrationId, filename: `race-${round}.csv`, content: Buffer.from('agent_id\n') });
        const answers = await Promise.all(Array.from({ length: 8 }, () => replay(fresh)));
        expect(answers.map((answer) => answer.status).sort()).toEqual([202, 409, 409, 409, 409, 409, 409, 409]);
        expect(await processingRuns(fresh)).toBe(1);
      }
    });
  });
});
