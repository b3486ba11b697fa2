import { Injectable, type OnModuleInit } from '@nestjs/common';
import { FileReceivedV1, Topics } from '@bpo/contracts';
import { ConsumerRegistry, decodeOrReject, MessagePublisher, reportFileFailed } from '@bpo/messaging';
import { ParserService } from './parser.service';

@Injectable()
export class ParserConsumer implements OnModuleInit {
  constructor(
    private readonly registry: ConsumerRegistry,
    private readonly publisher: MessagePublisher,
    private readonly parser: ParserService,
  ) {}

  onModuleInit(): void {
    this.registry.register({
      groupId: 'parser',
      topic: Topics.FileReceivedV1,
      onDeadLetter: reportFileFailed(this.publisher, 'parser'),
      handle: async (message) => {
        const file = decodeOrReject(FileReceivedV1, message);
        await this.parser.parseFile(
          file,
          (out) => this.publisher.publish([{ topic: Topics.RowsParsedV1, key: file.integrationId, value: out }]),
          message.heartbeat,
        );
      },
    });
  }
}
