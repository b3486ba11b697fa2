import { Roles, type Role } from '@bpo/persistence';
import { roleIncludes } from './role.util';

describe('roleIncludes', () => {
  it.each<[Role, Role, boolean]>([
    ['basic', 'basic', true],
    ['basic', 'lead', false],
    ['lead', 'basic', true],
    ['lead', 'manager', false],
    ['manager', 'lead', true],
    ['manager', 'admin', false],
    ['admin', 'manager', true],
    ['admin', 'basic', true],
  ])('%s includes %s: %s', (held, required, expected) => {
    expect(roleIncludes(held, required)).toBe(expected);
  });

  it('orders the roles basic < lead < manager < admin', () => {
    expect(Roles).toEqual(['basic', 'lead', 'manager', 'admin']);
    for (const held of Roles) {
      expect(Roles.filter((required) => roleIncludes(held, required))).toEqual(Roles.slice(0, Roles.indexOf(held) + 1));
    }
  });
});
