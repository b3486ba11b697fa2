import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { IntegrationEntity, SftpLockoutRepository } from '@bpo/persistence';
import { notFound } from '../common/config-api.exception';
import { findOwned } from '../common/organization-scope.util';
import type { SftpLockoutResponse } from './sftp-lockouts.dto';

/** SFTP lockouts, as sftp-ingest records them (SftpLockoutRepository). */
@Injectable()
export class SftpLockoutsRepository {
  private readonly lockouts: SftpLockoutRepository;

  constructor(private readonly dataSource: DataSource) {
    this.lockouts = new SftpLockoutRepository(dataSource);
  }

  async requireIntegration(organizationId: string, integrationId: string): Promise<IntegrationEntity> {
    return findOwned(this.dataSource.manager, IntegrationEntity, organizationId, integrationId);
  }

  async listActive(integration: IntegrationEntity): Promise<SftpLockoutResponse[]> {
    const lockouts = await this.lockouts.activeConcerning(integration);
    return lockouts.map((lockout) => ({ ...lockout, lockedAt: lockout.lockedAt.toISOString(), lockedUntil: lockout.lockedUntil.toISOString() }));
  }

  /** Lifts an active lockout at once (sftp-ingest reads lockouts at every login). */
  async lift(integration: IntegrationEntity, lockoutId: string): Promise<void> {
    if (!(await this.lockouts.lift(integration, lockoutId))) throw notFound('SFTP lockout', lockoutId);
  }
}
