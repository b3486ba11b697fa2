import { timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { hashToken } from '@bpo/service-kit';
import { ConfigApiConfig } from '../config-api.config';
import { ConfigApiErrorCode, ConfigApiException } from '../common/config-api.exception';
import type { AccessRequirement, Principal } from './access.decorator';
import { AccessRepository } from './access.repository';
import { roleIncludes } from './role.util';

/** Decides whether a bearer token may call a route; answers the organization token's principal. */
@Injectable()
export class AccessService {
  private readonly operatorHash: Buffer;

  constructor(
    config: ConfigApiConfig,
    private readonly tokens: AccessRepository,
  ) {
    this.operatorHash = Buffer.from(hashToken(config.OPERATOR_TOKEN), 'hex');
  }

  async authorize(authorization: string | undefined, requirement: AccessRequirement): Promise<Principal | null> {
    const token = bearerToken(authorization);
    const isOperator = timingSafeEqual(Buffer.from(hashToken(token), 'hex'), this.operatorHash);
    if (requirement.kind === 'operator') {
      if (!isOperator) throw new ConfigApiException(ConfigApiErrorCode.Forbidden, 'only the operator token may do this');
      return null;
    }
    if (isOperator) throw new ConfigApiException(ConfigApiErrorCode.Forbidden, 'the operator token may only create organizations; use a token of the organization');
    const principal = await this.tokens.findByHash(hashToken(token));
    if (!principal) throw new ConfigApiException(ConfigApiErrorCode.Unauthenticated, 'the bearer token is unknown or was revoked');
    if (!roleIncludes(principal.role, requirement.role)) {
      throw new ConfigApiException(ConfigApiErrorCode.Forbidden, `this needs a ${requirement.role} token (or higher); this token is ${principal.role}`);
    }
    return principal;
  }
}

function bearerToken(authorization: string | undefined): string {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (!match) throw new ConfigApiException(ConfigApiErrorCode.Unauthenticated, 'send the header Authorization: Bearer <token>');
  return match[1];
}
