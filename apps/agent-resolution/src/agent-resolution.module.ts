import { Module, type DynamicModule } from '@nestjs/common';
import { Topics } from '@bpo/contracts';
import { infrastructureModules } from '@bpo/messaging';
import { AgentResolutionConfig } from './agent-resolution.config';

@Module({})
export class AgentResolutionModule {
  static register(config: AgentResolutionConfig): DynamicModule {
    return {
      module: AgentResolutionModule,
      imports: infrastructureModules('agent-resolution', config, { topics: [Topics.RowsMappedV1, Topics.RowsResolvedV1, Topics.FileFailedV1], outboxRelay: false }),
      providers: [{ provide: AgentResolutionConfig, useValue: config }],
    };
  }
}
