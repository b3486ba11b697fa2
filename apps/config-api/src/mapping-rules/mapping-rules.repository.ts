import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EventTypeEntity, IntegrationEntity, MappingRuleEntity } from '@bpo/persistence';
import { notFound } from '../common/config-api.exception';
import { findOwned, requireOwned } from '../common/organization-scope.util';

export type MappingRuleValues = Pick<MappingRuleEntity, 'matchType' | 'keyword' | 'priority' | 'eventTypeId'>;

@Injectable()
export class MappingRulesRepository {
  constructor(private readonly dataSource: DataSource) {}

  integration(organizationId: string, integrationId: string): Promise<IntegrationEntity> {
    return findOwned(this.dataSource.manager, IntegrationEntity, organizationId, integrationId);
  }

  requireEventTypes(organizationId: string, ids: readonly string[]): Promise<void> {
    return requireOwned(this.dataSource.manager, EventTypeEntity, organizationId, ids);
  }

  async eventTypeNames(organizationId: string): Promise<Map<string, string>> {
    const rows = await this.dataSource.getRepository(EventTypeEntity).find({ where: { organizationId }, select: { id: true, name: true } });
    return new Map(rows.map((row) => [row.id, row.name]));
  }

  list(integrationId: string): Promise<MappingRuleEntity[]> {
    return this.dataSource.getRepository(MappingRuleEntity).find({ where: { integrationId } });
  }

  async get(integrationId: string, ruleId: string): Promise<MappingRuleEntity> {
    const rule = await this.dataSource.getRepository(MappingRuleEntity).findOneBy({ id: ruleId, integrationId });
    if (!rule) throw notFound('mapping rule', ruleId);
    return rule;
  }

  async create(integrationId: string, values: MappingRuleValues): Promise<MappingRuleEntity> {
    const { id } = await this.dataSource.getRepository(MappingRuleEntity).save({ integrationId, ...values });
    return this.get(integrationId, id);
  }

  async update(integrationId: string, ruleId: string, values: MappingRuleValues): Promise<MappingRuleEntity> {
    await this.dataSource.getRepository(MappingRuleEntity).update({ id: ruleId, integrationId }, values);
    return this.get(integrationId, ruleId);
  }

  async delete(integrationId: string, ruleId: string): Promise<void> {
    const result = await this.dataSource.getRepository(MappingRuleEntity).delete({ id: ruleId, integrationId });
    if (!result.affected) throw notFound('mapping rule', ruleId);
  }

  async setDefault(integrationId: string, eventTypeId: string | null): Promise<void> {
    await this.dataSource.getRepository(IntegrationEntity).update({ id: integrationId }, { defaultEventTypeId: eventTypeId });
  }
}
