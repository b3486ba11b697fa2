import { useQuery } from '@tanstack/react-query';
import type { Me, Permission } from '../api/api.types';
import { useApi } from './session.context';

/**
 * Who the signed-in token is (GET /v1/me). Read once per page load (and after signing in), never
 * kept across loads, so a role changed on the server shows on the next load.
 */
export function useMe() {
  const api = useApi();
  return useQuery({ queryKey: ['me'], queryFn: () => api.get<Me>('/me'), staleTime: Infinity });
}

export interface Allowance {
  allowed: boolean;
  /** Why not, in words (null when allowed). */
  reason: string | null;
}

/**
 * Whether the signed-in token may take an action. Until the answer comes, actions are off; if the
 * API cannot say (an older API, an outage), they stay on and the API's own refusal is shown.
 */
export function usePermission(permission: Permission): Allowance {
  const me = useMe();
  if (me.isError) return { allowed: true, reason: null };
  if (!me.data) return { allowed: false, reason: 'Checking what your token may do…' };
  if (me.data.permissions.includes(permission)) return { allowed: true, reason: null };
  return { allowed: false, reason: explain(permission, me.data) };
}

/** Why the token may not take an action, by the least role the API says it needs (GET /v1/me keeps the only table). */
export function explain(permission: Permission, me: Pick<Me, 'role' | 'leastRoles'>): string {
  const least = me.leastRoles?.[permission];
  return least
    ? `Needs a ${least} token (or higher); you are signed in with a ${me.role} token.`
    : `Your ${me.role} token may not do this.`;
}
