import { ServiceConfig } from '@bpo/service-kit';

export class ScheduleWriterConfig extends ServiceConfig {
  override HTTP_PORT = 3005;
}
