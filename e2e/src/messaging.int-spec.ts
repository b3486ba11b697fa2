import { Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { deadLetterTopic, MessageHeaders } from '@bpo/contracts';
import { PersistenceModule } from '@bpo/persistence';
import { createTestDatabase, expectEventually, testInfrastructure, TopicReader, uniqueName, type TestDatabase } from '@bpo/testing';
import {
  ConsumerRegistry,
  enqueueMessages,
  MessagePublisher,
  MessagingLifecycle,
  MessagingModule,
  OutboxRelay,
  parseBrokers,
  PermanentMessageError,
  physicalTopic,
  type MessageConsumer,
  type ReceivedMessage,
} from '@bpo/messaging';

const TOPIC = 'test.messaging.v1';

describe('MessagingModule against the real broker', () => {
  let database: TestDatabase;
  let app: INestApplicationContext;
  let namespace: string;
  const received: ReceivedMessage[] = [];
  const deadLettered: string[] = [];
  let failuresBeforeSuccess = 0;
  let consumer: MessageConsumer;

  beforeAll(async () => {
    database = await createTestDatabase();
    namespace = uniqueName('msg');
    const settings = { brokers: parseBrokers(testInfrastructure().kafkaBrokers), clientId: 'messaging-test', namespace };

    // Registered in onModuleInit, as services do: consumers start once every module is ready.
    @Injectable()
    class TestConsumer implements OnModuleInit {
      constructor(private readonly registry: ConsumerRegistry) {}
      onModuleInit() {
        consumer = this.registry.register({
          groupId: 'messaging-test',
          topic: TOPIC,
          initialBackoffMs: 10,
          maxAttempts: 3,
          handle: async (message) => {
            const body = JSON.parse(message.value!.toString()) as { kind: string };
            if (body.kind === 'poison') throw new PermanentMessageError('not a message we understand');
            if (body.kind === 'flaky' && failuresBeforeSuccess++ < 2) throw new Error('transient');
            if (body.kind === 'broken') throw new Error('always fails');
            // Longer than the group's session timeout (10 s): kafkajs alone would not heartbeat meanwhile.
            if (body.kind === 'slow') await new Promise((resolve) => setTimeout(resolve, 16_000));
            received.push(message);
          },
          onDeadLetter: async ({ message }) => {
            deadLettered.push(JSON.parse(message.value!.toString()).kind);
          },
        });
      }
    }

    @Module({
      imports: [PersistenceModule.forRoot({ url: database.url }), MessagingModule.forRoot({ ...settings, topics: [TOPIC], outboxRelay: true })],
      providers: [TestConsumer],
    })
    class TestModule {}

    app = await NestFactory.createApplicationContext(TestModule, { logger: false });
  });

  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  it('produces and consumes through the shared module, keyed and acknowledged', async () => {
    await app.get(MessagePublisher).publish([{ topic: TOPIC, key: 'integration-1', value: { kind: 'plain', n: 1 } }]);
    const message = await expectEventually(() => {
      const found = received.find((m) => JSON.parse(m.value!.toString()).n === 1);
      expect(found).toBeDefined();
      return found!;
    });
    expect(message.key).toBe('integration-1');
    expect(message.topic).toBe(physicalTopic({ namespace }, TOPIC));
  });

  it('retries a failing message with backoff and then succeeds', async () => {
    await app.get(MessagePublisher).publish([{ topic: TOPIC, key: 'k', value: { kind: 'flaky' } }]);
    await expectEventually(() => expect(received.some((m) => JSON.parse(m.value!.toString()).kind === 'flaky')).toBe(true));
    expect(failuresBeforeSuccess).toBe(3);
  });

  it('dead-letters poison and always-failing messages with the error, and goes on with the next', async () => {
    const reader = await new TopicReader<{ kind: string }>(testInfrastructure().kafkaBrokers, physicalTopic({ namespace }, deadLetterTopic(TOPIC))).start();
    try {
      await app.get(MessagePublisher).publish([
        { topic: TOPIC, key: 'k', value: { kind: 'poison' } },
        { topic: TOPIC, key: 'k', value: { kind: 'broken' } },
        { topic: TOPIC, key: 'k', value: { kind: 'after', n: 2 } },
      ]);
      await expectEventually(() => expect(reader.messages.map((m) => m.value.kind).sort()).toEqual(['broken', 'poison']));
      const broken = reader.messages.find((m) => m.value.kind === 'broken')!;
      expect(broken.headers[MessageHeaders.Error]).toBe('always fails');
      expect(broken.headers[MessageHeaders.Attempts]).toBe('3');
      expect(reader.messages.find((m) => m.value.kind === 'poison')!.headers[MessageHeaders.Attempts]).toBe('1');
      expect(deadLettered.sort()).toEqual(['broken', 'poison']);
      await expectEventually(() => expect(received.some((m) => JSON.parse(m.value!.toString()).n === 2)).toBe(true));
    } finally {
      await reader.stop();
    }
  });

  it('keeps its group membership through a handler that works longer than the session timeout: no rebalance, no redelivery', async () => {
    const joinsBefore = consumer.joins;
    const publisher = app.get(MessagePublisher);
    await publisher.publish([{ topic: TOPIC, key: 'slow', value: { kind: 'slow', n: 1 } }]);
    await publisher.publish([{ topic: TOPIC, key: 'slow', value: { kind: 'after-slow' } }]);
    await expectEventually(() => expect(received.some((m) => JSON.parse(m.value!.toString()).kind === 'after-slow')).toBe(true), { timeoutMs: 60_000 });
    expect(received.filter((m) => JSON.parse(m.value!.toString()).kind === 'slow')).toHaveLength(1);
    expect(consumer.joins).toBe(joinsBefore);
  }, 90_000);

  it('publishes outbox rows committed in a transaction', async () => {
    const dataSource = app.get(DataSource);
    await dataSource.transaction(async (manager) => {
      await enqueueMessages(manager, [{ topic: TOPIC, key: 'k', value: { kind: 'from-outbox', n: 3 } }]);
    });
    app.get(MessagingLifecycle).wakeRelay();
    await expectEventually(() => expect(received.some((m) => JSON.parse(m.value!.toString()).n === 3)).toBe(true));
    const [{ pending }] = await dataSource.query('SELECT count(*)::int AS pending FROM outbox WHERE published_at IS NULL');
    expect(pending).toBe(0);
  });

  it('prunes published outbox rows after a day, never pending ones', async () => {
    const dataSource = app.get(DataSource);
    await dataSource.query(`INSERT INTO outbox (topic, payload, published_at) VALUES ('t', '{"old":true}', now() - interval '2 days'), ('t', '{"recent":true}', now())`);
    // A pending row (the relay may publish it meanwhile, which leaves it recent): never pruned.
    await dataSource.query(`INSERT INTO outbox (topic, payload, created_at) VALUES ($1, '{"kind":"pending"}', now() - interval '3 days')`, [TOPIC]);
    await new OutboxRelay(dataSource, app.get(MessagePublisher)).prune();
    const left = await dataSource.query(`SELECT payload FROM outbox WHERE topic = 't' OR payload->>'kind' = 'pending' ORDER BY id`);
    expect(left).toEqual([{ payload: { recent: true } }, { payload: { kind: 'pending' } }]);
  });
});
