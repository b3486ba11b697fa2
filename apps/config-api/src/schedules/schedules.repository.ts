import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ScheduleEntity } from '@bpo/persistence';
import { findOwned } from '../common/organization-scope.util';

@Injectable()
export class SchedulesRepository {
  constructor(private readonly dataSource: DataSource) {}

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
