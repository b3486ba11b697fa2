import type { SnapshotPlan, StoredEvent } from './snapshot-sync.types';

/**
 * The stored events after a plan is carried out, as the schedule writer does it in the database:
 * deletes and updates by id, creates with fresh ids. For in-memory fakes and tests.
 */
export function applySnapshotPlan(stored: readonly StoredEvent[], plan: SnapshotPlan, newId: (index: number) => string): StoredEvent[] {
  const replaced = new Set([...plan.delete.map((event) => event.id), ...plan.update.map((change) => change.id)]);
  const kept = stored.filter((event) => !replaced.has(event.id));
  const updated = plan.update.map(({ id, to }) => storedEvent(id, to));
  const created = plan.create.map((event, index) => storedEvent(newId(index), event));
  return [...kept, ...updated, ...created];
}

function storedEvent(id: string, event: Omit<StoredEvent, 'id'>): StoredEvent {
  return { id, agentId: event.agentId, eventTypeId: event.eventTypeId, startAt: event.startAt, endAt: event.endAt, day: event.day };
}
