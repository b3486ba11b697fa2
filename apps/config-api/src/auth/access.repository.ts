import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Role } from '@bpo/persistence';
import type { Principal } from './access.decorator';

@Injectable()
export class AccessRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Finds a token by its hash and records its use (at most once a minute, to spare writes). */
  async findByHash(tokenHash: string): Promise<Principal | null> {
    const rows: { id: string; organization_id: string; role: Role }[] = await this.dataSource.query(
      `WITH found AS (SELECT id, organization_id, role, last_used_at FROM api_tokens WHERE token_hash = $1),
            touched AS (
              UPDATE api_tokens SET last_used_at = now() FROM found
               WHERE api_tokens.id = found.id AND (found.last_used_at IS NULL OR found.last_used_at < now() - interval '1 minute')
            )
       SELECT id, organization_id, role FROM found`,
      [tokenHash],
    );
    const [row] = rows;
    return row ? { tokenId: row.id, organizationId: row.organization_id, role: row.role } : null;
  }
}
