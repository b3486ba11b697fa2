import { Injectable, type OnModuleInit } from '@nestjs/common';
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
      from: 'rowsMapped',
      to: 'rowsResolved',
      transform: (batch) => this.agents.resolveBatch(batch),
    });
  }
}
