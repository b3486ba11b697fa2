import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { notFound } from '../common/config-api.exception';

export interface TokenOwner {
  organization: { id: string; name: string; timezone: string };
  token: { id: string; name: string };
}

@Injectable()
export class MeRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The token's name and its organization, in one read (404 if the token went since the guard read it). */
  async findTokenOwner(organizationId: string, tokenId: string): Promise<TokenOwner> {
    const rows: { token_id: string; token_name: string; organization_id: string; organization_name: string; timezone: string }[] = await this.dataSource.query(
      `SELECT t.id AS token_id, t.name AS token_name, o.id AS organization_id, o.name AS organization_name, o.timezone
         FROM api_tokens t JOIN organizations o ON o.id = t.organization_id
        WHERE t.id = $1 AND t.organization_id = $2`,
      [tokenId, organizationId],
    );
    const [row] = rows;
    if (!row) throw notFound('token', tokenId);
    return { organization: { id: row.organization_id, name: row.organization_name, timezone: row.timezone }, token: { id: row.token_id, name: row.token_name } };
  }
}
