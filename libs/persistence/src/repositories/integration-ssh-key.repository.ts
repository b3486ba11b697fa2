import type { Queryable } from './integration.repository';

/**
 * The one owner of the `integration_ssh_keys` table's SQL (config-api adds, lists and deletes its
 * rows through the typed IntegrationSshKeyEntity; IntegrationRepository joins it for an
 * integration's key count and its SFTP account): the count the per-integration key limit checks.
 * Each method runs on what it was built with: the DataSource, or a transaction's EntityManager.
 */
export class IntegrationSshKeyRepository {
  constructor(private readonly db: Queryable) {}

  /** How many SSH keys the integration holds (lock the integration first when a new one must stay within a limit). */
  async countOf(integrationId: string): Promise<number> {
    const [{ count }]: Array<{ count: number }> = await this.db.query('SELECT count(*)::int AS count FROM integration_ssh_keys WHERE integration_id = $1', [integrationId]);
    return count;
  }
}
