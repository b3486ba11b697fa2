import { Module, type DynamicModule } from '@nestjs/common';
import { laneTopics, Topics } from '@bpo/contracts';
import { infrastructureModules } from '@bpo/messaging';
import { AgentsModule } from './agents/agents.module';
import { ConfigApiConfig } from './config-api.config';
import { ConfigApiCoreModule } from './config-api-core.module';
import { EventTypesModule } from './event-types/event-types.module';
import { EventsModule } from './events/events.module';
import { FileCheckModule } from './file-check/file-check.module';
import { IntegrationsModule } from './integrations/integrations.module';
import { MappingRulesModule } from './mapping-rules/mapping-rules.module';
import { MeModule } from './me/me.module';
import { OrganizationsModule } from './organizations/organizations.module';
import { PlatformsModule } from './platforms/platforms.module';
import { SchedulesModule } from './schedules/schedules.module';
import { SitesModule } from './sites/sites.module';
import { SyncModule } from './sync/sync.module';
import { TokensModule } from './tokens/tokens.module';

@Module({})
export class ConfigApiModule {
  static register(config: ConfigApiConfig): DynamicModule {
    return {
      module: ConfigApiModule,
      imports: [
        ...infrastructureModules('config-api', config, { topics: [...laneTopics('fileReceived'), Topics.SyncStatusV1], outboxRelay: true }),
        ConfigApiCoreModule.register(config),
        OrganizationsModule,
        TokensModule,
        MeModule,
        SitesModule,
        PlatformsModule,
        IntegrationsModule,
        EventTypesModule,
        MappingRulesModule,
        AgentsModule,
        SchedulesModule,
        EventsModule,
        SyncModule,
        FileCheckModule,
      ],
    };
  }
}
