import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { IntegrationEntity, IntegrationSshKeyEntity } from '@bpo/persistence';
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

  async add(integrationId: string, key: ParsedPublicKey): Promise<IntegrationSshKeyEntity> {
    try {
      return await this.dataSource.getRepository(IntegrationSshKeyEntity).save({ integrationId, ...key });
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
