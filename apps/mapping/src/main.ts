import 'reflect-metadata';
import { runService } from '@bpo/service-kit';
import { mappingService } from './mapping.service-definition';

runService(mappingService);
