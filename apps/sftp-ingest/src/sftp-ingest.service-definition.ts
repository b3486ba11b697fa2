import type { ServiceDefinition } from '@bpo/service-kit';
import { SftpIngestConfig } from './sftp-ingest.config';
import { SftpIngestModule } from './sftp-ingest.module';

export const sftpIngestService: ServiceDefinition<SftpIngestConfig> = {
  name: 'sftp-ingest',
  config: SftpIngestConfig,
  module: (config) => SftpIngestModule.register(config),
};
