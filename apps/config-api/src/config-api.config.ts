import { ServiceConfig } from '@bpo/service-kit';

export class ConfigApiConfig extends ServiceConfig {
  override HTTP_PORT = 3000;
}
