import 'reflect-metadata';
import { ConfigurationError, validateEnv } from './env.util';
import { ServiceConfig } from './service-config';

class TestConfig extends ServiceConfig {
  override HTTP_PORT = 3999;
}

const base = { KAFKA_BROKERS: '127.0.0.1:9092', DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/bpo' };

describe('ServiceConfig', () => {
  it('creates topics with 12 partitions unless KAFKA_TOPIC_PARTITIONS says otherwise', () => {
    expect(validateEnv(TestConfig, base).KAFKA_TOPIC_PARTITIONS).toBe(12);
    expect(validateEnv(TestConfig, { ...base, KAFKA_TOPIC_PARTITIONS: '24' }).KAFKA_TOPIC_PARTITIONS).toBe(24);
    expect(validateEnv(TestConfig, { ...base, KAFKA_TOPIC_PARTITIONS: '1' }).KAFKA_TOPIC_PARTITIONS).toBe(1);
  });

  it.each(['0', '-3', '2.5', 'twelve', '', '1001'])('refuses KAFKA_TOPIC_PARTITIONS=%j with one line naming it', (value) => {
    expect(() => validateEnv(TestConfig, { ...base, KAFKA_TOPIC_PARTITIONS: value })).toThrow(
      new ConfigurationError('invalid configuration: KAFKA_TOPIC_PARTITIONS: must be a whole number from 1 to 1000'),
    );
  });

  it('names every bad variable at once', () => {
    expect(() => validateEnv(TestConfig, { ...base, KAFKA_BROKERS: 'nope', KAFKA_TOPIC_PARTITIONS: 'x' })).toThrow(
      'invalid configuration: KAFKA_BROKERS: must be host:port[,host:port...]; KAFKA_TOPIC_PARTITIONS: must be a whole number from 1 to 1000',
    );
  });
});
