import { PlatformAgentIdFields, type Platform, type PlatformAgentIdField } from '@bpo/contracts';

export type PlatformIds = Partial<Record<PlatformAgentIdField, string>>;

/** Why an agent of this site cannot carry `field`, or null when it can (the site's integration is on that platform). */
export function platformFieldProblem(field: PlatformAgentIdField, siteId: string, sitePlatform: Platform | null): string | null {
  if (sitePlatform === null) return `site ${siteId} has no integration, so its agents cannot have ${field}; connect the site first`;
  const accepted = PlatformAgentIdFields[sitePlatform];
  if (accepted === field) return null;
  return `site ${siteId} is integrated with ${sitePlatform}, so its agents take ${accepted}, not ${field}`;
}

/** Key of the uniqueness rule: one platform agent id per platform field within a site. */
export function platformIdKey(siteId: string, field: PlatformAgentIdField, value: string): string {
  return `${siteId}\u0000${field}\u0000${value}`;
}

export function takenMessage(field: PlatformAgentIdField, value: string, agentId: string): string {
  return `${field} "${value}" already belongs to agent ${agentId} at this site; platform IDs are unique per platform within a site`;
}
