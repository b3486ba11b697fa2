import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ApiTokenRepository, type ApiTokenOwner } from '@bpo/persistence';
import { notFound } from '../common/config-api.exception';

export type TokenOwner = ApiTokenOwner;

@Injectable()
export class MeRepository {
  private readonly tokens: ApiTokenRepository;

  constructor(dataSource: DataSource) {
    this.tokens = new ApiTokenRepository(dataSource);
  }

  /** The token's name and its organization, in one read (404 if the token went since the guard read it). */
  async findTokenOwner(organizationId: string, tokenId: string): Promise<TokenOwner> {
    const owner = await this.tokens.owner(organizationId, tokenId);
    if (!owner) throw notFound('token', tokenId);
    return owner;
  }
}
