import type { ServiceDefinition } from '@bpo/service-kit';
import { MappingConfig } from './mapping.config';
import { MappingModule } from './mapping.module';

export const mappingService: ServiceDefinition<MappingConfig> = {
  name: 'mapping',
  config: MappingConfig,
  module: (config) => MappingModule.register(config),
};
