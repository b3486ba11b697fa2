import type { Queryable } from './integration.repository';

/**
 * The one owner of the `schedules` table's SQL (config-api creates, lists, renames and deletes its
 * rows through the typed ScheduleEntity). IntegrationRepository's choice of an integration's
 * target schedule (its own, else the organization's default) stays a subquery of its settings and
 * applied-days reads: one statement per read. Each method runs on what it was built with: the
 * DataSource, or a transaction's EntityManager.
 */
export class ScheduleRepository {
  constructor(private readonly db: Queryable) {}

  /**
   * Locks the schedule against deletion until the transaction ends (FOR KEY SHARE, as a foreign
   * key check locks; its name may still change). False when there is no such schedule.
   */
  async lockKeyShare(scheduleId: string): Promise<boolean> {
    const rows: unknown[] = await this.db.query('SELECT 1 FROM schedules WHERE id = $1 FOR KEY SHARE', [scheduleId]);
    return rows.length > 0;
  }
}
