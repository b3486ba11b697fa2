import { Injectable, type OnModuleInit } from '@nestjs/common';
import { Topics } from '@bpo/contracts';
import { ConsumerRegistry, MessagePublisher, registerRowsStage } from '@bpo/messaging';
import { AgentResolutionService } from './agent-resolution.service';

@Injectable()
export class AgentResolutionConsumer implements OnModuleInit {
  constructor(
    private readonly registry: ConsumerRegistry,
    private readonly publisher: MessagePublisher,
    private readonly agents: AgentResolutionService,
  ) {}

  onModuleInit(): void {
    registerRowsStage(this.registry, this.publisher, {
      stage: 'agent-resolution',
      from: Topics.RowsMappedV1,
      to: Topics.RowsResolvedV1,
      transform: (batch) => this.agents.resolveBatch(batch),
    });
  }
}
