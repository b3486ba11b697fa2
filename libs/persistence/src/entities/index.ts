import { AgentEntity, AgentPlatformIdEntity } from './agent.entity';
import { ApiTokenEntity } from './api-token.entity';
import { EventTypeEntity } from './event-type.entity';
import { IntegrationSshKeyEntity } from './integration-ssh-key.entity';
import { IntegrationEntity } from './integration.entity';
import { MappingRuleEntity } from './mapping-rule.entity';
import { OrganizationEntity } from './organization.entity';
import { ReceivedFileEntity } from './received-file.entity';
import { ScheduleEventEntity } from './schedule-event.entity';
import { ScheduleEntity } from './schedule.entity';
import { SiteEntity } from './site.entity';
import { SyncRunEntity, SyncRunErrorEntity } from './sync-run.entity';

export * from './agent.entity';
export * from './api-token.entity';
export * from './event-type.entity';
export * from './integration-ssh-key.entity';
export * from './integration.entity';
export * from './mapping-rule.entity';
export * from './organization.entity';
export * from './received-file.entity';
export * from './schedule-event.entity';
export * from './schedule.entity';
export * from './site.entity';
export * from './sync-run.entity';

export const entities = [
  OrganizationEntity,
  ApiTokenEntity,
  ScheduleEntity,
  SiteEntity,
  EventTypeEntity,
  IntegrationEntity,
  IntegrationSshKeyEntity,
  MappingRuleEntity,
  AgentEntity,
  AgentPlatformIdEntity,
  ReceivedFileEntity,
  SyncRunEntity,
  SyncRunErrorEntity,
  ScheduleEventEntity,
];
