import { ServiceConfig } from '@bpo/service-kit';

export class MappingConfig extends ServiceConfig {
  override HTTP_PORT = 3003;
}
