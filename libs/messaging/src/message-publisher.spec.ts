import { gunzipSync, gzipSync } from 'node:zlib';
import { CompressionCodecs, CompressionTypes, KafkaJSNonRetriableError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError, KafkaJSConnectionError } from 'kafkajs';
import { encodedSize, encodeMessage, groupByBytes, JsonBytes, MessageTooLargeError, permanentPublishFailure } from './message-publisher';

describe('GZIP as the publisher compresses', () => {
  it('is gzip at level 1, which any gzip reader reads', async () => {
    const json = Buffer.from(JSON.stringify(Array.from({ length: 2000 }, (_, i) => ({ id: String(i), startAt: new Date(i * 60_000).toISOString() }))));
    const codec = CompressionCodecs[CompressionTypes.GZIP]();
    const compressed: Buffer = await codec.compress({ buffer: json });
    expect(gunzipSync(compressed)).toEqual(json);
    expect(compressed).toEqual(gzipSync(json, { level: 1 }));
    expect(await codec.decompress(gzipSync(json))).toEqual(json);
  });
});

describe('encodeMessage', () => {
  it('encodes a value as JSON, and sends JsonBytes as they are; the outbox reads JsonBytes as the value they encode', () => {
    expect(encodeMessage({ topic: 't', key: 'k', value: { a: 1 } }).value).toBe('{"a":1}');
    const bytes = Buffer.from('{"a":[1,2]}');
    expect(encodeMessage({ topic: 't', key: 'k', value: new JsonBytes(bytes) }).value).toBe(bytes);
    expect(JSON.stringify(new JsonBytes(bytes))).toBe('{"a":[1,2]}');
  });
});

describe('groupByBytes', () => {
  const size = (n: number) => n;

  it('keeps order and never puts more than the bound in a group of several', () => {
    expect(groupByBytes([400, 400, 300, 500, 600], size, 1000)).toEqual([[400, 400], [300, 500], [600]]);
  });

  it('sends a message larger than the bound alone, between its neighbours', () => {
    expect(groupByBytes([10, 5000, 10, 10], size, 1000)).toEqual([[10], [5000], [10, 10]]);
  });

  it('is bounded by bytes, not by count', () => {
    expect(groupByBytes(Array.from({ length: 1000 }, () => 1), size, 1000)).toHaveLength(1);
    expect(groupByBytes(Array.from({ length: 10 }, () => 200_000), size, 1_048_576)).toHaveLength(2);
  });
});

describe('encodedSize', () => {
  it('counts key, value and headers in UTF-8 bytes', () => {
    expect(encodedSize({ topic: 't', key: 'ké', value: '{"a":"é"}', headers: { 'bpo-id': '12' } })).toBe(3 + 10 + 6 + 2);
    expect(encodedSize({ topic: 't', key: null, value: '{}' })).toBe(2);
  });
});

/**
 * kafkajs builds a broker error from its error-code table entry (`protocol/error.js`:
 * `new KafkaJSProtocolError({ type, code, retriable, message })`) and its retrier wraps it as
 * `new KafkaJSNonRetriableError(e, { cause })` (`retry/index.js`); its typings declare only
 * `(e: Error | string)` for both, so these helpers give the runtime shapes a type.
 */
function brokerError(type: string, code: number, retriable: boolean, message: string): KafkaJSProtocolError {
  return new KafkaJSProtocolError(Object.assign(new Error(message), { type, code, retriable }));
}
const NonRetriableWithCause = KafkaJSNonRetriableError as unknown as new (e: Error, metadata: { cause: Error }) => KafkaJSNonRetriableError;

describe('permanentPublishFailure', () => {
  const tooLarge = () => brokerError('MESSAGE_TOO_LARGE', 10, false, 'The request included a message larger than the max message size the server will accept');

  it('finds a broker refusal of the message itself, also wrapped by kafkajs retries', () => {
    expect(permanentPublishFailure(tooLarge())).toMatch(/^broker refused the message: MESSAGE_TOO_LARGE/);
    expect(permanentPublishFailure(new NonRetriableWithCause(tooLarge(), { cause: tooLarge() }))).toMatch(/MESSAGE_TOO_LARGE/);
    const invalid = brokerError('INVALID_RECORD', 87, false, 'invalid');
    expect(permanentPublishFailure(new KafkaJSNumberOfRetriesExceeded(invalid, { retryCount: 5, retryTime: 100 }))).toMatch(/INVALID_RECORD/);
    expect(permanentPublishFailure(new MessageTooLargeError(11_000_000, 10_000_000))).toMatch(/11000000 bytes/);
  });

  it('treats everything else (broker down, timeouts, unknown topic) as retryable', () => {
    expect(permanentPublishFailure(new KafkaJSConnectionError('Connection error: connect ECONNREFUSED'))).toBeUndefined();
    const notLeader = brokerError('NOT_LEADER_FOR_PARTITION', 6, true, 'not leader');
    expect(permanentPublishFailure(new KafkaJSNumberOfRetriesExceeded(notLeader, { retryCount: 5, retryTime: 100 }))).toBeUndefined();
    const unknownTopic = brokerError('UNKNOWN_TOPIC_OR_PARTITION', 3, true, 'unknown topic');
    expect(permanentPublishFailure(unknownTopic)).toBeUndefined();
    expect(permanentPublishFailure(new Error('socket hang up'))).toBeUndefined();
  });
});
