import { KafkaJSNonRetriableError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError, KafkaJSConnectionError } from 'kafkajs';
import { encodedSize, groupByBytes, MessageTooLargeError, permanentPublishFailure } from './message-publisher';

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

describe('permanentPublishFailure', () => {
  const tooLarge = () => new KafkaJSProtocolError({ type: 'MESSAGE_TOO_LARGE', code: 10, retriable: false, message: 'The request included a message larger than the max message size the server will accept' });

  it('finds a broker refusal of the message itself, also wrapped by kafkajs retries', () => {
    expect(permanentPublishFailure(tooLarge())).toMatch(/^broker refused the message: MESSAGE_TOO_LARGE/);
    expect(permanentPublishFailure(new KafkaJSNonRetriableError(tooLarge(), { cause: tooLarge() }))).toMatch(/MESSAGE_TOO_LARGE/);
    const invalid = new KafkaJSProtocolError({ type: 'INVALID_RECORD', code: 87, retriable: false, message: 'invalid' });
    expect(permanentPublishFailure(new KafkaJSNumberOfRetriesExceeded(invalid, { retryCount: 5, retryTime: 100 }))).toMatch(/INVALID_RECORD/);
    expect(permanentPublishFailure(new MessageTooLargeError(11_000_000, 10_000_000))).toMatch(/11000000 bytes/);
  });

  it('treats everything else (broker down, timeouts, unknown topic) as retryable', () => {
    expect(permanentPublishFailure(new KafkaJSConnectionError('Connection error: connect ECONNREFUSED'))).toBeUndefined();
    const notLeader = new KafkaJSProtocolError({ type: 'NOT_LEADER_FOR_PARTITION', code: 6, retriable: true, message: 'not leader' });
    expect(permanentPublishFailure(new KafkaJSNumberOfRetriesExceeded(notLeader, { retryCount: 5, retryTime: 100 }))).toBeUndefined();
    const unknownTopic = new KafkaJSProtocolError({ type: 'UNKNOWN_TOPIC_OR_PARTITION', code: 3, retriable: true, message: 'unknown topic' });
    expect(permanentPublishFailure(unknownTopic)).toBeUndefined();
    expect(permanentPublishFailure(new Error('socket hang up'))).toBeUndefined();
  });
});
