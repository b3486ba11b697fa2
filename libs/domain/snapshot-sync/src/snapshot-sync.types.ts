import type { ReplaceScope } from '@bpo/contracts';

/** A schedule event built from one valid row of a file. Instants are ISO 8601 UTC. */
export interface IncomingEvent {
  line: number;
  agentId: string;
  eventTypeId: string;
  startAt: string;
  endAt: string;
  /** The day the event belongs to (its start's date in the site's zone), YYYY-MM-DD. */
  day: string;
}

/** A schedule event this integration wrote earlier. */
export interface StoredEvent {
  id: string;
  agentId: string;
  eventTypeId: string;
  startAt: string;
  endAt: string;
  day: string;
}

export interface SnapshotInput {
  incoming: readonly IncomingEvent[];
  /** Events THIS integration wrote earlier in the target schedule, for the window's days (any agent). */
  stored: readonly StoredEvent[];
  /** First and last day the file covers (site zone), inclusive, YYYY-MM-DD. */
  window: { from: string; to: string };
  replaceScope: ReplaceScope;
  /** Agents with at least one valid row in the file. */
  agentsInFile: readonly string[];
  /** ISO instant at which this file arrived. */
  fileReceivedAt: string;
  /** Day -> receivedAt of the newest file already applied for that day. */
  dayVersions: ReadonlyMap<string, string>;
  /** Events starting before this instant are past and left alone; null when the integration syncs past events. */
  pastCutoff: string | null;
}

/** What a file does to the stored schedule. */
export interface SnapshotPlan {
  create: IncomingEvent[];
  update: Array<{ id: string; from: StoredEvent; to: IncomingEvent }>;
  delete: StoredEvent[];
  unchanged: Array<{ id: string; event: IncomingEvent }>;
  /** Incoming events not synced because they are past. */
  skippedPast: number;
  /** Window days this file now owns (newest file wins), to record in the day versions. */
  appliedDays: string[];
  /** Window days a newer file already owns: left untouched. */
  supersededDays: string[];
}
