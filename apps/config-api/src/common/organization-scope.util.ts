import type { EntityManager, EntityTarget, FindOptionsWhere } from 'typeorm';
import {
  AgentEntity,
  ApiTokenEntity,
  EventTypeEntity,
  IntegrationEntity,
  ReceivedFileEntity,
  ScheduleEntity,
  SiteEntity,
} from '@bpo/persistence';
import { notFound } from './config-api.exception';

type OwnedEntity = { id: string; organizationId: string };
type OwnedClass = new () => OwnedEntity;

const NOUNS = new Map<OwnedClass, string>([
  [AgentEntity, 'agent'],
  [ApiTokenEntity, 'token'],
  [EventTypeEntity, 'event type'],
  [IntegrationEntity, 'integration'],
  [ReceivedFileEntity, 'file'],
  [ScheduleEntity, 'schedule'],
  [SiteEntity, 'site'],
]);

/**
 * The one lookup every organization-scoped read and write goes through: a row of another
 * organization answers exactly like a missing one (404), so ids never leak across organizations.
 */
export async function findOwned<T extends OwnedEntity>(manager: EntityManager, entity: new () => T, organizationId: string, id: string): Promise<T> {
  const found = await manager.findOneBy(entity as EntityTarget<T>, { id, organizationId } as FindOptionsWhere<T>);
  if (!found) throw notFound(NOUNS.get(entity) ?? 'resource', id);
  return found;
}

/** Checks that every id belongs to the organization (404 naming the first that does not). */
export async function requireOwned(manager: EntityManager, entity: new () => OwnedEntity, organizationId: string, ids: readonly string[]): Promise<void> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return;
  const table = manager.getRepository(entity).metadata.tableName;
  const rows: { id: string }[] = await manager.query(`SELECT id FROM ${table} WHERE organization_id = $1 AND id = ANY($2::uuid[])`, [organizationId, unique]);
  const found = new Set(rows.map((row) => row.id));
  const missing = unique.find((id) => !found.has(id));
  if (missing) throw notFound(NOUNS.get(entity) ?? 'resource', missing);
}
