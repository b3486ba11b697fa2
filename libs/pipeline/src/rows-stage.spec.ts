import { columnsOf, type RowsBatchV2 } from '@bpo/contracts';
import { JsonBytes } from '@bpo/messaging';
import { handedOn } from './rows-stage';

const RUN = '00000000-0000-4000-8000-000000000001';

function parsedBatch(activities = ['Phones', 'Lunch']): { raw: Buffer; input: RowsBatchV2 } {
  const rows = activities.map((activity, index) => ({ line: index + 2, platformAgentId: `E${index}`, activity, startAt: Date.UTC(2026, 11, 2, 14 + index), endAt: Date.UTC(2026, 11, 2, 15 + index), day: '2026-12-02' }));
  const sent = {
    organizationId: '00000000-0000-4000-8000-00000000000a',
    integrationId: '00000000-0000-4000-8000-00000000000b',
    fileId: '00000000-0000-4000-8000-00000000000c',
    syncRunId: RUN,
    messageId: `parser:${RUN}:0`,
    occurredAt: '2026-12-01T14:00:00.000Z',
    kind: 'rows',
    sequence: 0,
    ...columnsOf(rows),
    errors: [],
  } as unknown as RowsBatchV2;
  const raw = Buffer.from(JSON.stringify(sent));
  // As decodeFileMessage gives it: a fresh object, arrays as parsed.
  return { raw, input: JSON.parse(raw.toString()) as RowsBatchV2 };
}

const mapped = (input: RowsBatchV2, changes: Partial<RowsBatchV2> = {}): RowsBatchV2 => ({
  ...input,
  eventTypeIds: input.activities.map(() => '00000000-0000-4000-8000-0000000000e1'),
  ...changes,
  messageId: `mapping:${RUN}:0`,
});

describe('handedOn (a middle stage hands a batch on without encoding it again)', () => {
  it('sends the received bytes with the message id replaced and the new fields appended: the same message as encoding it whole', () => {
    const { raw, input } = parsedBatch();
    const output = mapped(input);
    const sent = handedOn(raw, input, output);
    expect(sent).toBeInstanceOf(JsonBytes);
    expect(JSON.parse((sent as JsonBytes).bytes.toString())).toEqual(JSON.parse(JSON.stringify(output)));
  });

  it('finds the message id only where it is the key, whatever an activity is called', () => {
    const { raw, input } = parsedBatch([`"messageId":"parser:${RUN}:0"`, 'messageId":"parser:x', '\\"', 'ü 🙂']);
    const output = mapped(input);
    const sent = handedOn(raw, input, output);
    expect(sent).toBeInstanceOf(JsonBytes);
    expect(JSON.parse((sent as JsonBytes).bytes.toString())).toEqual(JSON.parse(JSON.stringify(output)));
  });

  it('encodes the batch whole when the stage changed a field it received (row errors added)', () => {
    const { raw, input } = parsedBatch();
    const output = mapped(input, { errors: [{ line: 3, code: 'unmapped_activity', column: 'activity', message: 'no rule' }] });
    expect(handedOn(raw, input, output)).toBe(output);
  });

  it('encodes the batch whole when the received text is not laid out as a publisher lays it out, or is missing', () => {
    const { input } = parsedBatch();
    const output = mapped(input);
    expect(handedOn(Buffer.from(JSON.stringify(input, null, 2)), input, output)).toBe(output);
    expect(handedOn(Buffer.from(`${JSON.stringify(input)}\n`), input, output)).toBe(output);
    expect(handedOn(null, input, output)).toBe(output);
  });

  it('encodes the batch whole when the stage dropped a field', () => {
    const { raw, input } = parsedBatch();
    const { errors: _dropped, ...output } = mapped(input);
    expect(handedOn(raw, input, output as RowsBatchV2)).toBe(output);
  });
});
