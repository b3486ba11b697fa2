import { Injectable, type OnModuleInit } from '@nestjs/common';
import { FileFailedV1, laneGroupId, PipelineLanes, Topics, type PipelineLane } from '@bpo/contracts';
import { ConsumerRegistry, MessagePublisher } from '@bpo/messaging';
import { decodeFileMessage, decodeOrReject, reportFileFailed } from '@bpo/pipeline';
import { ScheduleWriterService } from './schedule-writer.service';

@Injectable()
export class ScheduleWriterConsumer implements OnModuleInit {
  constructor(
    private readonly registry: ConsumerRegistry,
    private readonly publisher: MessagePublisher,
    private readonly writer: ScheduleWriterService,
  ) {}

  onModuleInit(): void {
    for (const lane of Object.keys(PipelineLanes) as PipelineLane[]) {
      this.registry.register({
        groupId: laneGroupId('schedule-writer', lane),
        topic: PipelineLanes[lane].rowsResolved,
        onDeadLetter: reportFileFailed(this.publisher, 'schedule-writer'),
        handle: (message) => this.writer.receive(decodeFileMessage(message)),
      });
    }
    this.registry.register({
      groupId: 'schedule-writer-failures',
      topic: Topics.FileFailedV1,
      handle: async (message) => {
        const failed = decodeOrReject(FileFailedV1, message);
        await this.writer.fail(failed.syncRunId, failed.failure);
      },
    });
  }
}
