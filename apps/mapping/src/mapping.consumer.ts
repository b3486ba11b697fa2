import { Injectable, type OnModuleInit } from '@nestjs/common';
import { ConsumerRegistry, MessagePublisher, registerRowsStage } from '@bpo/messaging';
import { MappingService } from './mapping.service';

@Injectable()
export class MappingConsumer implements OnModuleInit {
  constructor(
    private readonly registry: ConsumerRegistry,
    private readonly publisher: MessagePublisher,
    private readonly mapping: MappingService,
  ) {}

  onModuleInit(): void {
    registerRowsStage(this.registry, this.publisher, {
      stage: 'mapping',
      from: 'rowsParsed',
      to: 'rowsMapped',
      transform: (batch) => this.mapping.mapBatch(batch),
    });
  }
}
