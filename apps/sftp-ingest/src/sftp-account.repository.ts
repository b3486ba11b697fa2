import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { IntegrationRepository } from '@bpo/persistence';
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
  private readonly integrations: IntegrationRepository;

  constructor(dataSource: DataSource) {
    super();
    this.integrations = new IntegrationRepository(dataSource);
  }

  // Read at every login (no cache): a changed password or a revoked key applies to the next login.
  findByUsername(username: string): Promise<SftpAccount | null> {
    return this.integrations.sftpAccount(username);
  }
}
