import { columnsOf, decodeMessage, RowsBatchV2 } from './index';

const START = Date.parse('2026-12-01T14:00:00.000Z');
const row = { line: 2, platformAgentId: 'B1', activity: 'Phones', startAt: START, endAt: START + 3_600_000, day: '2026-12-01' };
const AGENT = '00000000-0000-4000-8000-00000000000a';
const batch = (fields: Record<string, unknown> = {}) =>
  JSON.stringify({
    kind: 'rows',
    messageId: 'parser:x:0',
    occurredAt: '2026-12-01T14:00:00.000Z',
    organizationId: '00000000-0000-4000-8000-000000000001',
    integrationId: '00000000-0000-4000-8000-000000000002',
    fileId: '00000000-0000-4000-8000-000000000003',
    syncRunId: '00000000-0000-4000-8000-000000000004',
    sequence: 0,
    ...columnsOf([row, { ...row, line: 3, platformAgentId: 'B2', day: '2026-12-02' }]),
    errors: [],
    ...fields,
  });
const twoRows = columnsOf([row, { ...row, line: 3, platformAgentId: 'B2', day: '2026-12-02' }]).rows;

describe('RowsBatchV2 validation', () => {
  it('accepts valid rows, resolved ids and errors', () => {
    const decoded = decodeMessage(RowsBatchV2, batch({ eventTypeIds: [null], agentIds: [AGENT, null], errors: [{ line: 3, code: 'invalid_time', message: 'm', column: 'start' }] }));
    expect(decoded.ok).toBe(true);
  });

  it('accepts agent-day entries, and keeps them as sent', () => {
    const agentDays = { agent: [0, 1], day: [0, 1], digest: [0, 2 ** 52 - 1], rows: [1, 3], skipped: [0, 1] };
    const decoded = decodeMessage(RowsBatchV2, batch({ agentDays }));
    expect(decoded).toEqual(expect.objectContaining({ ok: true, message: expect.objectContaining({ agentDays }) }));
  });

  it.each([
    [{ rows: { ...twoRows, line: [0, 3] } }, 'rows.line[0] is missing or invalid'],
    [{ rows: { ...twoRows, startAt: [START, 'yesterday'] } }, 'rows.startAt[1] is missing or invalid'],
    [{ rows: { ...twoRows, endAt: [START, -5] } }, 'rows.endAt[1] is missing or invalid'],
    [{ rows: { ...twoRows, day: [0] } }, 'rows.day must be an array as long as rows.line'],
    [{ rows: { ...twoRows, agent: [0, 2] } }, 'rows.agent[1] is missing or invalid'],
    [{ rows: { ...twoRows, activity: [0, 1] } }, 'rows.activity[1] is missing or invalid'],
    [{ rows: 'many' }, 'rows must be an object of columns'],
    [{ days: ['2026-12-01', 'tomorrow'] }, 'days[1] is missing or invalid'],
    [{ platformAgentIds: ['B1', ''] }, 'platformAgentIds[1] is missing or invalid'],
    [{ agentIds: ['not-a-uuid', null] }, 'agentIds[0] is missing or invalid'],
    [{ agentIds: [AGENT] }, 'agentIds must have one entry per item of platformAgentIds'],
    [{ eventTypeIds: 'all' }, 'eventTypeIds must be an array'],
    [{ errors: [{ line: 1, code: 'no_such_code', message: 'm' }] }, 'errors[0].code is missing or invalid'],
    [{ agentDays: { agent: [0, 2], day: [0, 0], digest: [1, 1], rows: [1, 1], skipped: [0, 0] } }, 'agentDays.agent[1] is missing or invalid'],
    [{ agentDays: { agent: [0], day: [0], digest: [2 ** 52], rows: [1], skipped: [0] } }, 'agentDays.digest[0] is missing or invalid'],
    [{ agentDays: { agent: [0], day: [0], digest: [1], rows: [0], skipped: [0] } }, 'agentDays.rows[0] is missing or invalid'],
    [{ agentDays: { agent: [0], day: [0], digest: [1], rows: [1], skipped: [true] } }, 'agentDays.skipped[0] is missing or invalid'],
    [{ agentDays: { agent: [0], day: [0, 1], digest: [1], rows: [1], skipped: [0] } }, 'agentDays.day must be an array as long as agentDays.agent'],
  ])('refuses %j, naming the column and row', (fields, reason) => {
    const decoded = decodeMessage(RowsBatchV2, batch(fields));
    expect(decoded).toEqual({ ok: false, reason: expect.stringContaining(reason) });
  });
});
