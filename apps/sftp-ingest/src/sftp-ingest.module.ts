import { Module, type DynamicModule } from '@nestjs/common';
import { Topics } from '@bpo/contracts';
import { infrastructureModules } from '@bpo/messaging';
import { SftpIngestConfig } from './sftp-ingest.config';

@Module({})
export class SftpIngestModule {
  static register(config: SftpIngestConfig): DynamicModule {
    return {
      module: SftpIngestModule,
      imports: infrastructureModules('sftp-ingest', config, { topics: [Topics.FileReceivedV1], outboxRelay: true }),
      providers: [{ provide: SftpIngestConfig, useValue: config }],
    };
  }
}
