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

  it('leaves tracing off unless OTEL_EXPORTER_OTLP_ENDPOINT is an http(s) URL', () => {
    expect(validateEnv(TestConfig, base).OTEL_EXPORTER_OTLP_ENDPOINT).toBeUndefined();
    expect(validateEnv(TestConfig, { ...base, OTEL_EXPORTER_OTLP_ENDPOINT: '' }).OTEL_EXPORTER_OTLP_ENDPOINT).toBe('');
    expect(validateEnv(TestConfig, { ...base, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector:4318' }).OTEL_EXPORTER_OTLP_ENDPOINT).toBe('http://otel-collector:4318');
    expect(validateEnv(TestConfig, { ...base, OTEL_EXPORTER_OTLP_ENDPOINT: 'https://otel.example.com/otlp/' }).OTEL_EXPORTER_OTLP_ENDPOINT).toBe('https://otel.example.com/otlp/');
    for (const value of ['otel-collector:4318', 'grpc://collector:4317', 'http://', 'http://a b']) {
      expect(() => validateEnv(TestConfig, { ...base, OTEL_EXPORTER_OTLP_ENDPOINT: value })).toThrow(
        new ConfigurationError('invalid configuration: OTEL_EXPORTER_OTLP_ENDPOINT: must be an http:// or https:// URL'),
      );
    }
  });

  it('names every bad variable at once', () => {
    expect(() => validateEnv(TestConfig, { ...base, KAFKA_BROKERS: 'nope', KAFKA_TOPIC_PARTITIONS: 'x' })).toThrow(
      'invalid configuration: KAFKA_BROKERS: must be host:port[,host:port...]; KAFKA_TOPIC_PARTITIONS: must be a whole number from 1 to 1000',
    );
  });
});
