import { Injectable, type OnModuleInit } from '@nestjs/common';
import { ConsumerRegistry, MessagePublisher } from '@bpo/messaging';
import { registerRowsStage } from '@bpo/pipeline';
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
