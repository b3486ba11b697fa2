import type { DataSource } from 'typeorm';
import { createDataSource } from '@bpo/persistence';
import { createTestDatabase, type TestDatabase } from '@bpo/testing';
import { enqueueRenderedPayloads, undeliveredBySyncRun } from '@bpo/messaging';

// Messaging's own SQL on outbox and outbox_dead_letters, against the real database (no broker needed).

const RUN_A = '0b6f3c1e-2a44-4b7e-9d35-3f1e6a0c0a01';
const RUN_B = '0b6f3c1e-2a44-4b7e-9d35-3f1e6a0c0b02';
const RUN_NONE = '0b6f3c1e-2a44-4b7e-9d35-3f1e6a0c0c03';

describe("messaging's outbox tables against the real database", () => {
  let database: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = createDataSource(database.url);
    await dataSource.initialize();
  });

  afterEach(() => dataSource.query('TRUNCATE outbox, outbox_dead_letters'));

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  describe('enqueueRenderedPayloads', () => {
    it('queues each rendered payload as one row of the topic and key, byte for byte, in the given order, with empty headers', async () => {
      // Spacing and key order are kept: the payload is stored as the text it was rendered to.
      const payloads = ['{"part":1, "b":2,"a":1}', '{"part":2,"created":[{"id":"7"}]}', '{"part":3}'];
      await dataSource.transaction((manager) => enqueueRenderedPayloads(manager, 'test.rendered.v1', 'integration-1', payloads));
      const rows: Array<{ topic: string; message_key: string; payload: string; headers: object; published_at: Date | null }> = await dataSource.query(
        'SELECT topic, message_key, payload::text AS payload, headers, published_at FROM outbox ORDER BY id',
      );
      expect(rows).toEqual(payloads.map((payload) => ({ topic: 'test.rendered.v1', message_key: 'integration-1', payload, headers: {}, published_at: null })));
    });

    it('stores a payload given as UTF-8 bytes as the same text, and refuses bytes that are not JSON', async () => {
      const text = '{"part":1,"name":"Zoë – 早班","created":[]}';
      await dataSource.transaction((manager) => enqueueRenderedPayloads(manager, 'test.rendered.v1', 'k', [Buffer.from(text, 'utf8'), '{"part":2}']));
      expect(await dataSource.query('SELECT payload::text AS payload FROM outbox ORDER BY id')).toEqual([{ payload: text }, { payload: '{"part":2}' }]);
      await expect(dataSource.transaction((manager) => enqueueRenderedPayloads(manager, 'test.rendered.v1', 'k', [Buffer.from('{"part":')]))).rejects.toThrow(/json/i);
    });

    it('queues under a null key, and queues nothing for no payloads', async () => {
      await dataSource.transaction(async (manager) => {
        await enqueueRenderedPayloads(manager, 'test.rendered.v1', 'integration-1', []);
        await enqueueRenderedPayloads(manager, 'test.rendered.v1', null, ['{"n":1}']);
      });
      expect(await dataSource.query('SELECT message_key, payload::text AS payload FROM outbox')).toEqual([{ message_key: null, payload: '{"n":1}' }]);
    });

    it('queues nothing when the transaction rolls back', async () => {
      await expect(
        dataSource.transaction(async (manager) => {
          await enqueueRenderedPayloads(manager, 'test.rendered.v1', 'k', ['{"n":1}']);
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      expect(await dataSource.query('SELECT * FROM outbox')).toEqual([]);
    });
  });

  describe('undeliveredBySyncRun', () => {
    async function deadLetter(id: number, payload: object, failure: string, failedAt: string, topic = 'bpo.schedule.events-changed.v1'): Promise<void> {
      await dataSource.query(
        `INSERT INTO outbox_dead_letters (id, topic, message_key, payload, created_at, failed_at, encoded_bytes, failure)
         VALUES ($1, $2, 'k', $3::json, now(), $4, 11000000, $5)`,
        [id, topic, JSON.stringify(payload), failedAt, failure],
      );
    }

    it("names each run's dead letters in queue order, with why and when; runs without any are absent", async () => {
      // Inserted out of id order: the queue order (id) decides, not the insert.
      await deadLetter(30, { syncRunId: RUN_A, part: 3 }, 'part 3 is too large', '2025-11-01T10:00:07.250Z');
      await deadLetter(10, { syncRunId: RUN_A, part: 1 }, 'part 1 is too large', '2025-11-01T10:00:05Z', 'bpo.sync.status.v1');
      await deadLetter(20, { syncRunId: RUN_B }, 'refused', '2025-11-02T08:00:00Z');
      await deadLetter(40, { other: RUN_A }, 'names no run', '2025-11-02T08:00:00Z');
      const undelivered = await undeliveredBySyncRun(dataSource.manager, [RUN_A, RUN_B, RUN_NONE]);
      expect([...undelivered.keys()].sort()).toEqual([RUN_A, RUN_B]);
      expect(undelivered.get(RUN_A)).toEqual([
        { topic: 'bpo.sync.status.v1', reason: 'part 1 is too large', failedAt: new Date('2025-11-01T10:00:05Z') },
        { topic: 'bpo.schedule.events-changed.v1', reason: 'part 3 is too large', failedAt: new Date('2025-11-01T10:00:07.250Z') },
      ]);
      expect(undelivered.get(RUN_B)).toEqual([{ topic: 'bpo.schedule.events-changed.v1', reason: 'refused', failedAt: new Date('2025-11-02T08:00:00Z') }]);
      expect(await undeliveredBySyncRun(dataSource.manager, [RUN_B])).toEqual(new Map([[RUN_B, undelivered.get(RUN_B)]]));
      expect(await undeliveredBySyncRun(dataSource.manager, [])).toEqual(new Map());
    });
  });
});
