import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SftpLockoutRepository, type ActiveSftpLocks, type NewSftpLockout, type SftpLockoutPolicy, type SftpLoginFailure } from '@bpo/persistence';

// The port's words for the persistence types.
export type { ActiveSftpLocks as ActiveLocks, NewSftpLockout as NewLockout, SftpLockoutPolicy as LockoutPolicy, SftpLoginFailure as LoginFailure };

/**
 * Refused logins and the lockouts they lead to, in PostgreSQL so that every sftp-ingest instance
 * sees the same counts and locks. A port, so the login rules can be tested without a database.
 */
export abstract class SftpLockouts {
  /** Whether the username, and the address, are locked right now. */
  abstract active(username: string, address: string): Promise<ActiveSftpLocks>;
  /** Records a refused login; locks its username and/or address when their threshold is reached. */
  abstract recordFailure(failure: SftpLoginFailure, policy: SftpLockoutPolicy): Promise<NewSftpLockout[]>;
}

const PRUNE_EVERY_MS = 60_000;

@Injectable()
export class TypeOrmSftpLockouts extends SftpLockouts {
  private readonly lockouts: SftpLockoutRepository;
  private lastPrune = 0;

  constructor(dataSource: DataSource) {
    super();
    this.lockouts = new SftpLockoutRepository(dataSource);
  }

  active(username: string, address: string): Promise<ActiveSftpLocks> {
    return this.lockouts.active(username, address);
  }

  async recordFailure(failure: SftpLoginFailure, policy: SftpLockoutPolicy): Promise<NewSftpLockout[]> {
    const locked = await this.lockouts.recordFailure(failure, policy);
    // Old rows are pruned at most once a minute per instance, not at every refused login.
    if (Date.now() - this.lastPrune >= PRUNE_EVERY_MS) {
      this.lastPrune = Date.now();
      await this.lockouts.prune(policy.windowSeconds);
    }
    return locked;
  }
}
