import 'reflect-metadata';
import { runService } from '@bpo/service-kit';
import { configApiService } from './config-api.service-definition';

runService(configApiService);
