import { readdirSync } from 'node:fs';
import { migrations } from './index';

// The schema changes only through these migrations (STYLE 2.11): one file per intent, named
// `<timestamp>-<Intent>.ts`, listed oldest first. TypeORM orders and records a migration by the
// timestamp at the end of its class name, so a file left out of the list, or a name that does not
// match its file, would silently skip or reorder a schema change.
describe('migrations', () => {
  const files = readdirSync(__dirname)
    .filter((file) => /^\d{13}-\w+\.ts$/.test(file))
    .sort();

  it('lists every migration file of this folder, oldest first', () => {
    const listed = migrations.map((migration) => {
      const [, intent, timestamp] = /^(\w+?)(\d{13})$/.exec(migration.name) ?? [];
      return `${timestamp}-${intent}.ts`;
    });
    expect(files.length).toBeGreaterThan(0);
    expect(listed).toEqual(files);
  });

  it('names each migration after its class, with a timestamp that only grows', () => {
    const timestamps = migrations.map((Migration) => {
      expect(new Migration().name).toBe(Migration.name);
      return Number(Migration.name.slice(-13));
    });
    expect(timestamps).toEqual([...new Set(timestamps)].sort((a, b) => a - b));
  });

  it('gives each migration a way up and a way down', () => {
    for (const Migration of migrations) {
      const migration = new Migration();
      expect([Migration.name, typeof migration.up, typeof migration.down]).toEqual([Migration.name, 'function', 'function']);
    }
  });
});
