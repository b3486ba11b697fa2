import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '@bpo/testing';
import { createDataSource, migrations, runMigrations } from '@bpo/persistence';

describe('migrations on the real PostgreSQL', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase(); // runs every migration
  });
  afterAll(() => database?.drop());

  it('creates the schema and records every migration', async () => {
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      const tables = await client.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`);
      const names = tables.rows.map((row) => row.table_name as string);
      for (const table of ['organizations', 'sites', 'integrations', 'mapping_rules', 'agents', 'received_files', 'sync_runs', 'schedule_events', 'outbox']) {
        expect(names).toContain(table);
      }
      expect(names).not.toContain('inbox'); // dropped unused (DropInbox)
      const applied = await client.query('SELECT name FROM migrations ORDER BY id');
      expect(applied.rows.map((row) => row.name)).toEqual(migrations.map((migration) => new migration().name));
    } finally {
      await client.end();
    }
  });

  it('is idempotent: a second run applies nothing', async () => {
    expect(await runMigrations(database.url)).toEqual([]);
  });

  it('can be reverted and applied again', async () => {
    const dataSource = createDataSource(database.url);
    await dataSource.initialize();
    try {
      for (let i = 0; i < migrations.length; i += 1) await dataSource.undoLastMigration();
      const [{ count }] = await dataSource.query(`SELECT count(*)::int AS count FROM information_schema.tables WHERE table_name = 'organizations'`);
      expect(count).toBe(0);
    } finally {
      await dataSource.destroy();
    }
    expect(await runMigrations(database.url)).toHaveLength(migrations.length);
  });

  it('never synchronizes the schema from entities', () => {
    expect(createDataSource(database.url).options.synchronize).toBe(false);
  });
});
