import { Roles, type Role } from '@bpo/persistence';

/** Roles are ordered: each includes the ones before it (basic < lead < manager < admin). */
export function roleIncludes(held: Role, required: Role): boolean {
  return Roles.indexOf(held) >= Roles.indexOf(required);
}
