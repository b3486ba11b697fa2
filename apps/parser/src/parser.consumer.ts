import { Injectable, type OnModuleInit } from '@nestjs/common';
import { FileReceivedV1, laneGroupId, PipelineLanes, type PipelineLane } from '@bpo/contracts';
import { ConsumerRegistry, MessagePublisher } from '@bpo/messaging';
import { decodeOrReject, reportFileFailed, withAnnouncedContext } from '@bpo/pipeline';
import { Metrics } from '@bpo/service-kit';
import { ParserService } from './parser.service';

/** Parses announced files in both lanes: a large file's parse never holds up a small one's. */
@Injectable()
export class ParserConsumer implements OnModuleInit {
  constructor(
    private readonly registry: ConsumerRegistry,
    private readonly publisher: MessagePublisher,
    private readonly parser: ParserService,
  ) {}

  onModuleInit(): void {
    for (const lane of Object.keys(PipelineLanes) as PipelineLane[]) {
      const topics = PipelineLanes[lane];
      this.registry.register({
        groupId: laneGroupId('parser', lane),
        topic: topics.fileReceived,
        onDeadLetter: reportFileFailed(this.publisher, 'parser'),
        handle: async (message) => {
          const file = decodeOrReject(FileReceivedV1, message);
          await this.parser.parseFile(
            file,
            async (out) => {
              await this.publisher.publish([{ topic: topics.rowsParsed, key: file.integrationId, value: withAnnouncedContext(out, file) }]);
              if (out.kind === 'rows') Metrics.rowsProcessed.inc({ stage: 'parser' }, out.rows.line.length);
            },
            message.heartbeat,
          );
        },
      });
    }
  }
}
