import type { Role } from '@bpo/persistence';
import { roleIncludes } from './role.util';

/**
 * What a token may do, in the words a client needs to decide which actions to offer. Each is the
 * least role the API's routes ask for (see the route table in README): a client may hide or disable
 * an action by these, but the API still decides on every call.
 */
export const Permissions = ['read', 'edit_agents', 'manage_integrations', 'replay_files', 'manage_tokens'] as const;
export type Permission = (typeof Permissions)[number];

const LEAST_ROLE: Record<Permission, Role> = {
  read: 'basic',
  edit_agents: 'lead',
  manage_integrations: 'manager',
  replay_files: 'manager',
  manage_tokens: 'admin',
};

/** The permissions a role holds, in the order of `Permissions`. */
export function permissionsOf(role: Role): Permission[] {
  return Permissions.filter((permission) => roleIncludes(role, LEAST_ROLE[permission]));
}

/** The least role that holds a permission (for "needs a manager token" explanations). */
export function leastRoleFor(permission: Permission): Role {
  return LEAST_ROLE[permission];
}

/** The least role of every permission, as GET /v1/me answers it (clients explain refusals by it, keeping no copy). */
export function leastRoles(): Record<Permission, Role> {
  return { ...LEAST_ROLE };
}
