import * as iconv from 'iconv-lite';
import { createTestDatabase, startTestService, uniqueName, type RunningService, type TestDatabase } from '@bpo/testing';
import { configApiService } from './config-api.service-definition';
import { createIntegratedSite, createOrganization, expectProblem, OPERATOR_TOKEN, withDatabase, type TestOrganization } from './testing/config-api-test-kit';

/** YYYY-MM-DD, `days` after today (UTC; the site is in New York, a few hours behind at most). */
const dayAhead = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

describe('config-api: POST /v1/integrations/{id}/files/check, a dry run of a file', () => {
  let database: TestDatabase;
  let service: RunningService;
  let org: TestOrganization;
  let integrationId: string;
  let phones: string;
  let agentA: string;
  let agentB: string;
  const d1 = dayAhead(10);
  const d2 = dayAhead(11);

  /** Everything a sync would write, to show that a check writes none of it. */
  const written = () =>
    withDatabase(database.url, async (db) => {
      const rows = async (sql: string) => (await db.query(sql)).rows;
      return {
        events: await rows('SELECT id, agent_id, event_type_id, start_at, end_at, day, source_file_id, updated_at FROM schedule_events ORDER BY id'),
        syncRuns: await rows('SELECT count(*)::int AS n FROM sync_runs'),
        files: await rows('SELECT count(*)::int AS n FROM received_files'),
        outbox: await rows('SELECT count(*)::int AS n FROM outbox'),
        dayVersions: await rows('SELECT count(*)::int AS n FROM integration_day_versions'),
        frozenRules: await rows('SELECT count(*)::int AS n FROM sync_run_mapping_rules'),
      };
    });

  beforeAll(async () => {
    database = await createTestDatabase();
    service = await startTestService(configApiService, { databaseUrl: database.url, namespace: uniqueName('config-api-check'), env: { OPERATOR_TOKEN } });
    org = await createOrganization(service.url, 'Acme');
    const site = await createIntegratedSite(org.as.manager, 'Manila', 'custom');
    integrationId = site.integrationId;
    phones = (await org.as.manager.post('/v1/event-types').send({ name: 'Phones' }).expect(201)).body.id;
    await org.as.manager.post(`/v1/integrations/${integrationId}/mapping-rules`).send({ matchType: 'exact', keyword: 'Phones', priority: 'high', eventTypeId: phones }).expect(201);
    agentA = (await org.as.lead.post('/v1/agents').send({ name: 'Ana', siteId: site.siteId, platformIds: { custom_platform_sftp: 'A1' } }).expect(201)).body.id;
    agentB = (await org.as.lead.post('/v1/agents').send({ name: 'Bo', siteId: site.siteId, platformIds: { custom_platform_sftp: 'A2' } }).expect(201)).body.id;
    // What an earlier file wrote (New York is UTC-5 in winter, UTC-4 in summer: local 09:00 either way below).
    await withDatabase(database.url, async (db) => {
      const insert = (agentId: string, day: string, from: string, to: string) =>
        db.query(
          `INSERT INTO schedule_events (organization_id, schedule_id, agent_id, event_type_id, start_at, end_at, day, source_integration_id)
           VALUES ($1, $2, $3, $4, ($5::date + $6::time) AT TIME ZONE 'America/New_York', ($5::date + $7::time) AT TIME ZONE 'America/New_York', $5::date, $8)`,
          [org.id, org.defaultScheduleId, agentId, phones, day, from, to, integrationId],
        );
      await insert(agentA, d1, '09:00', '17:00'); // the file has it as it is: unchanged
      await insert(agentA, d2, '09:00', '17:00'); // the file ends it at 18:00: updated
      await insert(agentB, d1, '10:00', '12:00'); // B is in the file, but not on d1: deleted
    });
  });
  afterAll(async () => {
    await service?.stop();
    await database?.drop();
  });

  it('answers what a sync would create, update and delete, with row errors, unknown agents and unmapped activities, and writes nothing', async () => {
    const before = await written();
    const csv = [
      'agent_id,start_time,end_time,activity',
      `A1,${d1}T09:00:00,${d1}T17:00:00,Phones`,
      `A1,${d2}T09:00:00,${d2}T18:00:00,Phones`,
      `A2,${d2}T09:00:00,${d2}T17:00:00,phones`,
      `X9,${d1}T09:00:00,${d1}T17:00:00,Phones`,
      `A1,${d1}T18:00:00,${d1}T19:00:00,Gardening`,
      `A1,yesterday,${d1}T17:00:00,Phones`,
      `X9,${d2}T09:00:00,${d2}T17:00:00,Phones`,
    ].join('\n');
    const response = await org.as.basic.post(`/v1/integrations/${integrationId}/files/check`).set('Content-Type', 'text/csv').send(csv).expect(200);
    expect(response.body).toEqual({
      status: 'succeeded_with_errors',
      reason: null,
      counts: { rows: 7, created: 1, updated: 1, deleted: 1, unchanged: 1, skippedPast: 0, rowErrors: 4 },
      window: { from: d1, to: d2 },
      days: { applied: [d1, d2], superseded: [] },
      errors: {
        items: [
          { line: 5, column: 'agent_id', code: 'unknown_agent', message: 'no agent of the site has platform id "X9": 2 rows (lines 5, 8)' },
          { line: 6, column: 'activity', code: 'unmapped_activity', message: 'activity "Gardening" matches no mapping rule and the integration has no default mapping' },
          { line: 7, column: 'start_time', code: 'invalid_time', message: expect.stringContaining("'yesterday' is not a date and time") },
        ],
        total: 3,
      },
      scheduleId: org.defaultScheduleId,
      checkedAt: expect.any(String),
    });
    expect(await written()).toEqual(before);
  });

  it('reads the bytes in the integration’s encoding (application/octet-stream), and reports a file that fails as a whole', async () => {
    await org.as.manager.patch(`/v1/integrations/${integrationId}`).send({ encoding: 'windows-1252' }).expect(200);
    try {
      const latin = iconv.encode(`agent_id,agent_name,start_time,end_time,activity\nA1,Jörg,${d1}T09:00:00,${d1}T17:00:00,Phones\n`, 'windows-1252');
      const read = await org.as.basic.post(`/v1/integrations/${integrationId}/files/check`).set('Content-Type', 'application/octet-stream').send(latin).expect(200);
      // A1 keeps d1 as it is; A1's d2 event is outside the window, B is not in the file: nothing else changes.
      expect(read.body).toMatchObject({ status: 'succeeded', counts: { rows: 1, created: 0, updated: 0, deleted: 0, unchanged: 1, rowErrors: 0 }, window: { from: d1, to: d1 } });
    } finally {
      await org.as.manager.patch(`/v1/integrations/${integrationId}`).send({ encoding: 'utf-8' }).expect(200);
    }
    const failed = await org.as.basic.post(`/v1/integrations/${integrationId}/files/check`).set('Content-Type', 'text/csv').send('agent_id,start_time,end_time\nA1,x,y\n').expect(200);
    expect(failed.body).toMatchObject({ status: 'failed', reason: expect.stringContaining('line 1: the header lacks required'), window: null, errors: { items: [], total: 0 } });
    const empty = await org.as.basic.post(`/v1/integrations/${integrationId}/files/check`).expect(200);
    expect(empty.body).toMatchObject({ status: 'failed', reason: 'the file is empty' });
  });

  it('is 404 for another organization’s integration, and 413 for a file over 5 MiB', async () => {
    const other = await createOrganization(service.url, 'Other');
    expectProblem(await other.as.admin.post(`/v1/integrations/${integrationId}/files/check`).set('Content-Type', 'text/csv').send('agent_id\n'), 404);
    const big = `agent_id,start_time,end_time,activity\n${`A1,${d1}T09:00:00,${d1}T17:00:00,Phones\n`.repeat(Math.ceil((5.5 * 1024 * 1024) / 48))}`;
    expectProblem(await org.as.basic.post(`/v1/integrations/${integrationId}/files/check`).set('Content-Type', 'text/csv').send(big), 413);
  });

  it('is in the OpenAPI document, taking the file as text/csv or application/octet-stream', async () => {
    const document = (await org.as.basic.get('/docs-json').expect(200)).body;
    const operation = document.paths['/v1/integrations/{id}/files/check'].post;
    expect(Object.keys(operation.requestBody.content)).toEqual(['text/csv', 'application/octet-stream']);
    expect(operation.responses['200'].content['application/json'].schema.$ref).toContain('FileCheckResponse');
  });
});
