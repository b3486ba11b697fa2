import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ApiTokenEntity, ApiTokenRepository, type Role } from '@bpo/persistence';
import { ConfigApiErrorCode, ConfigApiException } from '../common/config-api.exception';
import { findOwned } from '../common/organization-scope.util';

@Injectable()
export class TokensRepository {
  constructor(private readonly dataSource: DataSource) {}

  create(organizationId: string, name: string, role: Role, tokenHash: string): Promise<ApiTokenEntity> {
    return this.dataSource.getRepository(ApiTokenEntity).save({ organizationId, name, role, tokenHash });
  }

  list(organizationId: string): Promise<ApiTokenEntity[]> {
    return this.dataSource.getRepository(ApiTokenEntity).find({ where: { organizationId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /** Deletes a token, but never the organization's last admin token (nobody could manage tokens after). */
  async delete(organizationId: string, id: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const token = await findOwned(manager, ApiTokenEntity, organizationId, id);
      if (token.role === 'admin') {
        // The organization's admin tokens, locked: two concurrent deletes cannot remove the last two.
        if ((await new ApiTokenRepository(manager).lockAdmins(organizationId)) <= 1) {
          throw new ConfigApiException(ConfigApiErrorCode.LastAdminToken, 'this is the organization\'s last admin token; create another admin token before deleting it');
        }
      }
      await manager.delete(ApiTokenEntity, { id });
    });
  }
}
