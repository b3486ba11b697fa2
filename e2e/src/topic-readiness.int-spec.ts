import { Kafka, logLevel } from 'kafkajs';
import { deadLetterTopic } from '@bpo/contracts';
import { expectEventually, testInfrastructure, uniqueName } from '@bpo/testing';
import { createKafka, ensureTopics, MessageConsumer, MessagePublisher, parseBrokers, physicalTopic, type KafkaSettings, type ReceivedMessage } from '@bpo/messaging';

// What `npm start` does on a fresh broker: six services create overlapping topics at the same
// moment and subscribe right away. Before topics were awaited until served, some of them failed
// with "This server does not host this topic-partition" most of the time.
describe('topics are served before anyone subscribes', () => {
  const brokers = parseBrokers(testInfrastructure().kafkaBrokers);
  const quiet = (clientId: string) => new Kafka({ clientId, brokers, logLevel: logLevel.NOTHING, retry: { retries: 0 } });
  const stages = ['file-received', 'rows-parsed', 'rows-mapped', 'rows-resolved', 'file-failed', 'sync-status'];

  it.each([1, 2, 3])('six services ensuring overlapping topics at once can all subscribe and produce at once (round %i)', async () => {
    const namespace = uniqueName('ready');
    const partitions = 5;
    const services = stages.map((stage, i) => {
      const settings: KafkaSettings = { brokers, clientId: `svc-${i}`, namespace, topicPartitions: partitions };
      return { settings, kafka: createKafka(settings), topics: [`t.${stage}.v1`, `t.${stages[(i + 1) % stages.length]}.v1`] };
    });

    const outcomes = await Promise.allSettled(
      services.map(async ({ settings, kafka, topics }, i) => {
        await ensureTopics(kafka, settings, topics);
        // No retries from here on: right after ensureTopics, the topics must be served.
        const client = quiet(`svc-${i}-check`);
        const consumer = client.consumer({ groupId: `${namespace}-g${i}`, allowAutoTopicCreation: false, retry: { retries: 0 } });
        const producer = client.producer({ allowAutoTopicCreation: false, retry: { retries: 0 } });
        await consumer.connect();
        await producer.connect();
        try {
          await consumer.subscribe({ topics: topics.map((topic) => physicalTopic(settings, topic)), fromBeginning: true });
          for (const topic of topics.flatMap((name) => [name, deadLetterTopic(name)])) {
            await producer.send({
              topic: physicalTopic(settings, topic),
              acks: -1,
              messages: Array.from({ length: partitions }, (_, partition) => ({ partition, value: `hello ${i}` })),
            });
          }
        } finally {
          await producer.disconnect();
          await consumer.disconnect();
        }
      }),
    );
    const failures = outcomes.flatMap((outcome, i) => (outcome.status === 'rejected' ? [`service ${i}: ${(outcome.reason as Error).message}`] : []));
    expect(failures).toEqual([]);

    const admin = quiet('check').admin();
    await admin.connect();
    try {
      const metadata = await admin.fetchTopicMetadata({ topics: stages.map((stage) => `${namespace}.t.${stage}.v1`) });
      expect(metadata.topics.map((topic) => topic.partitions.length)).toEqual(stages.map(() => partitions));
    } finally {
      await admin.disconnect();
    }
  });

  it('an existing topic keeps its partitions, and a different KAFKA_TOPIC_PARTITIONS is reported, not applied', async () => {
    const namespace = uniqueName('count');
    const logs: { message: string; fields: object }[] = [];
    // "not served yet" notes are expected right after creating a topic; the rest must be exactly these.
    const log = (_level: string, message: string, fields: object) => void (message !== 'topics not served yet, waiting' && logs.push({ message, fields }));
    await ensureTopics(createKafka({ brokers, clientId: 'first', namespace, topicPartitions: 2 }), { brokers, clientId: 'first', namespace, topicPartitions: 2 }, ['kept.v1'], { log });
    expect(logs.map((entry) => entry.message)).toEqual(['created topics']);
    logs.length = 0;
    const settings: KafkaSettings = { brokers, clientId: 'second', namespace, topicPartitions: 4 };
    await ensureTopics(createKafka(settings), settings, ['kept.v1'], { log });
    expect(logs).toEqual([
      {
        message: 'existing topics keep their partition count; KAFKA_TOPIC_PARTITIONS applies to new topics only',
        fields: { wanted: 4, topics: { [`${namespace}.kept.v1`]: 2, [`${namespace}.kept.v1.dlq`]: 2 } },
      },
    ]);
  });

  it('a consumer whose topic is not served yet keeps trying to subscribe, then consumes', async () => {
    const settings: KafkaSettings = { brokers, clientId: 'late-topic', namespace: uniqueName('late'), topicPartitions: 2 };
    const kafka = createKafka(settings);
    const publisher = new MessagePublisher(kafka, settings);
    const received: ReceivedMessage[] = [];
    const warnings: string[] = [];
    const consumer = new MessageConsumer(kafka, settings, publisher, {
      groupId: 'late-topic',
      topic: 'late.v1',
      handle: async (message) => void received.push(message),
      log: (level, message) => level === 'warn' && warnings.push(message),
    });
    try {
      const joined = consumer.waitUntilJoined(60_000);
      const started = consumer.start();
      await expectEventually(() => expect(warnings).toContain('consumer could not subscribe yet, retrying'), { timeoutMs: 10_000 });
      await ensureTopics(kafka, settings, ['late.v1']);
      await started;
      await joined;
      await publisher.publish([{ topic: 'late.v1', key: 'k', value: { hello: 'late' } }]);
      await expectEventually(() => expect(received.map((message) => JSON.parse(message.value!.toString()))).toEqual([{ hello: 'late' }]));
    } finally {
      await consumer.stop();
      await publisher.disconnect();
    }
  });

  it('a consumer whose topic never appears gives up after its time box, saying why', async () => {
    const settings: KafkaSettings = { brokers, clientId: 'no-topic', namespace: uniqueName('none') };
    const kafka = createKafka(settings);
    const publisher = new MessagePublisher(kafka, settings);
    const consumer = new MessageConsumer(kafka, settings, publisher, { groupId: 'no-topic', topic: 'never.v1', startTimeoutMs: 2_000, handle: async () => undefined });
    try {
      await expect(consumer.start()).rejects.toThrow(
        new RegExp(`^consumer no-topic subscribing to ${settings.namespace}\\.never\\.v1: still failing after 2 s and \\d+ attempts: This server does not host this topic-partition$`),
      );
    } finally {
      await consumer.stop();
      await publisher.disconnect();
    }
  });
});
