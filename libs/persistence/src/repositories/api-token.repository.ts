import type { Role } from '../entities/api-token.entity';
import type { Queryable } from './integration.repository';

/** What a presented API token grants: its organization and role (the table's CHECK keeps `role` one of Roles). */
export interface ApiTokenAccess {
  tokenId: string;
  organizationId: string;
  role: Role;
}

/** An API token's name with its organization. */
export interface ApiTokenOwner {
  organization: { id: string; name: string; timezone: string };
  token: { id: string; name: string };
}

/**
 * The one owner of the `api_tokens` table's SQL (config-api creates, lists and deletes its rows
 * through the typed ApiTokenEntity): the access check, the caller's token with its organization,
 * and the lock that keeps an organization's last admin token. Each method runs on what it was
 * built with: the DataSource, or a transaction's EntityManager.
 */
export class ApiTokenRepository {
  constructor(private readonly db: Queryable) {}

  /** The token of this hash, recording its use (at most once a minute, to spare writes); null when unknown or revoked. */
  async useByHash(tokenHash: string): Promise<ApiTokenAccess | null> {
    const [row]: Array<{ id: string; organization_id: string; role: Role }> = await this.db.query(
      `WITH found AS (SELECT id, organization_id, role, last_used_at FROM api_tokens WHERE token_hash = $1),
            touched AS (
              UPDATE api_tokens SET last_used_at = now() FROM found
               WHERE api_tokens.id = found.id AND (found.last_used_at IS NULL OR found.last_used_at < now() - interval '1 minute')
            )
       SELECT id, organization_id, role FROM found`,
      [tokenHash],
    );
    return row ? { tokenId: row.id, organizationId: row.organization_id, role: row.role } : null;
  }

  /** The token's name and its organization, in one read; null when the token is gone (or is another organization's). */
  async owner(organizationId: string, tokenId: string): Promise<ApiTokenOwner | null> {
    const [row]: Array<{ token_id: string; token_name: string; organization_id: string; organization_name: string; timezone: string }> = await this.db.query(
      `SELECT t.id AS token_id, t.name AS token_name, o.id AS organization_id, o.name AS organization_name, o.timezone
         FROM api_tokens t JOIN organizations o ON o.id = t.organization_id
        WHERE t.id = $1 AND t.organization_id = $2`,
      [tokenId, organizationId],
    );
    return row ? { organization: { id: row.organization_id, name: row.organization_name, timezone: row.timezone }, token: { id: row.token_id, name: row.token_name } } : null;
  }

  /**
   * Locks the organization's admin tokens until the transaction ends and counts them, so two
   * concurrent deletes cannot remove the last two.
   */
  async lockAdmins(organizationId: string): Promise<number> {
    const rows: unknown[] = await this.db.query(`SELECT id FROM api_tokens WHERE organization_id = $1 AND role = 'admin' FOR UPDATE`, [organizationId]);
    return rows.length;
  }
}
