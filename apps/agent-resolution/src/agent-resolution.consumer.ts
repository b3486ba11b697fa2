import { Injectable, type OnModuleInit } from '@nestjs/common';
import { ConsumerRegistry, MessagePublisher } from '@bpo/messaging';
import { registerRowsStage } from '@bpo/pipeline';
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
