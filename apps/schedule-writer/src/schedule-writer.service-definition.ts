import type { ServiceDefinition } from '@bpo/service-kit';
import { ScheduleWriterConfig } from './schedule-writer.config';
import { ScheduleWriterModule } from './schedule-writer.module';

export const scheduleWriterService: ServiceDefinition<ScheduleWriterConfig> = {
  name: 'schedule-writer',
  config: ScheduleWriterConfig,
  module: (config) => ScheduleWriterModule.register(config),
};
