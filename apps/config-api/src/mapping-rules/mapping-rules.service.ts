import { Injectable } from '@nestjs/common';
import { previewMapping, rankRules, validateRule, type MappingRule } from '@bpo/mapping-rules';
import type { MappingRuleEntity } from '@bpo/persistence';
import { ConfigApiErrorCode, ConfigApiException } from '../common/config-api.exception';
import type {
  CreateMappingRuleDto,
  DefaultMappingDto,
  DefaultMappingResponse,
  MappingPreviewResponse,
  MappingRuleListResponse,
  MappingRuleResponse,
  PreviewMappingDto,
  UpdateMappingRuleDto,
} from './mapping-rule.dto';
import { MappingRulesRepository, type MappingRuleValues } from './mapping-rules.repository';

/** An integration's mapping rules: activity keywords of its files to the organization's event types. */
@Injectable()
export class MappingRulesService {
  constructor(private readonly rules: MappingRulesRepository) {}

  async list(organizationId: string, integrationId: string): Promise<MappingRuleListResponse> {
    const integration = await this.rules.integration(organizationId, integrationId);
    const entities = await this.rules.list(integrationId);
    const byId = new Map(entities.map((entity) => [entity.id, entity]));
    const items = rankRules(entities.map(toMappingRule)).map((rule) => toMappingRuleResponse(byId.get(rule.id)!));
    return { items, defaultEventTypeId: integration.defaultEventTypeId };
  }

  async create(organizationId: string, integrationId: string, dto: CreateMappingRuleDto): Promise<MappingRuleResponse> {
    await this.rules.integration(organizationId, integrationId);
    const values = await this.checked(organizationId, dto);
    return toMappingRuleResponse(await this.rules.create(integrationId, values));
  }

  async update(organizationId: string, integrationId: string, ruleId: string, dto: UpdateMappingRuleDto): Promise<MappingRuleResponse> {
    await this.rules.integration(organizationId, integrationId);
    const rule = await this.rules.get(integrationId, ruleId);
    const values = await this.checked(organizationId, {
      matchType: dto.matchType ?? rule.matchType,
      keyword: dto.keyword ?? rule.keyword,
      priority: dto.priority ?? rule.priority,
      eventTypeId: dto.eventTypeId ?? rule.eventTypeId,
    });
    return toMappingRuleResponse(await this.rules.update(integrationId, ruleId, values));
  }

  async delete(organizationId: string, integrationId: string, ruleId: string): Promise<void> {
    await this.rules.integration(organizationId, integrationId);
    await this.rules.delete(integrationId, ruleId);
  }

  async setDefault(organizationId: string, integrationId: string, dto: DefaultMappingDto): Promise<DefaultMappingResponse> {
    await this.rules.integration(organizationId, integrationId);
    if (dto.eventTypeId !== null) await this.rules.requireEventTypes(organizationId, [dto.eventTypeId]);
    await this.rules.setDefault(integrationId, dto.eventTypeId);
    return { eventTypeId: dto.eventTypeId };
  }

  /** What the integration's current rules would do to these activities; nothing is saved. */
  async preview(organizationId: string, integrationId: string, dto: PreviewMappingDto): Promise<MappingPreviewResponse> {
    const integration = await this.rules.integration(organizationId, integrationId);
    const rules = (await this.rules.list(integrationId)).map(toMappingRule);
    const names = await this.rules.eventTypeNames(organizationId);
    const items = previewMapping(dto.activities, rules, integration.defaultEventTypeId).map(({ activity, resolution }) => {
      const eventTypeId = resolution.kind === 'unmapped' ? null : resolution.eventTypeId;
      return {
        activity,
        kind: resolution.kind,
        eventTypeId,
        eventTypeName: eventTypeId ? (names.get(eventTypeId) ?? null) : null,
        ruleId: resolution.kind === 'rule' ? resolution.ruleId : null,
      };
    });
    return { items };
  }

  /** A rule as it will be stored: keyword trimmed, pattern safe, event type of the organization. */
  private async checked(organizationId: string, values: MappingRuleValues): Promise<MappingRuleValues> {
    const rule = { ...values, keyword: values.keyword.trim() };
    const problem = validateRule(rule);
    if (problem) {
      const code = rule.matchType === 'pattern' ? ConfigApiErrorCode.InvalidPattern : ConfigApiErrorCode.InvalidRequest;
      throw new ConfigApiException(code, rule.matchType === 'pattern' ? `the pattern cannot be used: ${problem}` : problem);
    }
    await this.rules.requireEventTypes(organizationId, [rule.eventTypeId]);
    return rule;
  }
}

function toMappingRule(entity: MappingRuleEntity): MappingRule {
  return { id: entity.id, matchType: entity.matchType, keyword: entity.keyword, priority: entity.priority, eventTypeId: entity.eventTypeId, position: Number(entity.position) };
}

function toMappingRuleResponse(entity: MappingRuleEntity): MappingRuleResponse {
  return { ...toMappingRule(entity), integrationId: entity.integrationId, createdAt: entity.createdAt.toISOString() };
}
