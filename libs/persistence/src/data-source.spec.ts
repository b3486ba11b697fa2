import 'reflect-metadata';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { getMetadataArgsStorage } from 'typeorm';
import { dataSourceOptions } from './data-source';
import { entities } from './entities';
import { migrations } from './migrations';

const URL = 'postgres://bpo:secret@127.0.0.1:54329/bpo';

describe('dataSourceOptions', () => {
  const savedServiceName = process.env.SERVICE_NAME;
  afterEach(() => {
    if (savedServiceName === undefined) delete process.env.SERVICE_NAME;
    else process.env.SERVICE_NAME = savedServiceName;
  });

  it('never changes the schema by itself: no synchronize, no migrations on connect', () => {
    const options = dataSourceOptions(URL);
    expect(options).toMatchObject({ type: 'postgres', url: URL, synchronize: false, migrationsRun: false, migrationsTransactionMode: 'each' });
    expect(options.entities).toBe(entities);
    expect(options.migrations).toBe(migrations);
  });

  it('names the connection after the service, for pg_stat_activity', () => {
    delete process.env.SERVICE_NAME;
    expect(dataSourceOptions(URL).extra).toEqual({ max: 10, application_name: 'bpo-schedule-sync' });
    process.env.SERVICE_NAME = 'parser';
    expect(dataSourceOptions(URL).extra).toEqual({ max: 10, application_name: 'parser' });
  });

  it('lets a caller override an option, e.g. the pool', () => {
    expect(dataSourceOptions(URL, { extra: { max: 1 } }).extra).toEqual({ max: 1 });
  });
});

describe('entities', () => {
  it('registers every entity class of entities/ with the DataSource', async () => {
    // Load every entity file, so an entity left out of `entities` still shows up in TypeORM's storage.
    const folder = join(__dirname, 'entities');
    for (const file of readdirSync(folder).filter((name) => name.endsWith('.entity.ts'))) await import(join(folder, file));
    const declared = getMetadataArgsStorage().tables.map((table) => table.target);
    expect(declared.length).toBeGreaterThan(0);
    expect(new Set<unknown>(entities)).toEqual(new Set<unknown>(declared));
  });
});
