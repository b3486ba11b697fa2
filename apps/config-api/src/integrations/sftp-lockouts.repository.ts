import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { IntegrationEntity } from '@bpo/persistence';
import { notFound } from '../common/config-api.exception';
import { findOwned } from '../common/organization-scope.util';
import type { SftpLockoutResponse } from './sftp-lockouts.dto';

interface LockoutRow {
  id: string;
  kind: 'username' | 'address';
  subject: string;
  failures: number;
  locked_at: Date;
  locked_until: Date;
}

/** What concerns an integration: lockouts of its username, and of addresses its username failed from. */
const CONCERNS = `(($1::uuid = ANY(integration_ids)) OR (kind = 'username' AND subject = $2))`;
const ACTIVE = 'lifted_at IS NULL AND locked_until > clock_timestamp()';

/** SFTP lockouts, as sftp-ingest records them (table sftp_lockouts). */
@Injectable()
export class SftpLockoutsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async requireIntegration(organizationId: string, integrationId: string): Promise<IntegrationEntity> {
    return findOwned(this.dataSource.manager, IntegrationEntity, organizationId, integrationId);
  }

  async listActive(integration: IntegrationEntity): Promise<SftpLockoutResponse[]> {
    const rows: LockoutRow[] = await this.dataSource.query(
      `SELECT id, kind, subject, failures, locked_at, locked_until FROM sftp_lockouts WHERE ${CONCERNS} AND ${ACTIVE} ORDER BY locked_at DESC, id`,
      [integration.id, integration.sftpUsername],
    );
    return rows.map((row) => ({
      id: row.id,
      kind: row.kind,
      subject: row.subject,
      failures: row.failures,
      lockedAt: row.locked_at.toISOString(),
      lockedUntil: row.locked_until.toISOString(),
    }));
  }

  /** Lifts an active lockout at once (sftp-ingest reads lockouts at every login). */
  async lift(integration: IntegrationEntity, lockoutId: string): Promise<void> {
    const rows: unknown[] = await this.dataSource.query(
      // As a SELECT, so the driver answers with the rows (for an UPDATE it answers [rows, count]).
      `WITH lifted AS (UPDATE sftp_lockouts SET lifted_at = clock_timestamp() WHERE id = $3 AND ${CONCERNS} AND ${ACTIVE} RETURNING id) SELECT id FROM lifted`,
      [integration.id, integration.sftpUsername, lockoutId],
    );
    if (rows.length === 0) throw notFound('SFTP lockout', lockoutId);
  }
}
