import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ApiTokenEntity, OrganizationEntity, ScheduleEntity } from '@bpo/persistence';

export interface NewOrganization {
  organization: OrganizationEntity;
  adminToken: ApiTokenEntity;
  defaultSchedule: ScheduleEntity;
}

@Injectable()
export class OrganizationsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The organization, its first admin token and its default schedule, all or nothing. */
  create(name: string, timezone: string, adminTokenHash: string): Promise<NewOrganization> {
    return this.dataSource.transaction(async (manager) => {
      const organization = await manager.save(OrganizationEntity, manager.create(OrganizationEntity, { name, timezone }));
      const adminToken = await manager.save(ApiTokenEntity, manager.create(ApiTokenEntity, { organizationId: organization.id, name: 'admin', role: 'admin', tokenHash: adminTokenHash }));
      const defaultSchedule = await manager.save(ScheduleEntity, manager.create(ScheduleEntity, { organizationId: organization.id, name: 'Default', isDefault: true }));
      return { organization, adminToken, defaultSchedule };
    });
  }
}
