import type { Kafka } from 'kafkajs';
import { KafkaJSConnectionError, KafkaJSProtocolError } from 'kafkajs';
import { MessageConsumer, PermanentMessageError, type ConsumerOptions, type DeadLetter, type ReceivedMessage } from './message-consumer';
import type { MessagePublisher, OutgoingMessage } from './message-publisher';

// The retry policy of MessageConsumer, driven through its message processing with a fake broker
// client: which failures are retried, for how long, and what is dead-lettered.
function harness(handle: () => Promise<void>, options: Partial<ConsumerOptions> = {}) {
  const published: OutgoingMessage[][] = [];
  const dead: DeadLetter[] = [];
  let heartbeats = 0;
  const kafka = { consumer: () => ({}) } as unknown as Kafka;
  const publisher = { publish: async (messages: OutgoingMessage[]) => void published.push(messages) } as unknown as MessagePublisher;
  const consumer = new MessageConsumer(kafka, { namespace: 'test' } as never, publisher, {
    groupId: 'g',
    topic: 't',
    handle,
    onDeadLetter: async (letter) => void dead.push(letter),
    initialBackoffMs: 10,
    ...options,
  });
  (consumer as unknown as { running: boolean }).running = true;
  const received: ReceivedMessage = { topic: 't', partition: 0, offset: '7', key: 'k', value: Buffer.from('{}'), headers: {}, heartbeat: async () => void (heartbeats += 1) };
  const run = () => (consumer as unknown as { processWithRetries(m: ReceivedMessage): Promise<void> }).processWithRetries(received);
  return { run, published, dead, heartbeats: () => heartbeats };
}

describe('MessageConsumer retry policy', () => {
  it('dead-letters a permanent failure at once', async () => {
    let calls = 0;
    const h = harness(async () => {
      calls += 1;
      throw new PermanentMessageError('bad');
    });
    await h.run();
    expect(calls).toBe(1);
    expect(h.dead).toHaveLength(1);
    expect(h.dead[0].classification.kind).toBe('permanent');
  });

  it('gives an unexpected failure a bounded number of attempts', async () => {
    let calls = 0;
    const h = harness(async () => {
      calls += 1;
      throw new TypeError('bug');
    }, { maxAttempts: 3 });
    await h.run();
    expect(calls).toBe(3);
    expect(h.dead[0]).toMatchObject({ attempts: 3, classification: { kind: 'unexpected' } });
  });

  it('retries a transient failure past maxAttempts until the infrastructure is back, never dead-lettering', async () => {
    let calls = 0;
    const h = harness(
      async () => {
        calls += 1;
        if (calls < 12) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:54329'), { code: 'ECONNREFUSED' });
      },
      { maxAttempts: 3, transientRetryMs: 60_000, maxTransientBackoffMs: 20 },
    );
    await h.run();
    expect(calls).toBe(12);
    expect(h.dead).toEqual([]);
    expect(h.published).toEqual([]);
    expect(h.heartbeats()).toBeGreaterThanOrEqual(11);
  });

  it('dead-letters a transient failure only once the transient limit has passed', async () => {
    const started = Date.now();
    const h = harness(async () => {
      throw new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9092');
    }, { maxAttempts: 2, transientRetryMs: 400, maxTransientBackoffMs: 50 });
    await h.run();
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    expect(h.dead).toHaveLength(1);
    expect(h.dead[0]).toMatchObject({ classification: { kind: 'transient', unreachable: 'broker' }, transientRetryMs: 400 });
    expect(h.dead[0].attempts).toBeGreaterThan(2);
  });

  it('hands a lost group membership back to kafkajs: no retry, no dead letter', async () => {
    let calls = 0;
    const lost = new KafkaJSProtocolError({ type: 'UNKNOWN_MEMBER_ID', code: 25, retriable: false, message: 'The coordinator is not aware of this member' } as unknown as Error);
    const h = harness(async () => {
      calls += 1;
      throw lost;
    });
    await expect(h.run()).rejects.toBe(lost);
    expect(calls).toBe(1);
    expect(h.dead).toEqual([]);
  });
});
