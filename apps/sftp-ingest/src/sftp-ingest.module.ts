import { Module, type DynamicModule } from '@nestjs/common';
import { laneTopics, Topics } from '@bpo/contracts';
import { infrastructureModules } from '@bpo/messaging';
import { FileStore, TypeOrmFileStore } from './file-store.repository';
import { SftpAccounts, TypeOrmSftpAccounts } from './sftp-account.repository';
import { SftpAuthService } from './sftp-auth.service';
import { SftpIngestConfig } from './sftp-ingest.config';
import { SftpLockouts, TypeOrmSftpLockouts } from './sftp-lockouts.repository';
import { MAX_ACTIVE_UPLOADS, SftpServer } from './sftp-server';
import { StaleIntegrationCheck } from './stale-integrations';

@Module({})
export class SftpIngestModule {
  static register(config: SftpIngestConfig): DynamicModule {
    return {
      module: SftpIngestModule,
      imports: infrastructureModules('sftp-ingest', config, {
        topics: [...laneTopics('fileReceived'), Topics.IntegrationStaleV1],
        outboxRelay: true,
        // An upload bigger than one chunk holds a connection (its staging transaction) until it ends.
        poolSize: MAX_ACTIVE_UPLOADS + 4,
      }),
      providers: [
        { provide: SftpIngestConfig, useValue: config },
        { provide: FileStore, useClass: TypeOrmFileStore },
        { provide: SftpAccounts, useClass: TypeOrmSftpAccounts },
        { provide: SftpLockouts, useClass: TypeOrmSftpLockouts },
        SftpAuthService,
        SftpServer,
        StaleIntegrationCheck,
      ],
    };
  }
}
