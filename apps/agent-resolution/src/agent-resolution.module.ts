import { Module, type DynamicModule } from '@nestjs/common';
import { laneTopics, Topics } from '@bpo/contracts';
import { infrastructureModules } from '@bpo/messaging';
import { AgentDirectory, TypeOrmAgentDirectory } from './agent-directory.repository';
import { AgentResolutionConfig } from './agent-resolution.config';
import { AgentResolutionConsumer } from './agent-resolution.consumer';
import { AgentResolutionService } from './agent-resolution.service';

@Module({})
export class AgentResolutionModule {
  static register(config: AgentResolutionConfig): DynamicModule {
    return {
      module: AgentResolutionModule,
      imports: infrastructureModules('agent-resolution', config, { topics: [...laneTopics('rowsMapped', 'rowsResolved'), Topics.FileFailedV1], outboxRelay: false }),
      providers: [
        { provide: AgentResolutionConfig, useValue: config },
        { provide: AgentDirectory, useClass: TypeOrmAgentDirectory },
        AgentResolutionService,
        AgentResolutionConsumer,
      ],
    };
  }
}
