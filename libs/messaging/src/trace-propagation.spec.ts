import type { EachMessagePayload, Kafka, ProducerBatch } from 'kafkajs';
import type { EntityManager } from 'typeorm';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { startTracing, stopTracing, withSpan } from '@bpo/service-kit';
import { enqueueMessages } from './outbox';
import { MessageConsumer, type ReceivedMessage } from './message-consumer';
import { MessagePublisher } from './message-publisher';

// The trace context through the messaging lib: published messages and outbox rows carry the active
// span's traceparent; a consumer handles each message in a span continuing the trace of its headers.

function fakeBroker() {
  const batches: ProducerBatch[] = [];
  const kafka = {
    producer: () => ({ connect: async () => undefined, disconnect: async () => undefined, sendBatch: async (batch: ProducerBatch) => void batches.push(batch) }),
    consumer: () => ({}),
  } as unknown as Kafka;
  const publisher = new MessagePublisher(kafka, { brokers: [], clientId: 'test', namespace: '' });
  const sentHeaders = () => batches.flatMap((batch) => batch.topicMessages!.flatMap((topic) => topic.messages.map((message) => message.headers ?? {})));
  return { kafka, publisher, sentHeaders };
}

/** Runs one message through a consumer as kafkajs would (its private eachMessage handler). */
async function consume(kafka: Kafka, publisher: MessagePublisher, headers: Record<string, string>, handle: (message: ReceivedMessage) => Promise<void>) {
  const consumer = new MessageConsumer(kafka, { brokers: [], clientId: 'test', namespace: '' }, publisher, { groupId: 'mapping', topic: 'bpo.pipeline.rows-parsed.v1', handle });
  (consumer as unknown as { running: boolean }).running = true;
  const payload = {
    topic: 'bpo.pipeline.rows-parsed.v1',
    partition: 2,
    message: { offset: '41', key: Buffer.from('k'), value: Buffer.from('{}'), headers, timestamp: '0', attributes: 0 },
    heartbeat: async () => undefined,
  } as unknown as EachMessagePayload;
  await (consumer as unknown as { process(payload: EachMessagePayload): Promise<void> }).process(payload);
}

/** An EntityManager that records the outbox INSERTs' parameters. */
function fakeManager() {
  const inserted: unknown[][] = [];
  const manager = {
    query: async (sql: string, params: unknown[]) => {
      if (sql.startsWith('INSERT INTO outbox')) inserted.push(params);
      return [];
    },
  } as unknown as EntityManager;
  // Each row's parameters: topic, key, payload, headers (JSON).
  const storedHeaders = () => inserted.flatMap((params) => params.filter((_, index) => index % 4 === 3).map((json) => JSON.parse(json as string) as Record<string, string>));
  return { manager, storedHeaders };
}

describe('tracing off', () => {
  it('adds no header to published messages or outbox rows, and the consumer just handles', async () => {
    const broker = fakeBroker();
    await broker.publisher.publish([{ topic: 't', key: 'k', value: {}, headers: { 'bpo-message-id': 'm' } }, { topic: 't', key: 'k', value: {} }]);
    expect(broker.sentHeaders()).toEqual([{ 'bpo-message-id': 'm' }, {}]);
    const outbox = fakeManager();
    await enqueueMessages(outbox.manager, [{ topic: 't', key: 'k', value: {} }]);
    expect(outbox.storedHeaders()).toEqual([{}]);
    let handled = 0;
    await consume(broker.kafka, broker.publisher, { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' }, async () => void (handled += 1));
    expect(handled).toBe(1);
  });
});

describe('tracing on', () => {
  const exporter = new InMemorySpanExporter();
  beforeAll(() => startTracing({ service: 'mapping', exporter }));
  afterAll(() => stopTracing());

  it('one trace from an outbox row through a consumer to the message it publishes', async () => {
    const broker = fakeBroker();
    const outbox = fakeManager();
    // sftp-ingest: the upload's span queues file-received in the outbox.
    await withSpan('sftp-ingest upload', { root: true }, () => enqueueMessages(outbox.manager, [{ topic: 't', key: 'k', value: {}, headers: { 'bpo-message-id': 'file-received:r1' } }]));
    const [stored] = outbox.storedHeaders();
    const upload = exporter.getFinishedSpans().find((span) => span.name === 'sftp-ingest upload')!.spanContext();
    expect(stored).toEqual({ 'bpo-message-id': 'file-received:r1', traceparent: `00-${upload.traceId}-${upload.spanId}-01` });

    // The next stage: its handling is a child span, and what it publishes carries that span.
    let seen: Record<string, string> = {};
    await consume(broker.kafka, broker.publisher, stored, async (message) => {
      seen = message.headers;
      await broker.publisher.publish([{ topic: 'out', key: 'k', value: {} }]);
    });
    expect(seen.traceparent).toBe(stored.traceparent); // the handler sees the headers as they came
    const process = exporter.getFinishedSpans().find((span) => span.name === 'process bpo.pipeline.rows-parsed.v1')!;
    expect(process.spanContext().traceId).toBe(upload.traceId);
    expect(process.parentSpanContext?.spanId).toBe(upload.spanId);
    expect(process.attributes).toMatchObject({
      'messaging.system': 'kafka',
      'messaging.destination.name': 'bpo.pipeline.rows-parsed.v1',
      'messaging.consumer.group.name': 'mapping',
      'messaging.destination.partition.id': '2',
      'messaging.kafka.offset': 41,
    });
    expect(broker.sentHeaders()).toEqual([{ traceparent: `00-${upload.traceId}-${process.spanContext().spanId}-01` }]);
  });
});
