/** One agent's day: the unit a file replaces. */
export interface AgentDay {
  agentId: string;
  day: string;
}

/**
 * One agent's day in a range: the file's events (exact duplicates counted once) against those the
 * integration stored earlier in the schedule, as the database compares them.
 */
export interface AgentDayComparison extends AgentDay {
  /** Distinct events of the file. */
  staged: number;
  /** Events stored by this integration in the target schedule. */
  stored: number;
  /** Every event on either side has an identical one (event type, start, end) on the other, once. */
  identical: boolean;
  /** Every event on either side starts at or after the past cutoff (or past events are synced). */
  fromCutoff: boolean;
}

/** How the agent-days of the applied days are written. */
export interface AgentDayRoutes {
  /** How many events stay as they are, with their ids, on agent-days the file leaves unchanged. */
  unchangedEvents: number;
  /** Nothing is stored on these agent-days: the file's events are created, without planning them one by one. */
  created: AgentDay[];
  /** Everything else: planned event by event (planSnapshotSync). */
  planned: AgentDay[];
}

/**
 * Sends each agent-day of the applied days the cheapest way that gives the snapshot rule's result:
 * an agent-day the file leaves as it is costs one comparison, one with nothing stored is created
 * whole, and only agent-days that really change (or hold past events) are planned event by event.
 * A first file creates everything and a re-sent file changes a few agent-days, so large files
 * rarely need the planner. Agent-days absent from `comparisons` have no events on either side.
 */
export function routeAgentDays(appliedDays: readonly string[], comparisons: readonly AgentDayComparison[]): AgentDayRoutes {
  const applied = new Set(appliedDays);
  const routes: AgentDayRoutes = { unchangedEvents: 0, created: [], planned: [] };
  for (const comparison of comparisons) {
    if (!applied.has(comparison.day)) continue;
    const agentDay = { agentId: comparison.agentId, day: comparison.day };
    if (comparison.stored === 0) routes.created.push(agentDay);
    else if (comparison.identical && comparison.fromCutoff && comparison.staged === comparison.stored) routes.unchangedEvents += comparison.staged;
    else routes.planned.push(agentDay);
  }
  return routes;
}
