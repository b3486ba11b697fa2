import type { ServiceDefinition } from '@bpo/service-kit';
import { AgentResolutionConfig } from './agent-resolution.config';
import { AgentResolutionModule } from './agent-resolution.module';

export const agentResolutionService: ServiceDefinition<AgentResolutionConfig> = {
  name: 'agent-resolution',
  config: AgentResolutionConfig,
  module: (config) => AgentResolutionModule.register(config),
};
