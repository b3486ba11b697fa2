import { KafkaJSAggregateError, KafkaJSConnectionError, KafkaJSNonRetriableError, KafkaJSProtocolError } from 'kafkajs';
import { isTransientKafkaError, retryWithBackoff } from './kafka-retry';

function protocolError(type: string): Error {
  // kafkajs builds these from the broker's error code; only `type` (and `retriable`) matter here.
  return Object.assign(new KafkaJSProtocolError(type), { type });
}

describe('isTransientKafkaError', () => {
  it.each(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE', 'GROUP_COORDINATOR_NOT_AVAILABLE', 'NOT_COORDINATOR_FOR_GROUP', 'COORDINATOR_LOAD_IN_PROGRESS'])(
    'waits out %s',
    (type) => expect(isTransientKafkaError(protocolError(type))).toBe(true),
  );

  it('waits out a broker that does not answer yet, also when wrapped', () => {
    const refused = new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9092');
    expect(isTransientKafkaError(refused)).toBe(true);
    expect(isTransientKafkaError(new Error('wrapped', { cause: refused }))).toBe(true);
  });

  it('gives up at once on errors that will not go away', () => {
    expect(isTransientKafkaError(protocolError('TOPIC_AUTHORIZATION_FAILED'))).toBe(false);
    expect(isTransientKafkaError(new KafkaJSNonRetriableError('Invalid topics array'))).toBe(false);
    expect(isTransientKafkaError(new Error('boom'))).toBe(false);
    expect(isTransientKafkaError(undefined)).toBe(false);
  });

  it('treats an aggregate as transient only when every part is', () => {
    expect(isTransientKafkaError(new KafkaJSAggregateError('x', [protocolError('LEADER_NOT_AVAILABLE'), protocolError('NOT_CONTROLLER')]))).toBe(true);
    expect(isTransientKafkaError(new KafkaJSAggregateError('x', [protocolError('LEADER_NOT_AVAILABLE'), protocolError('INVALID_PARTITIONS')]))).toBe(false);
  });
});

describe('retryWithBackoff', () => {
  function clock() {
    let now = 0;
    const sleeps: number[] = [];
    return { sleeps, now: () => now, sleep: async (ms: number) => void (sleeps.push(ms), (now += ms)) };
  }

  it('retries transient failures with doubling delays, capped, until it succeeds', async () => {
    const time = clock();
    let calls = 0;
    const result = await retryWithBackoff(
      async () => {
        calls += 1;
        if (calls < 6) throw protocolError('UNKNOWN_TOPIC_OR_PARTITION');
        return 'subscribed';
      },
      { what: 'subscribing', timeoutMs: 60_000, initialDelayMs: 100, maxDelayMs: 1_000, ...time },
    );
    expect(result).toBe('subscribed');
    expect(time.sleeps).toEqual([100, 200, 400, 800, 1_000]);
  });

  it('throws a permanent error at once', async () => {
    const time = clock();
    await expect(retryWithBackoff(() => Promise.reject(new Error('bad config')), { what: 'x', timeoutMs: 60_000, ...time })).rejects.toThrow('bad config');
    expect(time.sleeps).toEqual([]);
  });

  it('gives up after the time box, saying what failed and why', async () => {
    const time = clock();
    const seen: number[] = [];
    await expect(
      retryWithBackoff(() => Promise.reject(protocolError('LEADER_NOT_AVAILABLE')), {
        what: 'topics of parser',
        timeoutMs: 5_000,
        initialDelayMs: 1_000,
        maxDelayMs: 2_000,
        onRetry: (_error, attempt) => seen.push(attempt),
        ...time,
      }),
    ).rejects.toThrow(/^topics of parser: still failing after 5 s and 4 attempts: LEADER_NOT_AVAILABLE$/);
    expect(time.sleeps).toEqual([1_000, 2_000, 2_000]);
    expect(seen).toEqual([1, 2, 3]);
  });
});
