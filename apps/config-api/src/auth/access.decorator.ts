import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { Role } from '@bpo/persistence';

/** What a route needs: a token of at least a role (`basic` when nothing is said), or the operator token. */
export type AccessRequirement = { kind: 'role'; role: Role } | { kind: 'operator' };

export const ACCESS_REQUIREMENT = 'config-api:access-requirement';

export const RequiresRole = (role: Role) => SetMetadata(ACCESS_REQUIREMENT, { kind: 'role', role } satisfies AccessRequirement);

export const OperatorOnly = () => SetMetadata(ACCESS_REQUIREMENT, { kind: 'operator' } satisfies AccessRequirement);

/** Who is calling, once the guard has checked the token. */
export interface Principal {
  tokenId: string;
  organizationId: string;
  role: Role;
}

export type AuthenticatedRequest = { principal?: Principal };

/** The calling token's organization: every organization-scoped service call starts from it. */
export const OrganizationId = createParamDecorator((_data: unknown, context: ExecutionContext): string => {
  const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new Error('OrganizationId used on a route without an organization token');
  return principal.organizationId;
});

/** The calling organization token's principal (token, organization, role). */
export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new Error('CurrentPrincipal used on a route without an organization token');
  return principal;
});
