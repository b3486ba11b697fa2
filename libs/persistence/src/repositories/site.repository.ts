import type { Queryable } from './integration.repository';

/**
 * The one owner of the `sites` table's SQL (config-api creates, lists, updates and deletes its rows
 * through the typed SiteEntity). IntegrationRepository's reads of an integration with its site's
 * zone, name and agent-ID version join `sites` where they stand: one statement per read. Each
 * method runs on what it was built with: the DataSource, or a transaction's EntityManager.
 */
export class SiteRepository {
  constructor(private readonly db: Queryable) {}

  /**
   * Locks these sites' rows until the transaction ends (FOR UPDATE), so changes of the same sites
   * take turns; returns the ids it found (and locked), in id order.
   */
  async lockForUpdate(siteIds: readonly string[]): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.db.query('SELECT id FROM sites WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE', [siteIds]);
    return rows.map((row) => row.id);
  }
}
