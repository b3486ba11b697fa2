import type { IncomingEvent, SnapshotInput, SnapshotPlan, StoredEvent } from './snapshot-sync.types';
import { splitWindowDays } from './window-days.util';

type ScheduleEvent = IncomingEvent | StoredEvent;

/** One agent's events on one day, per side: the unit the file replaces. */
interface Slot {
  stored: StoredEvent[];
  incoming: IncomingEvent[];
}

/**
 * The plan of what a file does to the stored schedule: per applied day and agent in scope, the
 * stored events are replaced by the file's, keeping the ids of events that stay or only change.
 * Linear, with Maps (a file can hold a million rows); nothing is read or written here.
 */
export function planSnapshotSync(input: SnapshotInput): SnapshotPlan {
  const days = splitWindowDays(input.window, input.fileReceivedAt, input.dayVersions);
  const plan: SnapshotPlan = { create: [], update: [], delete: [], unchanged: [], skippedPast: 0, appliedDays: days.applied, supersededDays: days.superseded };
  const appliedDays = new Set(days.applied);
  const inScope = agentScope(input);
  const isReplaced = (event: ScheduleEvent) => appliedDays.has(event.day) && inScope(event.agentId);
  const slots = new SlotsByAgentAndDay();
  for (const event of input.incoming) if (isReplaced(event)) slots.of(event).incoming.push(event);
  for (const event of input.stored) if (isReplaced(event)) slots.of(event).stored.push(event);
  const instants = new InstantReader();
  const isPast = pastTest(input.pastCutoff, instants);
  for (const slot of slots.all()) replaceSlot(slot, instants, isPast, plan);
  return plan;
}

/** Which agents the file replaces: those in the file, or every agent of the site. */
function agentScope(input: SnapshotInput): (agentId: string) => boolean {
  if (input.replaceScope === 'all_site_agents') return () => true;
  const agents = new Set(input.agentsInFile);
  // an agent with events in the file is in the file, even if a caller forgot it in agentsInFile
  for (const event of input.incoming) agents.add(event.agentId);
  return (agentId) => agents.has(agentId);
}

function pastTest(pastCutoff: string | null, instants: InstantReader): (event: ScheduleEvent) => boolean {
  if (pastCutoff === null) return () => false;
  const cutoff = Date.parse(pastCutoff);
  return (event) => instants.epoch(event.startAt) < cutoff;
}

/**
 * Replaces one agent's day. Exact duplicate rows are one event, and past events are left alone on
 * both sides. Then an identical stored event stays (unchanged), a stored event starting at the
 * same instant is changed in place (update: downstream systems keep its id), and the rest of the
 * stored events is deleted and the rest of the file's created.
 */
function replaceSlot(slot: Slot, instants: InstantReader, isPast: (event: ScheduleEvent) => boolean, plan: SnapshotPlan): void {
  const incoming = withoutDuplicates(slot.incoming, instants);
  const wanted = incoming.filter(({ event }) => !isPast(event));
  plan.skippedPast += incoming.length - wanted.length;
  const current = slot.stored.filter((event) => !isPast(event));

  const byIdentity = new StoredQueues(current, (event) => instants.identity(event));
  const notIdentical: IncomingEvent[] = [];
  for (const { event, identity } of wanted) {
    const same = byIdentity.take(identity);
    if (same) plan.unchanged.push({ id: same.id, event });
    else notIdentical.push(event);
  }

  const byStart = new StoredQueues(byIdentity.remaining(), (event) => instants.epoch(event.startAt));
  for (const event of notIdentical) {
    const moved = byStart.take(instants.epoch(event.startAt));
    if (moved) plan.update.push({ id: moved.id, from: moved, to: event });
    else plan.create.push(event);
  }
  for (const event of byStart.remaining()) plan.delete.push(event); // no spread: a slot may be huge
}

/** The same event twice in a file (same event type, start and end for the agent) is one event: the first row is kept. */
function withoutDuplicates(events: readonly IncomingEvent[], instants: InstantReader): Array<{ event: IncomingEvent; identity: string }> {
  const seen = new Set<string>();
  const distinct: Array<{ event: IncomingEvent; identity: string }> = [];
  for (const event of events) {
    const identity = instants.identity(event);
    if (seen.has(identity)) continue;
    seen.add(identity);
    distinct.push({ event, identity });
  }
  return distinct;
}

/** Nested Maps rather than joined keys: no string is built per row. */
class SlotsByAgentAndDay {
  private readonly byAgent = new Map<string, Map<string, Slot>>();

  of(event: ScheduleEvent): Slot {
    let days = this.byAgent.get(event.agentId);
    if (!days) this.byAgent.set(event.agentId, (days = new Map()));
    let slot = days.get(event.day);
    if (!slot) days.set(event.day, (slot = { stored: [], incoming: [] }));
    return slot;
  }

  *all(): IterableIterator<Slot> {
    for (const days of this.byAgent.values()) yield* days.values();
  }
}

/**
 * Reads ISO instants once per distinct spelling (a file repeats a few shift times across many
 * agents) and compares instants, not spellings: `…T08:00:00Z` from a file equals
 * `…T08:00:00.000Z` from the database.
 */
class InstantReader {
  private readonly epochs = new Map<string, number>();

  epoch(instant: string): number {
    let epoch = this.epochs.get(instant);
    if (epoch === undefined) this.epochs.set(instant, (epoch = Date.parse(instant)));
    return epoch;
  }

  /** Event type, start and end: what makes two events of one agent the same event. */
  identity(event: ScheduleEvent): string {
    return `${event.eventTypeId}\u0000${this.epoch(event.startAt)}\u0000${this.epoch(event.endAt)}`;
  }
}

/** Stored events by key, each taken at most once, in their original order. */
class StoredQueues<K> {
  private readonly queues = new Map<K, StoredEvent[]>();
  private readonly taken = new Set<StoredEvent>();

  constructor(
    private readonly events: readonly StoredEvent[],
    key: (event: StoredEvent) => K,
  ) {
    for (let index = events.length - 1; index >= 0; index -= 1) {
      const k = key(events[index]);
      const queue = this.queues.get(k);
      if (queue) queue.push(events[index]);
      else this.queues.set(k, [events[index]]);
    }
  }

  /** Built back to front, so pop() takes the first event of a key in O(1). */
  take(key: K): StoredEvent | undefined {
    const event = this.queues.get(key)?.pop();
    if (event) this.taken.add(event);
    return event;
  }

  remaining(): StoredEvent[] {
    return this.taken.size === 0 ? [...this.events] : this.events.filter((event) => !this.taken.has(event));
  }
}
