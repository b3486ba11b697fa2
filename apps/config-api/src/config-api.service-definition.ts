import type { ServiceDefinition } from '@bpo/service-kit';
import { ConfigApiConfig } from './config-api.config';
import { ConfigApiModule } from './config-api.module';

export const configApiService: ServiceDefinition<ConfigApiConfig> = {
  name: 'config-api',
  config: ConfigApiConfig,
  module: (config) => ConfigApiModule.register(config),
};
