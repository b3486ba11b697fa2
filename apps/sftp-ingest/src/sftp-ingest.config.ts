import { ServiceConfig } from '@bpo/service-kit';

export class SftpIngestConfig extends ServiceConfig {
  override HTTP_PORT = 3001;
}
