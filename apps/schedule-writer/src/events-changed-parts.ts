/** How a change is logged; the order is the order of an events-changed message's lists. */
export const ChangeKind = { Created: 0, Updated: 1, Deleted: 2 } as const;
export type ChangeKind = (typeof ChangeKind)[keyof typeof ChangeKind];

/** A logged change of an event, as an events-changed message lists it. */
export interface LoggedChange {
  kind: ChangeKind;
  id: number;
  agentId: string;
  eventTypeId: string;
  startAt: string;
  endAt: string;
}

/** What every part of a run's events-changed messages says besides its changes. */
export interface EventsChangedHeader {
  integrationId: string;
  organizationId: string;
  scheduleId: string;
  fileId: string;
  syncRunId: string;
  syncPastEvents: boolean;
}

/**
 * The bytes a change counts for when parts are cut: its JSON with a 24-character instant each
 * (183 bytes and its id's digits) and a comma. Exact for every change the pipeline writes, so a
 * run's part count is known before any part is rendered.
 */
export function changeSize(id: number): number {
  return 184 + String(id).length;
}

/** How many parts changes of these total sizes make. */
export function partCount(totalSize: number, partBytes: number): number {
  return totalSize === 0 ? 0 : Math.floor((totalSize - 1) / partBytes) + 1;
}

/**
 * Renders a run's changes, given in (kind, id) order, as its events-changed messages: created,
 * then updated, then deleted, each in id order, cut into parts of at most `partBytes` of changes
 * by their running size (never by count). Each part is handed to `emit` as compact JSON text as
 * soon as it is whole, so only one part is ever held.
 */
export class EventsChangedParts {
  private readonly lists: [string[], string[], string[]] = [[], [], []];
  private size = 0;
  private part = 0;
  private held = 0;

  constructor(
    private readonly header: EventsChangedHeader,
    private readonly parts: number,
    private readonly partBytes: number,
    private readonly emit: (payload: string) => void,
  ) {}

  add(change: LoggedChange): void {
    this.size += changeSize(change.id);
    const part = Math.floor((this.size - 1) / this.partBytes);
    if (part !== this.part && this.held > 0) this.flush();
    this.part = part;
    this.lists[change.kind].push(
      `{"id":"${change.id}","agentId":"${change.agentId}","eventTypeId":"${change.eventTypeId}","startAt":"${change.startAt}","endAt":"${change.endAt}"}`,
    );
    this.held += 1;
  }

  /** Emits the last part. */
  end(): void {
    if (this.held > 0) this.flush();
  }

  private flush(): void {
    const h = this.header;
    const [created, updated, deleted] = this.lists;
    this.emit(
      `{"integrationId":${JSON.stringify(h.integrationId)},"organizationId":${JSON.stringify(h.organizationId)},"scheduleId":${JSON.stringify(h.scheduleId)},` +
        `"fileId":${JSON.stringify(h.fileId)},"syncRunId":${JSON.stringify(h.syncRunId)},"part":${this.part + 1},"parts":${this.parts},` +
        `"created":[${created.join(',')}],"updated":[${updated.join(',')}],"deleted":[${deleted.join(',')}],"syncPastEvents":${h.syncPastEvents}}`,
    );
    this.lists.forEach((list) => (list.length = 0));
    this.held = 0;
  }
}
