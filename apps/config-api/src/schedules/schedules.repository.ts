import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ScheduleEntity } from '@bpo/persistence';
import { findOwned } from '../common/organization-scope.util';

/**
 * An organization's schedules. A port (STYLE 2.2), so the service's rules can be tested without a
 * database; `get` and `rename` answer a schedule of another organization as not found (404).
 */
export abstract class SchedulesRepository {
  abstract create(organizationId: string, name: string): Promise<ScheduleEntity>;
  /** The default schedule first, then by creation. */
  abstract list(organizationId: string): Promise<ScheduleEntity[]>;
  abstract get(organizationId: string, id: string): Promise<ScheduleEntity>;
  abstract rename(organizationId: string, id: string, name: string): Promise<ScheduleEntity>;
  /** Integrations targeting it fall back to the default schedule; its events go with it. */
  abstract delete(id: string): Promise<void>;
}

@Injectable()
export class TypeOrmSchedulesRepository extends SchedulesRepository {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  create(organizationId: string, name: string): Promise<ScheduleEntity> {
    return this.dataSource.getRepository(ScheduleEntity).save({ organizationId, name, isDefault: false });
  }

  list(organizationId: string): Promise<ScheduleEntity[]> {
    return this.dataSource.getRepository(ScheduleEntity).find({ where: { organizationId }, order: { isDefault: 'DESC', createdAt: 'ASC', id: 'ASC' } });
  }

  get(organizationId: string, id: string): Promise<ScheduleEntity> {
    return findOwned(this.dataSource.manager, ScheduleEntity, organizationId, id);
  }

  async rename(organizationId: string, id: string, name: string): Promise<ScheduleEntity> {
    const schedule = await this.get(organizationId, id);
    return this.dataSource.getRepository(ScheduleEntity).save({ ...schedule, name });
  }

  /** Integrations targeting it fall back to the default schedule (FK ON DELETE SET NULL); its events go with it. */
  async delete(id: string): Promise<void> {
    await this.dataSource.getRepository(ScheduleEntity).delete({ id });
  }
}
