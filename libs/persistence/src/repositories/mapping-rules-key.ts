/**
 * The SQL that names an integration's mapping rules, shared by the statement that freezes them for
 * a sync run (mapping, through SyncRunRecords), the one that checks whether they are still
 * those of an earlier run (the parser, before it leaves unchanged agent-days out) and the writer's
 * record of a run's key: they must agree to the byte.
 */

/** The rules of the integration row aliased `integration`, as jsonb, in priority order. */
export const mappingRulesJsonSql = (integration: string): string =>
  `COALESCE((SELECT jsonb_agg(jsonb_build_object(
      'id', r.id, 'matchType', r.match_type, 'keyword', r.keyword, 'priority', r.priority,
      'eventTypeId', r.event_type_id, 'position', r.position) ORDER BY r.position, r.id)
    FROM mapping_rules r WHERE r.integration_id = ${integration}.id), '[]'::jsonb)`;

/**
 * One text for what a sync run's mapping depends on: its rules (jsonb, whose text form is
 * canonical) and its default event type. Equal keys map every activity to the same event type.
 */
export const mappingKeySql = (rulesJson: string, defaultEventTypeId: string): string =>
  `md5((${rulesJson})::text || '|' || coalesce((${defaultEventTypeId})::text, ''))`;
