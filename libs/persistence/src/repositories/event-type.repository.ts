import type { Queryable } from './integration.repository';

/**
 * The one owner of event types' SQL beyond their typed EventTypeEntity (config-api creates, lists,
 * renames and deletes `event_types` rows through it): whether schedule events are of an event
 * type, one of the uses that keep it from being deleted (deleting it would delete them: a trigger
 * does, schedule_events having no foreign key). The API's event listing, which joins event types
 * to schedule events, is ScheduleEventRepository's. Each method runs on what it was built with: the DataSource,
 * or a transaction's EntityManager.
 */
export class EventTypeRepository {
  constructor(private readonly db: Queryable) {}

  /** Whether any schedule event, of any schedule, is of this event type. */
  async hasScheduleEvents(eventTypeId: string): Promise<boolean> {
    const [{ found }]: Array<{ found: boolean }> = await this.db.query('SELECT EXISTS (SELECT 1 FROM schedule_events WHERE event_type_id = $1) AS found', [eventTypeId]);
    return found;
  }
}
