import 'reflect-metadata';
import { runService } from '@bpo/service-kit';
import { agentResolutionService } from './agent-resolution.service-definition';

runService(agentResolutionService);
