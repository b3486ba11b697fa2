import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EventTypeEntity, IntegrationEntity, IntegrationRepository, MappingRuleEntity, MappingRuleRepository } from '@bpo/persistence';
import { ConfigApiErrorCode, ConfigApiException, notFound } from '../common/config-api.exception';
import { findOwned, requireOwned } from '../common/organization-scope.util';

/** The most mapping rules one integration may have: each activity of every file is matched against all of them. */
export const MAX_MAPPING_RULES_PER_INTEGRATION = 200;

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

  /** Adds a rule unless the integration already has the most allowed (409). */
  async create(integrationId: string, values: MappingRuleValues): Promise<MappingRuleEntity> {
    const id = await this.dataSource.transaction(async (manager) => {
      // Creations for one integration take turns, so two requests at the limit cannot both pass.
      await new IntegrationRepository(manager).lock(integrationId, 'no-key-update');
      const count = await new MappingRuleRepository(manager).countOf(integrationId);
      if (count >= MAX_MAPPING_RULES_PER_INTEGRATION) {
        throw new ConfigApiException(
          ConfigApiErrorCode.MappingRuleLimit,
          `the integration already has ${count} mapping rules, the most allowed is ${MAX_MAPPING_RULES_PER_INTEGRATION}; delete rules it no longer needs, or cover several activities with one contains or pattern rule`,
        );
      }
      return (await manager.getRepository(MappingRuleEntity).save({ integrationId, ...values })).id;
    });
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
