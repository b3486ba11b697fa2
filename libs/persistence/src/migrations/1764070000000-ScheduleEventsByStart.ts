import type { MigrationInterface, QueryRunner } from 'typeorm';

/** `GET /v1/events` pages a schedule's events by start time; without this it sorts the whole schedule. */
export class ScheduleEventsByStart1764070000000 implements MigrationInterface {
  name = 'ScheduleEventsByStart1764070000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query('CREATE INDEX schedule_events_by_start ON schedule_events (schedule_id, start_at, id)');
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP INDEX schedule_events_by_start');
  }
}
