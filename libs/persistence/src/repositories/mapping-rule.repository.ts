import type { MappingRule } from '@bpo/mapping-rules';
import type { Queryable } from './integration.repository';

/**
 * The one owner of the `mapping_rules` table's SQL (config-api creates, updates and deletes its
 * rows through the typed MappingRuleEntity; the freeze of a sync run's rules reads them through
 * mapping-rules-key, whose text must agree to the byte with the parser's and the writer's): the
 * rules a file check maps with, the count the per-integration limit checks, and the count that
 * keeps an event type in use. Each method runs on what it was built with: the DataSource, or a
 * transaction's EntityManager.
 */
export class MappingRuleRepository {
  constructor(private readonly db: Queryable) {}

  /** The integration's mapping rules as they are now, in creation order (a sync freezes them at its first batch). */
  async ofIntegration(integrationId: string): Promise<MappingRule[]> {
    // `position` is a bigint, which the driver may answer as a decimal string.
    const rows: Array<{ id: string; match_type: MappingRule['matchType']; keyword: string; priority: MappingRule['priority']; event_type_id: string; position: string | number }> =
      await this.db.query('SELECT id, match_type, keyword, priority, event_type_id, position FROM mapping_rules WHERE integration_id = $1 ORDER BY position', [integrationId]);
    return rows.map((row) => ({ id: row.id, matchType: row.match_type, keyword: row.keyword, priority: row.priority, eventTypeId: row.event_type_id, position: Number(row.position) }));
  }

  /** How many mapping rules the integration has (lock the integration first when a new one must stay within a limit). */
  async countOf(integrationId: string): Promise<number> {
    const [{ count }]: Array<{ count: number }> = await this.db.query('SELECT count(*)::int AS count FROM mapping_rules WHERE integration_id = $1', [integrationId]);
    return count;
  }

  /** How many mapping rules map activities to this event type. */
  async countMappingTo(eventTypeId: string): Promise<number> {
    const [{ count }]: Array<{ count: number }> = await this.db.query('SELECT count(*)::int AS count FROM mapping_rules WHERE event_type_id = $1', [eventTypeId]);
    return count;
  }
}
