import 'reflect-metadata';
import { runService } from '@bpo/service-kit';
import { parserService } from './parser.service-definition';

runService(parserService);
