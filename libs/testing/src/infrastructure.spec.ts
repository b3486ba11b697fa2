import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testInfrastructure, uniqueName } from './infrastructure';

describe('uniqueName', () => {
  it('keeps the prefix and adds a random hex suffix, different each time', () => {
    const names = Array.from({ length: 50 }, () => uniqueName('test-reader'));
    for (const name of names) expect(name).toMatch(/^test-reader-[0-9a-f]{8}$/);
    expect(new Set(names).size).toBe(names.length);
  });
});

describe('testInfrastructure', () => {
  const saved = { KAFKA_BROKERS: process.env.KAFKA_BROKERS, DATABASE_URL: process.env.DATABASE_URL, BPO_DATA_DIR: process.env.BPO_DATA_DIR };
  let dataDir: string;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'bpo-testing-'));
    process.env.BPO_DATA_DIR = dataDir;
    delete process.env.KAFKA_BROKERS;
    delete process.env.DATABASE_URL;
  });

  afterEach(() => {
    rmSync(dataDir, { recursive: true, force: true });
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  const recordStack = (state: object) => writeFileSync(join(dataDir, 'stack.json'), JSON.stringify(state));

  it('uses the stack that `npm run stack:up` recorded', () => {
    recordStack({ kafkaBrokers: '127.0.0.1:19092', databaseUrl: 'postgres://u:p@127.0.0.1:15432/bpo' });
    expect(testInfrastructure()).toEqual({ kafkaBrokers: '127.0.0.1:19092', databaseUrl: 'postgres://u:p@127.0.0.1:15432/bpo' });
  });

  it('lets KAFKA_BROKERS and DATABASE_URL override the recorded stack, each on its own', () => {
    recordStack({ kafkaBrokers: '127.0.0.1:19092', databaseUrl: 'postgres://u:p@127.0.0.1:15432/bpo' });
    process.env.KAFKA_BROKERS = 'kafka-a:9092,kafka-b:9092';
    expect(testInfrastructure()).toEqual({ kafkaBrokers: 'kafka-a:9092,kafka-b:9092', databaseUrl: 'postgres://u:p@127.0.0.1:15432/bpo' });
    process.env.DATABASE_URL = 'postgres://x:y@db:5432/other';
    expect(testInfrastructure()).toEqual({ kafkaBrokers: 'kafka-a:9092,kafka-b:9092', databaseUrl: 'postgres://x:y@db:5432/other' });
  });

  it('works from the environment alone when no stack was recorded', () => {
    process.env.KAFKA_BROKERS = 'kafka:9092';
    process.env.DATABASE_URL = 'postgres://x:y@db:5432/bpo';
    expect(testInfrastructure()).toEqual({ kafkaBrokers: 'kafka:9092', databaseUrl: 'postgres://x:y@db:5432/bpo' });
  });

  it('says how to get a broker and a database when it has neither, or only one', () => {
    const howTo = /run `npm run stack:up` \(or set KAFKA_BROKERS and DATABASE_URL\)/;
    expect(() => testInfrastructure()).toThrow(howTo);
    process.env.KAFKA_BROKERS = 'kafka:9092';
    expect(() => testInfrastructure()).toThrow(howTo);
    writeFileSync(join(dataDir, 'stack.json'), '{ not json');
    expect(() => testInfrastructure()).toThrow(howTo);
  });
});
