import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/access.decorator';
import { leastRoles, permissionsOf } from '../auth/permission.util';
import type { MeResponse } from './me.dto';
import { MeRepository } from './me.repository';

@Injectable()
export class MeService {
  constructor(private readonly owners: MeRepository) {}

  /** Who the calling token is: its organization, its role and what that role may do (read fresh on every call). */
  async describe(principal: Principal): Promise<MeResponse> {
    const { organization, token } = await this.owners.findTokenOwner(principal.organizationId, principal.tokenId);
    return { organization, token, role: principal.role, permissions: permissionsOf(principal.role), leastRoles: leastRoles() };
  }
}
