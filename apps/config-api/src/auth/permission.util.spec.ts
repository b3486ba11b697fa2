import { Roles, type Role } from '@bpo/persistence';
import { leastRoleFor, permissionsOf, Permissions } from './permission.util';

describe('permissionsOf', () => {
  it.each<[Role, string[]]>([
    ['basic', ['read']],
    ['lead', ['read', 'edit_agents']],
    ['manager', ['read', 'edit_agents', 'manage_integrations', 'replay_files']],
    ['admin', ['read', 'edit_agents', 'manage_integrations', 'replay_files', 'manage_tokens']],
  ])('%s may %j', (role, expected) => {
    expect(permissionsOf(role)).toEqual(expected);
  });

  it('gives each permission to its least role and every role above it, never below', () => {
    for (const permission of Permissions) {
      const least = Roles.indexOf(leastRoleFor(permission));
      for (const role of Roles) expect(permissionsOf(role).includes(permission)).toBe(Roles.indexOf(role) >= least);
    }
  });
});
