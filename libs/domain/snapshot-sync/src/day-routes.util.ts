/**
 * One day of a range, the file's events (exact duplicates counted once) against those the
 * integration stored earlier in the schedule, as the database compares them.
 */
export interface DayComparison {
  day: string;
  /** Distinct events of the file on the day. */
  staged: number;
  /** Events stored on the day by this integration in the target schedule. */
  stored: number;
  /** Every event on either side has an identical one (agent, event type, start, end) on the other, once. */
  identical: boolean;
  /** Every event on either side starts at or after the past cutoff (or past events are synced). */
  fromCutoff: boolean;
}

/** How each applied day is written. */
export interface DayRoutes {
  /** The file changes nothing on these days: every event stays, with its id. */
  unchanged: string[];
  /** How many events stay on the unchanged days. */
  unchangedEvents: number;
  /** Nothing is stored on these days: the file's events are created, without planning them one by one. */
  created: string[];
  /** Everything else: planned agent by agent (planSnapshotSync). */
  planned: string[];
}

/**
 * Sends each applied day the cheapest way that gives the snapshot rule's result: a day the file
 * leaves as it is costs one comparison, a day nothing was stored on is created whole, and only days
 * that really change (or hold past events) are planned event by event. Most days of a re-sent
 * file are unchanged, and every day of a first file is new, so large files rarely need the planner.
 * A day absent from `comparisons` has no events on either side: there is nothing to write.
 */
export function routeDays(appliedDays: readonly string[], comparisons: readonly DayComparison[]): DayRoutes {
  const byDay = new Map(comparisons.map((comparison) => [comparison.day, comparison]));
  const routes: DayRoutes = { unchanged: [], unchangedEvents: 0, created: [], planned: [] };
  for (const day of appliedDays) {
    const comparison = byDay.get(day);
    if (!comparison) continue;
    if (comparison.stored === 0) routes.created.push(day);
    else if (comparison.identical && comparison.fromCutoff && comparison.staged === comparison.stored) {
      routes.unchanged.push(day);
      routes.unchangedEvents += comparison.staged;
    } else routes.planned.push(day);
  }
  return routes;
}
