import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { runMigrations } from '@bpo/persistence';

export interface TestInfrastructure {
  kafkaBrokers: string;
  databaseUrl: string;
}

const repoRoot = join(__dirname, '..', '..', '..');

/**
 * The broker and database the tests use: KAFKA_BROKERS / DATABASE_URL when set, otherwise the ones
 * `npm run stack:up` (and `npm test`) started and recorded in .data/stack.json.
 */
export function testInfrastructure(): TestInfrastructure {
  let state: Partial<TestInfrastructure> = {};
  try {
    state = JSON.parse(readFileSync(join(process.env.BPO_DATA_DIR ?? join(repoRoot, '.data'), 'stack.json'), 'utf8'));
  } catch {
    // no stack recorded; the environment must say
  }
  const kafkaBrokers = process.env.KAFKA_BROKERS ?? state.kafkaBrokers;
  const databaseUrl = process.env.DATABASE_URL ?? state.databaseUrl;
  if (!kafkaBrokers || !databaseUrl) {
    throw new Error('No Kafka/PostgreSQL for integration tests: run `npm run stack:up` (or set KAFKA_BROKERS and DATABASE_URL)');
  }
  return { kafkaBrokers, databaseUrl };
}

/** A short random suffix for names that must not collide between test files and runs. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A fresh database with every migration applied, so each test file has its own schema. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const { databaseUrl } = testInfrastructure();
  const name = uniqueName('test').replace('-', '_');
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const run = async (sql: string) => {
    const client = new Client({ connectionString: admin.toString() });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await run(`CREATE DATABASE ${name}`);
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  await runMigrations(url.toString());
  return { url: url.toString(), drop: () => run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}
