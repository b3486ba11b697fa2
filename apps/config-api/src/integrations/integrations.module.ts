import { Module } from '@nestjs/common';
import { SyncModule } from '../sync/sync.module';
import { IntegrationsController } from './integrations.controller';
import { IntegrationsRepository } from './integrations.repository';
import { IntegrationsService } from './integrations.service';
import { SftpLockoutsController } from './sftp-lockouts.controller';
import { SftpLockoutsRepository } from './sftp-lockouts.repository';
import { SshKeysController } from './ssh-keys.controller';
import { SshKeysRepository } from './ssh-keys.repository';
import { SshKeysService } from './ssh-keys.service';

@Module({
  imports: [SyncModule],
  controllers: [IntegrationsController, SshKeysController, SftpLockoutsController],
  providers: [IntegrationsService, IntegrationsRepository, SshKeysService, SshKeysRepository, SftpLockoutsRepository],
})
export class IntegrationsModule {}
