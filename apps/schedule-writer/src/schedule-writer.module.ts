import { Module, type DynamicModule } from '@nestjs/common';
import { laneTopics, Topics } from '@bpo/contracts';
import { infrastructureModules } from '@bpo/messaging';
import { ScheduleWriterConfig } from './schedule-writer.config';
import { ScheduleWriterConsumer } from './schedule-writer.consumer';
import { ScheduleWriterService } from './schedule-writer.service';
import { Clock, SystemClock } from './clock';
import { SyncRunRepository, TypeOrmSyncRunRepository } from './sync-run.repository';
import { StuckRunSweeper } from './stuck-runs';
import { EventsChangedPublisher, KafkaEventsChangedPublisher } from './events-changed-publisher';
import { EventsChangedBacklog } from './events-changed-backlog';

@Module({})
export class ScheduleWriterModule {
  static register(config: ScheduleWriterConfig): DynamicModule {
    return {
      module: ScheduleWriterModule,
      imports: infrastructureModules('schedule-writer', config, { topics: [...laneTopics('rowsResolved'), Topics.FileFailedV1, Topics.SyncStatusV1, Topics.EventsChangedV1], outboxRelay: true }),
      providers: [
        { provide: ScheduleWriterConfig, useValue: config },
        { provide: SyncRunRepository, useClass: TypeOrmSyncRunRepository },
        { provide: Clock, useClass: SystemClock },
        { provide: EventsChangedPublisher, useClass: KafkaEventsChangedPublisher },
        ScheduleWriterService,
        ScheduleWriterConsumer,
        StuckRunSweeper,
        EventsChangedBacklog,
      ],
    };
  }
}
