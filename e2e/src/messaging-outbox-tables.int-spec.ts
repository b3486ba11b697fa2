import type { DataSource } from 'typeorm';
import { createDataSource } from '@bpo/persistence';
import { createTestDatabase, type TestDatabase } from '@bpo/testing';
import { keepDeadLetter, undeliveredBySyncRun } from '@bpo/messaging';

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

  describe('keepDeadLetter', () => {
    it('keeps a message sent straight to Kafka that the broker refused, with its reason, its size and a fresh id beside the relay\'s', async () => {
      // An outbox row takes an id first: the dead letter's id comes after it, from the same sequence.
      await dataSource.query(`INSERT INTO outbox (topic, message_key, payload) VALUES ('test.v1', 'k', '{"n":1}')`);
      const [{ id: outboxId }] = await dataSource.query('SELECT id FROM outbox');
      const text = `{"syncRunId":"${RUN_A}","part":2,"name":"Zoë – 早班"}`;
      await keepDeadLetter(dataSource, { topic: 'bpo.schedule.events-changed.v1', key: 'integration-1', value: Buffer.from(text, 'utf8') }, 12_000_000, 'broker refused the message: MESSAGE_TOO_LARGE');
      await keepDeadLetter(dataSource.manager, { topic: 'test.v1', key: null, value: '{"n":2}', headers: { traceparent: 't' } }, 7, 'refused');
      const rows: Array<{ id: string; topic: string; message_key: string | null; payload: object; headers: object; encoded_bytes: number; failure: string }> = await dataSource.query(
        'SELECT id, topic, message_key, payload, headers, encoded_bytes, failure FROM outbox_dead_letters ORDER BY id',
      );
      expect(rows).toEqual([
        { id: expect.any(String), topic: 'bpo.schedule.events-changed.v1', message_key: 'integration-1', payload: JSON.parse(text), headers: {}, encoded_bytes: 12_000_000, failure: 'broker refused the message: MESSAGE_TOO_LARGE' },
        { id: expect.any(String), topic: 'test.v1', message_key: null, payload: { n: 2 }, headers: { traceparent: 't' }, encoded_bytes: 7, failure: 'refused' },
      ]);
      expect(BigInt(rows[0].id)).toBeGreaterThan(BigInt(outboxId));
      expect(BigInt(rows[1].id)).toBeGreaterThan(BigInt(rows[0].id));
      // The sync pages see it as their run's.
      expect((await undeliveredBySyncRun(dataSource.manager, [RUN_A])).get(RUN_A)).toEqual([
        { topic: 'bpo.schedule.events-changed.v1', reason: 'broker refused the message: MESSAGE_TOO_LARGE', failedAt: expect.any(Date) },
      ]);
    });

    it('refuses a value that is not JSON and keeps nothing', async () => {
      await expect(keepDeadLetter(dataSource, { topic: 'test.v1', key: 'k', value: Buffer.from('{"part":') }, 8, 'refused')).rejects.toThrow(/json/i);
      expect(await dataSource.query('SELECT * FROM outbox_dead_letters')).toEqual([]);
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
