import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { ScheduleRepository, SiteRepository } from '@bpo/persistence';
import { arrangeOrganization, Db } from './support/fixtures';
import { repositoryTestDatabase } from './support/repository-test-database';

type RowLock = 'FOR KEY SHARE' | 'FOR NO KEY UPDATE' | 'FOR UPDATE';

/** The one owners of the `sites` and `schedules` tables' SQL, against the real PostgreSQL. */
describe('SiteRepository and ScheduleRepository on the real PostgreSQL', () => {
  const testDatabase = repositoryTestDatabase();
  let dataSource: DataSource;
  let db: Db;

  beforeAll(() => {
    ({ dataSource, db } = testDatabase);
  });

  /** Whether another session could take `lock` on the row now: NOWAIT refuses (55P03) where it would wait. */
  async function otherSessionMay(table: 'sites' | 'schedules', id: string, lock: RowLock): Promise<boolean> {
    try {
      await db.query(`SELECT 1 FROM ${table} WHERE id = $1 ${lock} NOWAIT`, [id]);
      return true;
    } catch (error) {
      if ((error as { code?: string }).code === '55P03') return false;
      throw error;
    }
  }

  it('locks the sites it finds for update until the transaction ends, and answers their ids in order', async () => {
    const setup = await arrangeOrganization(db);
    const other = await arrangeOrganization(db);
    const { id: second } = await db.one<{ id: string }>(`INSERT INTO sites (organization_id, name, timezone, is_bpo) VALUES ($1, 'Second', 'UTC', false) RETURNING id`, [setup.organizationId]);
    const sites = new SiteRepository(dataSource);
    expect(await sites.lockForUpdate([second, randomUUID(), setup.siteId])).toEqual([setup.siteId, second].sort());
    expect(await sites.lockForUpdate([])).toEqual([]);

    await dataSource.transaction(async (manager) => {
      expect(await new SiteRepository(manager).lockForUpdate([setup.siteId, second])).toEqual([setup.siteId, second].sort());
      // FOR UPDATE, not FOR NO KEY UPDATE: even a foreign key check's lock (FOR KEY SHARE) waits.
      expect(await otherSessionMay('sites', setup.siteId, 'FOR KEY SHARE')).toBe(false);
      expect(await otherSessionMay('sites', second, 'FOR KEY SHARE')).toBe(false);
      expect(await otherSessionMay('sites', other.siteId, 'FOR UPDATE')).toBe(true);
    });
    expect(await otherSessionMay('sites', setup.siteId, 'FOR UPDATE')).toBe(true);
  });

  it('locks a schedule against deletion, not renaming, until the transaction ends; false when it is gone', async () => {
    const setup = await arrangeOrganization(db);
    const { id: extra } = await db.one<{ id: string }>(`INSERT INTO schedules (organization_id, name, is_default) VALUES ($1, 'Extra', false) RETURNING id`, [setup.organizationId]);
    const schedules = new ScheduleRepository(dataSource);
    expect(await schedules.lockKeyShare(setup.scheduleId)).toBe(true);
    expect(await schedules.lockKeyShare(randomUUID())).toBe(false);

    await dataSource.transaction(async (manager) => {
      expect(await new ScheduleRepository(manager).lockKeyShare(extra)).toBe(true);
      // FOR KEY SHARE, as a foreign key check locks: a deletion (FOR UPDATE) waits, a rename (FOR NO KEY UPDATE) does not.
      expect(await otherSessionMay('schedules', extra, 'FOR UPDATE')).toBe(false);
      expect(await otherSessionMay('schedules', extra, 'FOR NO KEY UPDATE')).toBe(true);
      expect(await otherSessionMay('schedules', setup.scheduleId, 'FOR UPDATE')).toBe(true);
    });
    expect(await otherSessionMay('schedules', extra, 'FOR UPDATE')).toBe(true);
    await db.query('DELETE FROM schedules WHERE id = $1', [extra]);
    expect(await schedules.lockKeyShare(extra)).toBe(false);
  });
});
