import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EventTypeEntity, EventTypeRepository, IntegrationRepository, MappingRuleRepository } from '@bpo/persistence';
import { ConfigApiErrorCode, ConfigApiException } from '../common/config-api.exception';
import { definedOnly } from '../common/defined.util';
import { findOwned } from '../common/organization-scope.util';
import { isUniqueViolation } from '../common/pg-error.util';

export interface EventTypeUsage {
  mappingRules: number;
  defaultMappings: number;
  hasEvents: boolean;
}

@Injectable()
export class EventTypesRepository {
  private readonly mappingRules: MappingRuleRepository;
  private readonly integrations: IntegrationRepository;
  private readonly eventTypes: EventTypeRepository;

  constructor(private readonly dataSource: DataSource) {
    this.mappingRules = new MappingRuleRepository(dataSource);
    this.integrations = new IntegrationRepository(dataSource);
    this.eventTypes = new EventTypeRepository(dataSource);
  }

  create(organizationId: string, name: string, color: string | null): Promise<EventTypeEntity> {
    return refuseDuplicateName(name, this.dataSource.getRepository(EventTypeEntity).save({ organizationId, name, color }));
  }

  list(organizationId: string): Promise<EventTypeEntity[]> {
    return this.dataSource.getRepository(EventTypeEntity).find({ where: { organizationId }, order: { name: 'ASC', id: 'ASC' } });
  }

  get(organizationId: string, id: string): Promise<EventTypeEntity> {
    return findOwned(this.dataSource.manager, EventTypeEntity, organizationId, id);
  }

  async update(organizationId: string, id: string, values: { name?: string; color?: string | null }): Promise<EventTypeEntity> {
    const eventType = await this.get(organizationId, id);
    return refuseDuplicateName(values.name ?? eventType.name, this.dataSource.getRepository(EventTypeEntity).save({ ...eventType, ...definedOnly(values) }));
  }

  async usage(id: string): Promise<EventTypeUsage> {
    return {
      mappingRules: await this.mappingRules.countMappingTo(id),
      defaultMappings: await this.integrations.countDefaultMappingsTo(id),
      hasEvents: await this.eventTypes.hasScheduleEvents(id),
    };
  }

  async delete(id: string): Promise<void> {
    await this.dataSource.getRepository(EventTypeEntity).delete({ id });
  }
}

async function refuseDuplicateName(name: string, saving: Promise<EventTypeEntity>): Promise<EventTypeEntity> {
  try {
    return await saving;
  } catch (error) {
    if (isUniqueViolation(error, 'event_types_name')) {
      throw new ConfigApiException(ConfigApiErrorCode.EventTypeNameTaken, `an event type named "${name}" already exists (names are compared ignoring case)`);
    }
    throw error;
  }
}
