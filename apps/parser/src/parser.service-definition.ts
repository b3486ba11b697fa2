import type { ServiceDefinition } from '@bpo/service-kit';
import { ParserConfig } from './parser.config';
import { ParserModule } from './parser.module';

export const parserService: ServiceDefinition<ParserConfig> = {
  name: 'parser',
  config: ParserConfig,
  module: (config) => ParserModule.register(config),
};
