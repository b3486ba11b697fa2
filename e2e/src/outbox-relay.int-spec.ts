import { randomBytes, randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { createDataSource } from '@bpo/persistence';
import { createTestDatabase, expectEventually, testInfrastructure, TopicReader, uniqueName, type ReadMessage, type TestDatabase } from '@bpo/testing';
import {
  BROKER_MAX_MESSAGE_BYTES,
  createKafka,
  encodedSize,
  enqueueMessages,
  ensureTopics,
  MessagePublisher,
  OutboxRelay,
  parseBrokers,
  physicalTopic,
  type EncodedMessage,
  type KafkaSettings,
  type OutboxRelayOptions,
} from '@bpo/messaging';

// The outbox relay against the real broker (message.max.bytes = 10 MiB) and database.

interface Body {
  id: string;
  key: string;
  seq: number;
  filler?: unknown;
}

const quiet = { error: () => undefined, log: () => undefined };

/** About `bytes` of JSON that compresses like real event lists (ids, times), not like a repeated letter. */
function eventsFiller(bytes: number): object[] {
  const events: object[] = [];
  for (let size = 0; size < bytes; size += 150) {
    events.push({ id: randomUUID(), agentId: randomUUID(), start: new Date(Date.now() + size * 1000).toISOString(), type: 'phones' });
  }
  return events;
}

describe('outbox relay against the real broker and database', () => {
  let database: TestDatabase;
  let settings: KafkaSettings;
  const dataSources: DataSource[] = [];
  const publishers: MessagePublisher[] = [];
  const relays: OutboxRelay[] = [];
  const readers: TopicReader<Body>[] = [];

  async function openDataSource(): Promise<DataSource> {
    const dataSource = createDataSource(database.url);
    await dataSource.initialize();
    dataSources.push(dataSource);
    return dataSource;
  }

  function publisher(kafka?: Kafka): MessagePublisher {
    const created = new MessagePublisher(kafka ?? createKafka(settings), settings);
    publishers.push(created);
    return created;
  }

  function relay(dataSource: DataSource, using: MessagePublisher, options: Partial<OutboxRelayOptions> = {}): OutboxRelay {
    const created = new OutboxRelay(dataSource, using, { pollMs: 50, maxBackoffMs: 400, logger: quiet, ...options });
    relays.push(created);
    return created;
  }

  /** A new topic in this file's namespace (3 partitions) and a reader of it from the start. */
  async function topicWithReader(name: string): Promise<{ topic: string; reader: TopicReader<Body> }> {
    const topic = `test.outbox.${name}.v1`;
    await ensureTopics(createKafka(settings), settings, [topic], false);
    const reader = await new TopicReader<Body>(testInfrastructure().kafkaBrokers, physicalTopic(settings, topic)).start();
    readers.push(reader);
    return { topic, reader };
  }

  async function enqueue(dataSource: DataSource, topic: string, bodies: Body[]): Promise<void> {
    await dataSource.transaction((manager) => enqueueMessages(manager, bodies.map((body) => ({ topic, key: body.key, value: body }))));
  }

  /**
   * Each expected message exactly once, and per key in queue order: the order of their outbox ids
   * (the order their transactions inserted them, which is not always `seq` when two services queue at once).
   */
  async function expectExactlyOnceInOrder(messages: ReadMessage<Body>[], expected: Body[]): Promise<void> {
    const ids = messages.map((message) => message.value.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(expected.map((body) => body.id).sort());
    const rows: { id: string; mid: string }[] = await dataSources[0].query(`SELECT id, payload->>'id' AS mid FROM outbox`);
    const queued = new Map(rows.map((row) => [row.mid, BigInt(row.id)]));
    const byKey = new Map<string, bigint[]>();
    for (const message of messages) {
      expect(message.key).toBe(message.value.key);
      byKey.set(message.value.key, [...(byKey.get(message.value.key) ?? []), queued.get(message.value.id)!]);
    }
    for (const order of byKey.values()) expect(order).toEqual([...order].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    settings = { brokers: parseBrokers(testInfrastructure().kafkaBrokers), clientId: 'outbox-relay-test', namespace: uniqueName('outbox') };
  });

  afterEach(async () => {
    await Promise.all(relays.splice(0).map((each) => each.stop()));
    await Promise.all(readers.splice(0).map((each) => each.stop()));
    await Promise.all(publishers.splice(0).map((each) => each.disconnect()));
    // Each test starts from an empty outbox.
    if (dataSources[0]) await dataSources[0].query('TRUNCATE outbox, outbox_dead_letters');
  });

  afterAll(async () => {
    await Promise.all(dataSources.map((each) => each.destroy()));
    await database?.drop();
  });

  it('publishes 300 messages of ~200 KB queued at once in byte-bounded requests, and a small one queued after them', async () => {
    const dataSource = await openDataSource();
    const { topic, reader } = await topicWithReader('large');
    const big: Body[] = Array.from({ length: 300 }, (_, seq) => ({ id: randomUUID(), key: `integration-${seq % 3}`, seq, filler: eventsFiller(200_000) }));
    await enqueue(dataSource, topic, big);
    const small: Body = { id: randomUUID(), key: 'integration-other', seq: 0 };
    await enqueue(dataSource, topic, [small]);

    const using = publisher();
    const requests: number[] = [];
    const send = using.send.bind(using);
    using.send = async (messages: readonly EncodedMessage[]) => {
      await send(messages);
      requests.push(messages.length === 1 ? 0 : messages.reduce((sum, message) => sum + encodedSize(message), 0));
    };
    const started = Date.now();
    const active = relay(dataSource, using);
    active.start();

    await expectEventually(() => expect(reader.messages.length).toBeGreaterThanOrEqual(301), { timeoutMs: 120_000, intervalMs: 250 });
    const elapsed = Date.now() - started;
    await expectExactlyOnceInOrder(reader.messages, [...big, small]);
    expect(reader.messages.find((message) => message.value.id === small.id)).toBeDefined();
    // Bounded by bytes, never by rows: every request of several messages stays within 1 MiB.
    expect(Math.max(...requests)).toBeLessThanOrEqual(using.limits.maxRequestBytes);
    expect(requests.length).toBeGreaterThanOrEqual(50);
    expect(active.stats()).toMatchObject({ active: true, published: 301, deadLettered: 0 });
    const [{ pending }] = await dataSource.query('SELECT count(*)::int AS pending FROM outbox WHERE published_at IS NULL');
    expect(pending).toBe(0);
    process.stdout.write(`outbox relay: 300 x ~200 KB + 1 published in ${elapsed} ms, ${requests.length} requests\n`);
  });

  it('dead-letters a message over the hard maximum with its reason, and publishes those queued after it, same key and others', async () => {
    const dataSource = await openDataSource();
    const { topic, reader } = await topicWithReader('oversize');
    const before: Body = { id: randomUUID(), key: 'a', seq: 0 };
    // 11 MB of JSON: over the broker's 10 MiB message.max.bytes, and so over the publisher's hard maximum.
    const huge: Body = { id: randomUUID(), key: 'a', seq: 1, filler: eventsFiller(11_000_000) };
    const after: Body[] = [
      { id: randomUUID(), key: 'a', seq: 2 },
      { id: randomUUID(), key: 'b', seq: 3 },
    ];
    await enqueue(dataSource, topic, [before, huge]);
    await enqueue(dataSource, topic, after);

    const active = relay(dataSource, publisher());
    active.start();
    await expectEventually(() => expect(reader.messages.map((message) => message.value.seq).sort()).toEqual([0, 2, 3]), { timeoutMs: 60_000 });

    const [dead] = await dataSource.query('SELECT topic, message_key, payload->>\'id\' AS id, encoded_bytes, failure FROM outbox_dead_letters');
    expect(dead).toMatchObject({ topic, message_key: 'a', id: huge.id });
    expect(dead.encoded_bytes).toBeGreaterThan(BROKER_MAX_MESSAGE_BYTES);
    expect(dead.failure).toMatch(/over the \d+-byte maximum/);
    expect(active.stats().deadLettered).toBe(1);
    expect(await active.countDeadLetters()).toBe(1);
    const [{ left }] = await dataSource.query('SELECT count(*)::int AS left FROM outbox WHERE published_at IS NULL');
    expect(left).toBe(0);
    await expectExactlyOnceInOrder(reader.messages, [before, ...after]);
  });

  it('dead-letters a message the broker refuses as too large when sent alone, and keeps going', async () => {
    const dataSource = await openDataSource();
    // A topic whose own limit (64 KiB) is below the publisher's maximum: only the broker can refuse.
    const topic = 'test.outbox.refused.v1';
    const kafka = new Kafka({ clientId: 'outbox-relay-test-admin', brokers: settings.brokers, logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic: physicalTopic(settings, topic), numPartitions: 3, replicationFactor: 1, configEntries: [{ name: 'max.message.bytes', value: '65536' }] }],
    });
    await admin.disconnect();
    const reader = await new TopicReader<Body>(testInfrastructure().kafkaBrokers, physicalTopic(settings, topic)).start();
    readers.push(reader);

    // Random bytes do not compress: 200 KB stays over 64 KiB after GZIP.
    const refused: Body = { id: randomUUID(), key: 'a', seq: 1, filler: randomBytes(150_000).toString('base64') };
    const sameKey: Body[] = [
      { id: randomUUID(), key: 'a', seq: 0 },
      refused,
      { id: randomUUID(), key: 'a', seq: 2 },
    ];
    const otherKey: Body = { id: randomUUID(), key: 'b', seq: 3 };
    await enqueue(dataSource, topic, [...sameKey, otherKey]);

    const active = relay(dataSource, publisher());
    active.start();
    await expectEventually(async () => expect(await active.countDeadLetters()).toBe(1), { timeoutMs: 60_000 });
    await expectEventually(() => expect(new Set(reader.messages.map((message) => message.value.seq))).toEqual(new Set([0, 2, 3])), { timeoutMs: 60_000 });

    const [dead] = await dataSource.query(`SELECT payload->>'id' AS id, failure FROM outbox_dead_letters`);
    expect(dead.id).toBe(refused.id);
    expect(dead.failure).toMatch(/MESSAGE_TOO_LARGE|RECORD_LIST_TOO_LARGE/);
    // Key a: exactly once, in order. (Key b shared the refused request on another partition, which
    // the broker may have accepted before the relay re-sent each message alone: at least once.)
    const keyA = reader.messages.filter((message) => message.key === 'a').map((message) => message.value.seq);
    expect(keyA).toEqual([0, 2]);
  });

  it('keeps retrying while the broker is unreachable, with backoff, and never dead-letters', async () => {
    const dataSource = await openDataSource();
    const topic = 'test.outbox.unreachable.v1';
    const body: Body = { id: randomUUID(), key: 'a', seq: 0 };
    await enqueue(dataSource, topic, [body]);
    // Nothing listens on port 1: every connection is refused.
    const nowhere = new Kafka({ clientId: 'outbox-relay-test', brokers: ['127.0.0.1:1'], connectionTimeout: 200, retry: { retries: 0 }, logLevel: logLevel.NOTHING });
    const failures: Error[] = [];
    const active = relay(dataSource, publisher(nowhere), { onError: (error) => failures.push(error) });
    active.start();
    await expectEventually(() => expect(failures.length).toBeGreaterThanOrEqual(3), { timeoutMs: 30_000 });
    expect(active.stats()).toMatchObject({ active: true, published: 0, deadLettered: 0 });
    expect(active.stats().consecutiveFailures).toBeGreaterThanOrEqual(3);
    expect(await active.countDeadLetters()).toBe(0);
    const [{ pending }] = await dataSource.query('SELECT count(*)::int AS pending FROM outbox WHERE published_at IS NULL');
    expect(pending).toBe(1);
  });

  it('two relays over one outbox publish each message exactly once, in order per key, across a hand-over', async () => {
    const [first, second] = [await openDataSource(), await openDataSource()];
    const { topic, reader } = await topicWithReader('two-relays');
    const relayOne = relay(first, publisher());
    const relayTwo = relay(second, publisher());
    relayOne.start();
    relayTwo.start();

    const sent: Body[] = [];
    let seq = 0;
    const queue = async (dataSource: DataSource, rounds: number) => {
      for (let round = 0; round < rounds; round += 1) {
        const bodies = Array.from({ length: 20 }, () => ({ id: randomUUID(), key: `k${seq % 5}`, seq: seq++, filler: eventsFiller(20_000) }));
        sent.push(...bodies);
        await enqueue(dataSource, topic, bodies);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    // Both services queue; one relay publishes, the other stands by.
    await Promise.all([queue(first, 10), queue(second, 10)]);
    await expectEventually(() => expect(relayOne.stats().active !== relayTwo.stats().active).toBe(true));
    const [activeRelay, standby] = relayOne.stats().active ? [relayOne, relayTwo] : [relayTwo, relayOne];
    // The active one stops (a service shutting down) while messages keep coming: the standby takes over.
    await Promise.all([queue(first, 10), activeRelay.stop()]);
    await queue(second, 10);
    await expectEventually(() => expect(reader.messages.length).toBeGreaterThanOrEqual(sent.length), { timeoutMs: 60_000 });
    // Give a duplicate, if any, time to show up.
    await new Promise((resolve) => setTimeout(resolve, 1000));

    await expectExactlyOnceInOrder(reader.messages, sent);
    expect(activeRelay.stats().published).toBeGreaterThan(0);
    expect(standby.stats().published).toBeGreaterThan(0);
    expect(activeRelay.stats().published + standby.stats().published).toBe(sent.length);
    expect(standby.stats().active).toBe(true);
  });

  it('after a failed send republishes nothing that was already acknowledged', async () => {
    const dataSource = await openDataSource();
    const { topic, reader } = await topicWithReader('fail-nth');
    const bodies: Body[] = Array.from({ length: 30 }, (_, seq) => ({ id: randomUUID(), key: `k${seq % 2}`, seq, filler: eventsFiller(300_000) }));
    await enqueue(dataSource, topic, bodies);

    // The 4th request fails as a broker outage would (nothing sent), then the broker is back.
    const using = publisher();
    const send = using.send.bind(using);
    let calls = 0;
    using.send = async (messages: readonly EncodedMessage[]) => {
      calls += 1;
      if (calls === 4) throw new Error('Connection error: connect ECONNREFUSED 127.0.0.1:9092');
      await send(messages);
    };
    const failures: Error[] = [];
    const active = relay(dataSource, using, { onError: (error) => failures.push(error) });
    active.start();
    await expectEventually(() => expect(reader.messages.length).toBeGreaterThanOrEqual(bodies.length), { timeoutMs: 60_000 });
    await new Promise((resolve) => setTimeout(resolve, 1000));

    expect(failures).toHaveLength(1);
    expect(calls).toBeGreaterThan(4);
    await expectExactlyOnceInOrder(reader.messages, bodies);
    expect(active.stats()).toMatchObject({ published: bodies.length, deadLettered: 0, consecutiveFailures: 0 });
  });

  it('a relay stopped mid-way leaves exactly the unacknowledged rows, which the next relay publishes once', async () => {
    const dataSource = await openDataSource();
    const { topic, reader } = await topicWithReader('stop-midway');
    const bodies: Body[] = Array.from({ length: 40 }, (_, seq) => ({ id: randomUUID(), key: `k${seq % 3}`, seq, filler: eventsFiller(300_000) }));
    await enqueue(dataSource, topic, bodies);

    const first = relay(dataSource, publisher());
    first.start();
    await expectEventually(() => expect(first.stats().requests).toBeGreaterThanOrEqual(3), { intervalMs: 5 });
    await first.stop();
    const published = first.stats().published;
    expect(published).toBeGreaterThan(0);
    expect(published).toBeLessThan(bodies.length);
    const [{ marked }] = await dataSource.query('SELECT count(*)::int AS marked FROM outbox WHERE published_at IS NOT NULL');
    expect(marked).toBe(published);
    await expectEventually(() => expect(reader.messages.length).toBe(published));

    const next = relay(dataSource, publisher());
    next.start();
    await expectEventually(() => expect(reader.messages.length).toBeGreaterThanOrEqual(bodies.length), { timeoutMs: 60_000 });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await expectExactlyOnceInOrder(reader.messages, bodies);
    expect(next.stats().published).toBe(bodies.length - published);
  });

  it('prunes published rows after a day and dead letters after 30 days, never pending rows', async () => {
    const dataSource = await openDataSource();
    await dataSource.query(`
      INSERT INTO outbox (topic, payload, published_at) VALUES ('t', '{"n":"old"}', now() - interval '25 hours'), ('t', '{"n":"recent"}', now());
      INSERT INTO outbox (topic, payload, created_at) VALUES ('t', '{"n":"pending"}', now() - interval '40 days');
      INSERT INTO outbox_dead_letters (id, topic, payload, created_at, failed_at, encoded_bytes, failure) VALUES
        (1000001, 't', '{"n":"old-dead"}', now(), now() - interval '31 days', 1, 'x'), (1000002, 't', '{"n":"dead"}', now(), now() - interval '29 days', 1, 'x')`);
    await new OutboxRelay(dataSource, publisher(), { logger: quiet }).prune();
    const left = await dataSource.query(`SELECT payload->>'n' AS n FROM outbox ORDER BY id`);
    expect(left.map((row: { n: string }) => row.n)).toEqual(['recent', 'pending']);
    const dead = await dataSource.query(`SELECT payload->>'n' AS n FROM outbox_dead_letters ORDER BY id`);
    expect(dead.map((row: { n: string }) => row.n)).toEqual(['dead']);
  });
});
