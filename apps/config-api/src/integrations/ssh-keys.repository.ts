import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { IntegrationEntity, IntegrationRepository, IntegrationSshKeyEntity, IntegrationSshKeyRepository } from '@bpo/persistence';
import { ConfigApiErrorCode, ConfigApiException, notFound } from '../common/config-api.exception';
import { findOwned } from '../common/organization-scope.util';
import { isUniqueViolation } from '../common/pg-error.util';
import type { ParsedPublicKey } from './ssh-key.util';

@Injectable()
export class SshKeysRepository {
  constructor(private readonly dataSource: DataSource) {}

  async requireIntegration(organizationId: string, integrationId: string): Promise<void> {
    await findOwned(this.dataSource.manager, IntegrationEntity, organizationId, integrationId);
  }

  list(integrationId: string): Promise<IntegrationSshKeyEntity[]> {
    return this.dataSource.getRepository(IntegrationSshKeyEntity).find({ where: { integrationId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /** Adds a key unless the integration already holds `maxKeys` (the integration row is locked meanwhile, so concurrent adds count right). */
  async add(integrationId: string, key: ParsedPublicKey, maxKeys: number): Promise<IntegrationSshKeyEntity> {
    try {
      return await this.dataSource.transaction(async (manager) => {
        await new IntegrationRepository(manager).lock(integrationId, 'update');
        const count = await new IntegrationSshKeyRepository(manager).countOf(integrationId);
        if (count >= maxKeys) {
          throw new ConfigApiException(ConfigApiErrorCode.SshKeyLimit, `an integration may hold at most ${maxKeys} SSH keys: delete one it no longer uses first`);
        }
        return manager.getRepository(IntegrationSshKeyEntity).save({ integrationId, ...key });
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConfigApiException(ConfigApiErrorCode.SshKeyExists, `the key ${key.fingerprint} is already added to this integration`);
      throw error;
    }
  }

  async delete(integrationId: string, keyId: string): Promise<void> {
    const result = await this.dataSource.getRepository(IntegrationSshKeyEntity).delete({ id: keyId, integrationId });
    if (!result.affected) throw notFound('SSH key', keyId);
  }
}
