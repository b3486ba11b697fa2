import { ServiceConfig } from '@bpo/service-kit';

export class ParserConfig extends ServiceConfig {
  override HTTP_PORT = 3002;
}
