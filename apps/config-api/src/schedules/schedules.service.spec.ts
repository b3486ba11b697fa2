import type { ScheduleEntity } from '@bpo/persistence';
import { ConfigApiErrorCode, notFound } from '../common/config-api.exception';
import { SchedulesRepository } from './schedules.repository';
import { SchedulesService } from './schedules.service';

const ACME = '11111111-1111-4111-8111-111111111111';
const GLOBEX = '22222222-2222-4222-8222-222222222222';

/** Schedules in memory, scoped by organization as the TypeORM repository scopes them. */
class InMemorySchedules extends SchedulesRepository {
  readonly rows: ScheduleEntity[] = [];
  private clock = Date.parse('2026-03-01T00:00:00Z');

  add(organizationId: string, name: string, isDefault: boolean): ScheduleEntity {
    const row: ScheduleEntity = { id: `schedule-${this.rows.length + 1}`, organizationId, name, isDefault, createdAt: new Date((this.clock += 1000)) };
    this.rows.push(row);
    return row;
  }
  async create(organizationId: string, name: string): Promise<ScheduleEntity> {
    return this.add(organizationId, name, false);
  }
  async list(organizationId: string): Promise<ScheduleEntity[]> {
    return this.rows.filter((row) => row.organizationId === organizationId).sort((a, b) => Number(b.isDefault) - Number(a.isDefault) || a.createdAt.getTime() - b.createdAt.getTime());
  }
  async get(organizationId: string, id: string): Promise<ScheduleEntity> {
    const row = this.rows.find((candidate) => candidate.id === id && candidate.organizationId === organizationId);
    if (!row) throw notFound('schedule', id);
    return row;
  }
  async rename(organizationId: string, id: string, name: string): Promise<ScheduleEntity> {
    const row = await this.get(organizationId, id);
    row.name = name;
    return row;
  }
  async delete(id: string): Promise<void> {
    this.rows.splice(this.rows.findIndex((row) => row.id === id), 1);
  }
}

describe('SchedulesService', () => {
  let schedules: InMemorySchedules;
  let service: SchedulesService;
  beforeEach(() => {
    schedules = new InMemorySchedules();
    service = new SchedulesService(schedules);
  });

  it('answers schedules as the API shows them, the default first', async () => {
    schedules.add(ACME, 'Default', true);
    await service.create(ACME, { name: 'Night shift' });
    schedules.add(GLOBEX, 'Theirs', true);

    expect(await service.list(ACME)).toEqual({
      items: [
        { id: 'schedule-1', name: 'Default', isDefault: true, createdAt: '2026-03-01T00:00:01.000Z' },
        { id: 'schedule-2', name: 'Night shift', isDefault: false, createdAt: '2026-03-01T00:00:02.000Z' },
      ],
    });
  });

  it('renames a schedule, and leaves it as it is when the update names nothing', async () => {
    const { id } = schedules.add(ACME, 'Day', false);
    expect(await service.update(ACME, id, { name: 'Day shift' })).toMatchObject({ id, name: 'Day shift' });
    expect(await service.update(ACME, id, {})).toMatchObject({ id, name: 'Day shift' });
  });

  it('deletes a schedule that is not the default', async () => {
    const { id } = schedules.add(ACME, 'Night shift', false);
    await service.delete(ACME, id);
    expect(schedules.rows).toEqual([]);
  });

  it('refuses to delete the default schedule, and keeps it', async () => {
    const { id } = schedules.add(ACME, 'Default', true);
    await expect(service.delete(ACME, id)).rejects.toMatchObject({ code: ConfigApiErrorCode.DefaultScheduleUndeletable });
    expect(schedules.rows.map((row) => row.id)).toEqual([id]);
  });

  it("answers another organization's schedule as not found, and changes nothing of it", async () => {
    const theirs = schedules.add(GLOBEX, 'Theirs', false);
    await expect(service.get(ACME, theirs.id)).rejects.toMatchObject({ code: ConfigApiErrorCode.NotFound });
    await expect(service.update(ACME, theirs.id, { name: 'Mine now' })).rejects.toMatchObject({ code: ConfigApiErrorCode.NotFound });
    await expect(service.delete(ACME, theirs.id)).rejects.toMatchObject({ code: ConfigApiErrorCode.NotFound });
    expect(schedules.rows).toEqual([theirs]);
    expect(theirs.name).toBe('Theirs');
  });
});
