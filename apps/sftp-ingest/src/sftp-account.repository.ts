import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { isPlatform } from '@bpo/contracts';
import type { FileOwner } from './file-store.repository';

/** An integration as its SFTP login sees it. */
export interface SftpAccount extends FileOwner {
  username: string;
  /** scrypt hash (see verifySecret); never the password. */
  passwordHash: string;
  /** Registered public keys in authorized_keys form (`ssh-ed25519 AAAA... comment`). */
  publicKeys: string[];
}

/** Finds integrations by SFTP username. A port, so login rules can be tested without a database. */
export abstract class SftpAccounts {
  abstract findByUsername(username: string): Promise<SftpAccount | null>;
}

@Injectable()
export class TypeOrmSftpAccounts extends SftpAccounts {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  // Read at every login (no cache): a changed password or a revoked key applies to the next login.
  async findByUsername(username: string): Promise<SftpAccount | null> {
    const rows: Array<{
      id: string;
      organization_id: string;
      site_id: string;
      platform: string;
      sftp_username: string;
      sftp_password_hash: string;
      public_keys: string[];
    }> = await this.dataSource.query(
      `SELECT i.id, i.organization_id, i.site_id, i.platform, i.sftp_username, i.sftp_password_hash,
              COALESCE(array_agg(k.public_key) FILTER (WHERE k.id IS NOT NULL), '{}') AS public_keys
         FROM integrations i LEFT JOIN integration_ssh_keys k ON k.integration_id = i.id
        WHERE i.sftp_username = $1
        GROUP BY i.id`,
      [username],
    );
    const row = rows[0];
    if (!row || !isPlatform(row.platform)) return null;
    return {
      integrationId: row.id,
      organizationId: row.organization_id,
      siteId: row.site_id,
      platform: row.platform,
      username: row.sftp_username,
      passwordHash: row.sftp_password_hash,
      publicKeys: row.public_keys,
    };
  }
}
