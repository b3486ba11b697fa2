import type { RowsBatchV2 } from '@bpo/contracts';
import { stagedRowsCopy } from './staged-rows-copy';

const RUN = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const AGENT = 'ffffffff-0000-4000-8000-000000000001';
const TYPE = '12345678-9abc-4def-8123-456789abcdef';

/** Reads a binary COPY stream back as PostgreSQL would: each row's seven fields, as text. */
function decode(copy: Buffer): string[][] {
  expect(copy.subarray(0, 11).toString('latin1')).toBe('PGCOPY\n\xff\r\n\0');
  expect(copy.readInt32BE(11)).toBe(0);
  expect(copy.readInt32BE(15)).toBe(0);
  let offset = 19;
  const rows: string[][] = [];
  const uuid = (bytes: Buffer) => bytes.toString('hex').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
  for (;;) {
    const fields = copy.readInt16BE(offset);
    offset += 2;
    if (fields === -1) break;
    expect(fields).toBe(7);
    const row: string[] = [];
    for (let field = 0; field < fields; field += 1) {
      const length = copy.readInt32BE(offset);
      const bytes = copy.subarray(offset + 4, offset + 4 + length);
      offset += 4 + length;
      if (length === 16) row.push(uuid(bytes));
      else if (field === 1) row.push(String(bytes.readInt32BE(0)));
      else if (field === 6) row.push(new Date(Date.UTC(2000, 0, 1) + bytes.readInt32BE(0) * 86_400_000).toISOString().slice(0, 10));
      else row.push(new Date(Date.UTC(2000, 0, 1) + Number(bytes.readBigInt64BE(0)) / 1000).toISOString());
    }
    rows.push(row);
  }
  expect(offset).toBe(copy.length);
  return rows;
}

function batch(rows: Array<[line: number, agent: number, activity: number, startAt: string, endAt: string, day: number]>): RowsBatchV2 {
  return {
    syncRunId: RUN,
    platformAgentIds: ['E1', 'E2'],
    activities: ['Phones', 'Lunch'],
    days: ['2026-12-02', '1999-12-31'],
    agentIds: [AGENT, null],
    eventTypeIds: [TYPE, null],
    rows: {
      line: rows.map((row) => row[0]),
      agent: rows.map((row) => row[1]),
      activity: rows.map((row) => row[2]),
      startAt: rows.map((row) => Date.parse(row[3])),
      endAt: rows.map((row) => Date.parse(row[4])),
      day: rows.map((row) => row[5]),
    },
  } as unknown as RowsBatchV2;
}

describe('stagedRowsCopy (binary COPY of sync_run_rows)', () => {
  it('writes each resolved row in the given order, with ids, instants to the millisecond and days as PostgreSQL reads them', () => {
    const sent = batch([
      [2, 0, 0, '2026-12-02T14:00:00.000Z', '2026-12-02T16:30:00.123Z', 0],
      [3, 0, 0, '1999-12-31T23:59:59.999Z', '2000-01-01T00:00:00.001Z', 1],
      [4, 0, 0, '2106-02-07T06:28:16.000Z', '2106-02-07T06:28:17.000Z', 0],
    ]);
    expect(decode(stagedRowsCopy(sent, [1, 0, 2])!)).toEqual([
      [RUN, '3', AGENT, TYPE, '1999-12-31T23:59:59.999Z', '2000-01-01T00:00:00.001Z', '1999-12-31'],
      [RUN, '2', AGENT, TYPE, '2026-12-02T14:00:00.000Z', '2026-12-02T16:30:00.123Z', '2026-12-02'],
      // Past 2^32 microseconds' high word boundaries and 2^32 seconds.
      [RUN, '4', AGENT, TYPE, '2106-02-07T06:28:16.000Z', '2106-02-07T06:28:17.000Z', '2026-12-02'],
    ]);
  });

  it('leaves out rows whose agent or event type was not resolved, and sends nothing when none was', () => {
    const sent = batch([
      [2, 1, 0, '2026-12-02T14:00:00.000Z', '2026-12-02T15:00:00.000Z', 0],
      [3, 0, 1, '2026-12-02T15:00:00.000Z', '2026-12-02T16:00:00.000Z', 0],
      [4, 0, 0, '2026-12-02T16:00:00.000Z', '2026-12-02T17:00:00.000Z', 0],
    ]);
    expect(decode(stagedRowsCopy(sent, [0, 1, 2])!).map((row) => row[1])).toEqual(['4']);
    expect(stagedRowsCopy(sent, [0, 1])).toBeNull();
  });
});
