import type { DataSource } from 'typeorm';
import { createDataSource } from '@bpo/persistence';
import { createTestDatabase, type TestDatabase } from '@bpo/testing';
import { Db } from './fixtures';

/**
 * A test database for a repository suite: made before its tests (a DataSource for the repositories
 * under test, a Db to arrange and read rows) and dropped after them.
 */
export function repositoryTestDatabase(): { readonly dataSource: DataSource; readonly db: Db } {
  let database: TestDatabase | undefined;
  let dataSource: DataSource | undefined;
  let db: Db | undefined;
  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = await createDataSource(database.url).initialize();
    db = await Db.connect(database.url);
  });
  afterAll(async () => {
    await db?.close();
    await dataSource?.destroy();
    await database?.drop();
  });
  return {
    get dataSource() {
      return dataSource!;
    },
    get db() {
      return db!;
    },
  };
}
