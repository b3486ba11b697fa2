import { Module, type DynamicModule } from '@nestjs/common';
import { Topics } from '@bpo/contracts';
import { infrastructureModules } from '@bpo/messaging';
import { ConfigApiConfig } from './config-api.config';

@Module({})
export class ConfigApiModule {
  static register(config: ConfigApiConfig): DynamicModule {
    return {
      module: ConfigApiModule,
      imports: infrastructureModules('config-api', config, { topics: [Topics.FileReceivedV1, Topics.SyncStatusV1], outboxRelay: true }),
      providers: [{ provide: ConfigApiConfig, useValue: config }],
    };
  }
}
