import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ApiTokenRepository } from '@bpo/persistence';
import type { Principal } from './access.decorator';

@Injectable()
export class AccessRepository {
  private readonly tokens: ApiTokenRepository;

  constructor(dataSource: DataSource) {
    this.tokens = new ApiTokenRepository(dataSource);
  }

  /** Finds a token by its hash and records its use (at most once a minute, to spare writes). */
  findByHash(tokenHash: string): Promise<Principal | null> {
    return this.tokens.useByHash(tokenHash);
  }
}
