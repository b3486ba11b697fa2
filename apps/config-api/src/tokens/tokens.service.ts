import { Injectable } from '@nestjs/common';
import { CreatedTokenResponse, TokenListResponse, toCreatedTokenResponse, toTokenResponse, type CreateTokenDto } from './token.dto';
import { issueToken } from './token.util';
import { TokensRepository } from './tokens.repository';

@Injectable()
export class TokensService {
  constructor(private readonly tokens: TokensRepository) {}

  async create(organizationId: string, dto: CreateTokenDto): Promise<CreatedTokenResponse> {
    const { token, tokenHash } = issueToken();
    return toCreatedTokenResponse(await this.tokens.create(organizationId, dto.name, dto.role, tokenHash), token);
  }

  async list(organizationId: string): Promise<TokenListResponse> {
    return { items: (await this.tokens.list(organizationId)).map(toTokenResponse) };
  }

  delete(organizationId: string, id: string): Promise<void> {
    return this.tokens.delete(organizationId, id);
  }
}
