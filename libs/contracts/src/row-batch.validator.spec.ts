import { decodeMessage, RowsBatchV1 } from './index';

const row = { line: 2, platformAgentId: 'B1', activity: 'Phones', startAt: '2026-12-01T14:00:00.000Z', endAt: '2026-12-01T15:00:00.000Z', day: '2026-12-01' };
const batch = (rows: unknown[], errors: unknown[] = []) =>
  JSON.stringify({
    kind: 'rows',
    messageId: 'parser:x:0',
    occurredAt: '2026-12-01T14:00:00.000Z',
    organizationId: '00000000-0000-4000-8000-000000000001',
    integrationId: '00000000-0000-4000-8000-000000000002',
    fileId: '00000000-0000-4000-8000-000000000003',
    syncRunId: '00000000-0000-4000-8000-000000000004',
    sequence: 0,
    rows,
    errors,
  });

describe('RowsBatchV1 validation', () => {
  it('accepts valid rows and errors', () => {
    const decoded = decodeMessage(RowsBatchV1, batch([row, { ...row, agentId: '00000000-0000-4000-8000-00000000000a', scheduleDay: '2026-11-30' }], [{ line: 3, code: 'invalid_time', message: 'm', column: 'start' }]));
    expect(decoded.ok).toBe(true);
  });

  it.each([
    [[{ ...row, line: 0 }], [], 'rows[0].line is missing or invalid'],
    [[row, { ...row, startAt: 'yesterday' }], [], 'rows[1].startAt is missing or invalid'],
    [[{ ...row, day: undefined }], [], 'rows[0].day is missing or invalid'],
    [[{ ...row, agentId: 'not-a-uuid' }], [], 'rows[0].agentId is missing or invalid'],
    ['many', [], 'rows must be an array'],
    [[row], [{ line: 1, code: 'no_such_code', message: 'm' }], 'errors[0].code is missing or invalid'],
  ])('refuses %j / %j, naming the row and field', (rows, errors, reason) => {
    const decoded = decodeMessage(RowsBatchV1, batch(rows as unknown[], errors));
    expect(decoded).toEqual({ ok: false, reason: expect.stringContaining(reason) });
  });

});
