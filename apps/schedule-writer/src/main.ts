import 'reflect-metadata';
import { runService } from '@bpo/service-kit';
import { scheduleWriterService } from './schedule-writer.service-definition';

runService(scheduleWriterService);
