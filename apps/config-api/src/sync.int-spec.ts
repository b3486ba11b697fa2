import { createHash, randomBytes } from 'node:crypto';
import type request from 'supertest';
import { decodeMessage, FileReceivedV1, MessageHeaders, Topics } from '@bpo/contracts';
import { physicalTopic } from '@bpo/messaging';
import { createTestDatabase, expectEventually, startTestService, testInfrastructure, TopicReader, uniqueName, type RunningService, type TestDatabase } from '@bpo/testing';
import { configApiService } from './config-api.service-definition';
import {
  createIntegratedSite,
  createOrganization,
  expectProblem,
  fieldProblems,
  insertReceivedFile,
  OPERATOR_TOKEN,
  withDatabase,
  type StoredFile,
  type TestOrganization,
} from './testing/config-api-test-kit';

/** supertest's parser for a binary body: the bytes as they came. */
const binary = (res: request.Response, done: (error: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  const stream = res as unknown as NodeJS.ReadableStream;
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  stream.on('end', () => done(null, Buffer.concat(chunks)));
};

describe('config-api: events, received files, sync reports and replays', () => {
  let database: TestDatabase;
  let service: RunningService;
  let namespace: string;
  let org: TestOrganization;
  let integrationId: string;
  let siteId: string;
  let older: StoredFile;
  let newer: StoredFile;
  const bigContent = randomBytes(3 * 1024 * 1024 + 123);

  beforeAll(async () => {
    database = await createTestDatabase();
    namespace = uniqueName('config-api');
    service = await startTestService(configApiService, { databaseUrl: database.url, namespace, env: { OPERATOR_TOKEN } });
    org = await createOrganization(service.url, 'Acme');
    ({ siteId, integrationId } = await createIntegratedSite(org.as.manager, 'Manila', 'custom'));
    older = await insertReceivedFile(database.url, {
      organizationId: org.id,
      integrationId,
      filename: 'week-44.csv',
      content: bigContent,
      chunkSize: 256 * 1024,
      receivedAt: new Date('2025-11-01T10:00:00Z'),
    });
    newer = await insertReceivedFile(database.url, {
      organizationId: org.id,
      integrationId,
      filename: 'week-45.csv',
      content: Buffer.from('agent_id,start_time\n'),
      receivedAt: new Date('2025-11-08T10:00:00Z'),
      errors: Array.from({ length: 150 }, (_, index) => ({ line: index + 2, code: 'unknown_agent', message: `agent A-${index} is not known at this site`, column: 'agent_id' })),
    });
  });
  afterAll(async () => {
    await service?.stop();
    await database?.drop();
  });

  describe('sync status and files', () => {
    it('shows the last sync on the integration: when, which file, how it went, and its errors', async () => {
      const response = await org.as.basic.get(`/v1/integrations/${integrationId}`).expect(200);
      expect(response.body).toMatchObject({
        lastSyncAt: '2025-11-08T10:00:02.000Z',
        lastSyncRunId: newer.syncRunId,
        lastStatus: 'succeeded_with_errors',
        lastFile: { id: newer.fileId, filename: 'week-45.csv', sizeBytes: 20, receivedAt: '2025-11-08T10:00:00.000Z' },
        lastErrorCount: 150,
      });
      expect(response.body.lastErrors).toHaveLength(100);
      expect(response.body.lastErrors[0]).toEqual({ line: 2, column: 'agent_id', code: 'unknown_agent', message: 'agent A-0 is not known at this site' });
      const list = await org.as.basic.get('/v1/integrations').expect(200);
      expect(list.body.items[0]).toMatchObject({ lastStatus: 'succeeded_with_errors', lastFile: { id: newer.fileId } });
    });

    it('lists received files newest first with status, counts and timings', async () => {
      const response = await org.as.basic.get(`/v1/integrations/${integrationId}/files`).expect(200);
      expect(response.body.nextCursor).toBeNull();
      expect(response.body.items.map((file: { filename: string }) => file.filename)).toEqual(['week-45.csv', 'week-44.csv']);
      expect(response.body.items[1]).toEqual({
        id: older.fileId,
        filename: 'week-44.csv',
        sizeBytes: bigContent.length,
        sha256: createHash('sha256').update(bigContent).digest('hex'),
        receivedAt: '2025-11-01T10:00:00.000Z',
        syncRun: {
          id: older.syncRunId,
          status: 'succeeded',
          stage: null,
          reason: null,
          counts: { rows: 10, created: 8, updated: 0, deleted: 0, unchanged: 0, skippedPast: 0, rowErrors: 0 },
          window: { from: '2025-11-03', to: '2025-11-09' },
          scheduleId: null,
          startedAt: '2025-11-01T10:00:00.000Z',
          finishedAt: '2025-11-01T10:00:02.000Z',
          durationMs: 2000,
          undelivered: [],
        },
      });
      const first = await org.as.basic.get(`/v1/integrations/${integrationId}/files?limit=1`).expect(200);
      expect(first.body.items.map((file: { id: string }) => file.id)).toEqual([newer.fileId]);
      const second = await org.as.basic.get(`/v1/integrations/${integrationId}/files?limit=1&cursor=${first.body.nextCursor}`).expect(200);
      expect(second.body.items.map((file: { id: string }) => file.id)).toEqual([older.fileId]);
    });

    it("names the run's messages that could never be published (outbox dead letters), with why", async () => {
      await withDatabase(database.url, (db) =>
        db.query(
          `INSERT INTO outbox_dead_letters (id, topic, message_key, payload, created_at, failed_at, encoded_bytes, failure)
           VALUES (900001, 'bpo.schedule.events-changed.v1', $1, json_build_object('syncRunId', $2::text, 'part', 3), now(), '2025-11-01T10:00:05Z', 11000000, 'message is 11000000 bytes, over the maximum')`,
          [integrationId, older.syncRunId],
        ),
      );
      const file = await org.as.basic.get(`/v1/integrations/${integrationId}/files/${older.fileId}`).expect(200);
      expect(file.body.syncRun.undelivered).toEqual([
        { topic: 'bpo.schedule.events-changed.v1', reason: 'message is 11000000 bytes, over the maximum', failedAt: '2025-11-01T10:00:05.000Z' },
      ]);
      const other = await org.as.basic.get(`/v1/integrations/${integrationId}/files/${newer.fileId}`).expect(200);
      expect(other.body.syncRun.undelivered).toEqual([]);
      await withDatabase(database.url, (db) => db.query('DELETE FROM outbox_dead_letters WHERE id = 900001'));
    });

    it('reports a file with every error, paged by cursor or offset', async () => {
      const base = `/v1/integrations/${integrationId}/files/${newer.fileId}`;
      const first = await org.as.basic.get(`${base}?limit=100`).expect(200);
      expect(first.body).toMatchObject({ id: newer.fileId, filename: 'week-45.csv', syncRun: { id: newer.syncRunId }, syncRuns: [{ id: newer.syncRunId }] });
      expect(first.body.errors.total).toBe(150);
      expect(first.body.errors.items).toHaveLength(100);
      const rest = await org.as.basic.get(`${base}?limit=100&cursor=${first.body.errors.nextCursor}`).expect(200);
      expect(rest.body.errors.items.map((error: { line: number }) => error.line)).toEqual(Array.from({ length: 50 }, (_, index) => index + 102));
      expect(rest.body.errors.nextCursor).toBeNull();
      const byOffset = await org.as.basic.get(`${base}?limit=10&offset=145`).expect(200);
      expect(byOffset.body.errors.items.map((error: { line: number }) => error.line)).toEqual([147, 148, 149, 150, 151]);
      expectProblem(await org.as.basic.get(`${base}?syncRunId=${older.syncRunId}`), 404);
      expectProblem(await org.as.basic.get(`/v1/integrations/${integrationId}/files/${crypto.randomUUID()}`), 404);
    });

    it('downloads the original bytes, streamed chunk by chunk', async () => {
      const response = await org.as.basic.get(`/v1/integrations/${integrationId}/files/${older.fileId}/content`).buffer(true).parse(binary).expect(200);
      expect(response.headers['content-type']).toBe('application/octet-stream');
      expect(response.headers['content-disposition']).toBe('attachment; filename="week-44.csv"');
      expect(Number(response.headers['content-length'])).toBe(bigContent.length);
      expect(Buffer.compare(response.body as Buffer, bigContent)).toBe(0);
    });

    it('replays a stored file: a new sync run and its file-received message, queued in the outbox and published', async () => {
      const reader = await new TopicReader<FileReceivedV1>(testInfrastructure().kafkaBrokers, physicalTopic({ namespace }, Topics.FileReceivedV1)).start();
      try {
        expectProblem(await org.as.lead.post(`/v1/integrations/${integrationId}/files/${older.fileId}/replay`), 403);
        const response = await org.as.manager.post(`/v1/integrations/${integrationId}/files/${older.fileId}/replay`).expect(202);
        const { syncRunId } = response.body;
        const [run] = await withDatabase(database.url, async (db) => (await db.query('SELECT * FROM sync_runs WHERE id = $1', [syncRunId])).rows);
        expect(run).toMatchObject({ status: 'processing', file_id: older.fileId, integration_id: integrationId, site_id: siteId, organization_id: org.id, finished_at: null });
        const [outbox] = await withDatabase(database.url, async (db) => (await db.query(`SELECT * FROM outbox WHERE payload->>'syncRunId' = $1`, [syncRunId])).rows);
        expect(outbox).toMatchObject({ topic: Topics.FileReceivedV1, message_key: integrationId, headers: { [MessageHeaders.MessageId]: `file-received:${syncRunId}` } });
        const decoded = decodeMessage(FileReceivedV1, JSON.stringify(outbox.payload));
        expect(decoded).toMatchObject({
          ok: true,
          message: {
            messageId: `file-received:${syncRunId}`,
            organizationId: org.id,
            integrationId,
            fileId: older.fileId,
            syncRunId,
            filename: 'week-44.csv',
            sizeBytes: bigContent.length,
            receivedAt: '2025-11-01T10:00:00.000Z',
            platform: 'custom',
            settings: { siteId },
          },
        });
        const published = await expectEventually(() => {
          const found = reader.messages.find((message) => message.value.syncRunId === syncRunId);
          expect(found).toBeDefined();
          return found!;
        });
        expect(published.key).toBe(integrationId);
        const status = await org.as.basic.get(`/v1/integrations/${integrationId}`).expect(200);
        expect(status.body).toMatchObject({ lastSyncRunId: syncRunId, lastStatus: 'processing', lastFile: { id: older.fileId }, lastErrors: [], lastErrorCount: 0 });
        const report = await org.as.basic.get(`/v1/integrations/${integrationId}/files/${older.fileId}`).expect(200);
        expect(report.body.syncRuns.map((candidate: { id: string }) => candidate.id)).toEqual([syncRunId, older.syncRunId]);
        // While that run is processing, another replay of the file is refused with the reason.
        const again = await org.as.manager.post(`/v1/integrations/${integrationId}/files/${older.fileId}/replay`);
        expectProblem(again, 409);
        expect(again.body.detail).toContain('still being processed');
      } finally {
        await reader.stop();
      }
    });
  });

  describe('events', () => {
    let agentA: string;
    let agentB: string;
    let eventType: string;
    let otherSchedule: string;

    beforeAll(async () => {
      agentA = (await org.as.lead.post('/v1/agents').send({ name: 'Ana', siteId, platformIds: { custom_platform_sftp: 'A-1' } }).expect(201)).body.id;
      const elsewhere = (await org.as.manager.post('/v1/sites').send({ name: 'Elsewhere', timezone: 'UTC' }).expect(201)).body.id;
      agentB = (await org.as.lead.post('/v1/agents').send({ name: 'Bo', siteId: elsewhere }).expect(201)).body.id;
      eventType = (await org.as.manager.post('/v1/event-types').send({ name: 'Phone', color: '#00ff00' }).expect(201)).body.id;
      otherSchedule = (await org.as.manager.post('/v1/schedules').send({ name: 'Other' }).expect(201)).body.id;
      await withDatabase(database.url, async (db) => {
        const insert = (scheduleId: string, agentId: string, start: string, hours: number, fileId: string | null) =>
          db.query(
            `INSERT INTO schedule_events (organization_id, schedule_id, agent_id, event_type_id, start_at, end_at, day, source_integration_id, source_file_id)
             VALUES ($1, $2, $3, $4, $5::timestamptz, $5::timestamptz + make_interval(hours => $6), ($5::timestamptz AT TIME ZONE 'UTC')::date, $7, $8)`,
            [org.id, scheduleId, agentId, eventType, start, hours, fileId ? integrationId : null, fileId],
          );
        for (let day = 3; day <= 7; day += 1) {
          await insert(org.defaultScheduleId, agentA, `2025-11-0${day}T08:00:00Z`, 8, newer.fileId);
          await insert(org.defaultScheduleId, agentB, `2025-11-0${day}T09:00:00Z`, 4, null);
        }
        await insert(otherSchedule, agentA, '2025-11-05T08:00:00Z', 1, null);
      });
    });

    it('lists events with agent, event type, UTC times and their source', async () => {
      const response = await org.as.basic.get(`/v1/events?scheduleId=${org.defaultScheduleId}&agentId=${agentA}&limit=1`).expect(200);
      expect(response.body.items).toEqual([
        {
          id: expect.stringMatching(/^\d+$/),
          scheduleId: org.defaultScheduleId,
          agent: { id: agentA, name: 'Ana', siteId },
          eventType: { id: eventType, name: 'Phone', color: '#00ff00' },
          startAt: '2025-11-03T08:00:00.000Z',
          endAt: '2025-11-03T16:00:00.000Z',
          day: '2025-11-03',
          source: { integrationId, fileId: newer.fileId, filename: 'week-45.csv' },
        },
      ]);
      expect(response.body.nextCursor).toEqual(expect.any(String));
    });

    it('filters by schedule, site, agent and time, and pages by cursor or offset', async () => {
      const all = await org.as.basic.get('/v1/events').expect(200);
      expect(all.body.items).toHaveLength(11);
      const bySchedule = await org.as.basic.get(`/v1/events?scheduleId=${otherSchedule}`).expect(200);
      expect(bySchedule.body.items.map((event: { startAt: string }) => event.startAt)).toEqual(['2025-11-05T08:00:00.000Z']);
      const bySite = await org.as.basic.get(`/v1/events?scheduleId=${org.defaultScheduleId}&siteId=${siteId}`).expect(200);
      expect(new Set(bySite.body.items.map((event: { agent: { id: string } }) => event.agent.id))).toEqual(new Set([agentA]));
      const window = await org.as.basic.get(`/v1/events?scheduleId=${org.defaultScheduleId}&from=2025-11-04T00:00:00Z&to=2025-11-06T00:00:00Z`).expect(200);
      expect(window.body.items.map((event: { startAt: string; agent: { name: string } }) => `${event.agent.name} ${event.startAt}`)).toEqual([
        'Ana 2025-11-04T08:00:00.000Z',
        'Bo 2025-11-04T09:00:00.000Z',
        'Ana 2025-11-05T08:00:00.000Z',
        'Bo 2025-11-05T09:00:00.000Z',
      ]);
      const pages: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { body: { items: { id: string }[]; nextCursor: string | null } } = await org.as.basic.get(`/v1/events?scheduleId=${org.defaultScheduleId}&limit=3${cursor ? `&cursor=${cursor}` : ''}`).expect(200);
        pages.push(...page.body.items.map((event) => event.id));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(pages).toHaveLength(10);
      expect(new Set(pages).size).toBe(10);
      const offset = await org.as.basic.get(`/v1/events?scheduleId=${org.defaultScheduleId}&limit=3&offset=3`).expect(200);
      expect(offset.body.items.map((event: { id: string }) => event.id)).toEqual(pages.slice(3, 6));
    });

    it.each([
      ['limit=0', 'limit'],
      ['limit=1001', 'limit'],
      ['from=yesterday', 'from'],
      ['from=2025-11-05T00:00:00Z&to=2025-11-04T00:00:00Z', 'to'],
      ['scheduleId=123', 'scheduleId'],
      ['offset=-1', 'offset'],
    ])('refuses %s', async (query, field) => {
      expect(fieldProblems(await org.as.basic.get(`/v1/events?${query}`), field).length).toBeGreaterThan(0);
    });

    it('answers 404 for filters naming unknown ids', async () => {
      expectProblem(await org.as.basic.get(`/v1/events?agentId=${crypto.randomUUID()}`), 404);
    });
  });
});
