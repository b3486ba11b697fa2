import { ServiceConfig } from '@bpo/service-kit';

export class AgentResolutionConfig extends ServiceConfig {
  override HTTP_PORT = 3004;
}
