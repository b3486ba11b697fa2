import { ChangeKind, changeSize, EventsChangedParts, partCount, type EventsChangedHeader, type LoggedChange } from './events-changed-parts';

const header: EventsChangedHeader = {
  integrationId: '00000000-0000-4000-8000-000000000001',
  organizationId: '00000000-0000-4000-8000-000000000002',
  scheduleId: '00000000-0000-4000-8000-000000000003',
  fileId: '00000000-0000-4000-8000-000000000004',
  syncRunId: '00000000-0000-4000-8000-000000000005',
  syncPastEvents: false,
};

function change(kind: ChangeKind, id: number): LoggedChange {
  return {
    kind,
    id,
    agentId: 'aaaaaaaa-0000-4000-8000-000000000001',
    eventTypeId: 'bbbbbbbb-0000-4000-8000-000000000002',
    startAt: '2026-12-01T06:00:00.000Z',
    endAt: '2026-12-01T06:30:00.000Z',
  };
}

function renderBytes(changes: LoggedChange[], partBytes: number): string[] {
  const total = changes.reduce((sum, c) => sum + changeSize(c.id), 0);
  const payloads: string[] = [];
  const parts = new EventsChangedParts(header, partCount(total, partBytes), partBytes, (payload) => payloads.push(payload.toString('utf8')));
  changes.forEach((c) => parts.add(c));
  parts.end();
  return payloads;
}

function render(changes: LoggedChange[], partBytes: number): Array<Record<string, unknown>> {
  return renderBytes(changes, partBytes).map((payload) => JSON.parse(payload));
}

describe('EventsChangedParts', () => {
  it('spells each change as the contract does, and counts its bytes exactly', () => {
    const [message] = render([change(ChangeKind.Updated, 12345)], 1 << 20);
    const { kind: _kind, ...event } = change(ChangeKind.Updated, 12345);
    expect(message).toEqual({ ...header, part: 1, parts: 1, created: [], updated: [{ ...event, id: '12345' }], deleted: [] });
    const list = JSON.stringify((message as { updated: unknown[] }).updated);
    // One change and its comma: the size the parts are cut by.
    expect(list.length - 2 + 1).toBe(changeSize(12345));
  });

  it('cuts parts by running size, keeps created, updated, deleted each in id order, and numbers every part', () => {
    const changes = [
      ...[1, 2, 3, 40, 500].map((id) => change(ChangeKind.Created, id)),
      ...[7, 8].map((id) => change(ChangeKind.Updated, id)),
      ...[9, 1000, 1001].map((id) => change(ChangeKind.Deleted, id)),
    ];
    const partBytes = 3 * 186; // three to four changes a part
    const messages = render(changes, partBytes);
    const total = changes.reduce((sum, c) => sum + changeSize(c.id), 0);
    expect(messages.map((m) => m.part)).toEqual(Array.from({ length: partCount(total, partBytes) }, (_, i) => i + 1));
    expect(messages.every((m) => m.parts === messages.length)).toBe(true);
    const ids = (list: 'created' | 'updated' | 'deleted') => messages.flatMap((m) => (m[list] as Array<{ id: string }>).map((e) => Number(e.id)));
    expect(ids('created')).toEqual([1, 2, 3, 40, 500]);
    expect(ids('updated')).toEqual([7, 8]);
    expect(ids('deleted')).toEqual([9, 1000, 1001]);
    // As the SQL that cut parts before: a change is in part floor((running size - 1) / partBytes).
    let running = 0;
    for (const c of changes) {
      running += changeSize(c.id);
      const part = Math.floor((running - 1) / partBytes) + 1;
      const holder = messages.find((m) => [...(m.created as []), ...(m.updated as []), ...(m.deleted as [])].some((e: { id: string }) => e.id === String(c.id)));
      expect(holder?.part).toBe(part);
    }
  });

  it('writes each part exactly as JSON.stringify spells the message, whatever the kinds a part starts and ends in', () => {
    const changes = [
      ...[1, 2, 3].map((id) => change(ChangeKind.Created, id)),
      ...[70, 80, 90, 100].map((id) => change(ChangeKind.Updated, id)),
      ...[1234567890123].map((id) => change(ChangeKind.Deleted, id)),
    ];
    for (const partBytes of [100, 186, 2 * 186, 5 * 186, 1 << 20]) {
      const payloads = renderBytes(changes, partBytes);
      const expected = payloads.map((payload) => {
        const message = JSON.parse(payload) as Record<string, unknown>;
        const { integrationId, organizationId, scheduleId, fileId, syncRunId, syncPastEvents } = header;
        const { part, parts, created, updated, deleted } = message;
        return JSON.stringify({ integrationId, organizationId, scheduleId, fileId, syncRunId, part, parts, created, updated, deleted, syncPastEvents });
      });
      expect(payloads).toEqual(expected);
      expect(payloads.flatMap((payload) => ['created', 'updated', 'deleted'].flatMap((list) => (JSON.parse(payload)[list] as Array<{ id: string }>).map((e) => Number(e.id))))).toEqual(
        changes.map((c) => c.id),
      );
    }
  });

  it('grows a part for instants longer than the contract spells (years past 9999, as the database writes them)', () => {
    const long = { ...change(ChangeKind.Created, 1), startAt: '10000-01-01 00:00:00+00'.repeat(60), endAt: 'infinity'.repeat(150) };
    // Both changes in one part (their counted sizes are 2 x 185), whose buffer (400 + 1024 + its header) they outgrow.
    const [message] = render([long, change(ChangeKind.Deleted, 2)], 400);
    expect((message.created as Array<{ startAt: string; endAt: string }>)[0]).toMatchObject({ startAt: long.startAt, endAt: long.endAt });
    expect((message.deleted as Array<{ id: string }>)[0].id).toBe('2');
  });

  it('renders nothing for no changes', () => {
    expect(render([], 1024)).toEqual([]);
    expect(partCount(0, 1024)).toBe(0);
    expect(partCount(1024, 1024)).toBe(1);
    expect(partCount(1025, 1024)).toBe(2);
  });
});
