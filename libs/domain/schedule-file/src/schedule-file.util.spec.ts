import * as iconv from 'iconv-lite';
import { DEFAULT_ROW_HORIZON, type RowReading } from '@bpo/schedule-time';
import { DEFAULT_PARSE_LIMITS, type ParseLimits } from './file-limits.util';
import { readScheduleFile, type ScheduleFileSettings, type ScheduleFileSummary } from './schedule-file.util';

const settings: ScheduleFileSettings = {
  platform: 'custom',
  timezone: 'America/New_York',
  siteTimezone: 'America/New_York',
  dateOrder: 'YYYY-MM-DD',
  encoding: 'utf-8',
  titleLines: 0,
  rowHorizon: { ...DEFAULT_ROW_HORIZON },
  receivedAt: '2026-11-25T10:00:00.000Z',
};

async function* chunked(content: Buffer, size: number): AsyncIterable<Buffer> {
  for (let at = 0; at < content.length; at += size) yield content.subarray(at, at + size);
}

async function read(content: string | Buffer, overrides: Partial<ScheduleFileSettings> = {}, limits?: ParseLimits, chunkBytes = 5) {
  const readings: RowReading[] = [];
  const chars: number[] = [];
  const parts: string[] = [];
  let summary: ScheduleFileSummary | undefined;
  for await (const part of readScheduleFile(chunked(Buffer.isBuffer(content) ? content : Buffer.from(content), chunkBytes), { ...settings, ...overrides }, { limits })) {
    parts.push(part.kind);
    if (part.kind === 'end') summary = part.summary;
    else {
      expect(part.chars).toHaveLength(part.readings.length);
      readings.push(...part.readings);
      chars.push(...part.chars);
    }
  }
  expect(parts[parts.length - 1]).toBe('end');
  return { readings, chars, summary: summary!, rows: readings.flatMap((r) => (r.ok ? [r.row] : [])), problems: readings.flatMap((r) => (r.ok ? [] : r.problems)) };
}

describe('readScheduleFile: a schedule file read as the pipeline reads it', () => {
  it('reads rows and row problems in file order, in any chunks, and sums up the file', async () => {
    const csv = [
      '\uFEFFagent_id,start_time,end_time,activity',
      'A1,2026-12-01T09:00:00,2026-12-01T17:00:00,Phones',
      '',
      'A2,yesterday,2026-12-01T17:00:00,Phones',
      'A2,2026-12-03T22:00:00,2026-12-04T06:00:00,"Chat, night"',
    ].join('\r\n');
    for (const chunkBytes of [1, 3, 64 * 1024]) {
      const { readings, chars, rows, problems, summary } = await read(csv, {}, undefined, chunkBytes);
      expect(readings.map((r) => (r.ok ? r.row.line : r.skipped ?? r.problems[0].line))).toEqual([2, 'blank', 4, 5]);
      expect(chars).toEqual([46, 0, 36, 51]);
      expect(rows.map((r) => [r.line, r.platformAgentId, r.activity, new Date(r.startAt).toISOString(), r.day])).toEqual([
        [2, 'A1', 'Phones', '2026-12-01T14:00:00.000Z', '2026-12-01'],
        [5, 'A2', 'Chat, night', '2026-12-04T03:00:00.000Z', '2026-12-03'],
      ]);
      expect(problems.map((p) => [p.line, p.column, p.code])).toEqual([[4, 'start_time', 'invalid_time']]);
      expect(summary).toEqual({ rowCount: 3, rowErrorCount: 1, window: { from: '2026-12-01', to: '2026-12-03' }, headerLine: 1 });
    }
  });

  it('reads the integration’s encoding and title lines (NICE IEX, Windows-1252)', async () => {
    const file = iconv.encode(
      'Agent Schedule Detail\r\n#fields:muID|tvID|name|schedDate|excDate|excCode|excName|startTime|stopTime\r\n100|40117|Jörg|12012026|12012026|OPEN|Open|8:00 AM|4:30 PM\r\n',
      'windows-1252',
    );
    const { rows, summary } = await read(file, { platform: 'nice_iex', dateOrder: 'MMDDYYYY', encoding: 'windows-1252', titleLines: 1, timezone: 'America/Chicago' });
    expect(rows.map((r) => [r.platformAgentId, r.agentName, new Date(r.startAt).toISOString()])).toEqual([['40117', 'Jörg', '2026-12-01T14:00:00.000Z']]);
    expect(summary).toMatchObject({ rowCount: 1, rowErrorCount: 0, headerLine: 2 });
  });

  it.each([
    ['', 'the file is empty'],
    ['agent_id,start_time,end_time\nA1,2026-12-01T09:00:00,2026-12-01T10:00:00', 'line 1: the header lacks required'],
    ['agent_id,start_time,end_time,activity\nA1,2026-12-01T09:00:00,2026-12-01T10:00:00,"Phones', 'the file is not valid CSV: the row after line 1: a quoted value is never closed'],
  ])('ends with the reason a file fails as a whole, and no window: %j', async (content, reason) => {
    const { summary } = await read(content);
    expect(summary.failure).toContain(reason);
    expect(summary.window).toBeUndefined();
  });

  it('yields the records read before a limit is passed, then the reason, with the counts so far', async () => {
    const lines = ['agent_id,start_time,end_time,activity'];
    for (let day = 1; day <= 5; day += 1) lines.push(`A1,2026-12-0${day}T09:00:00,2026-12-0${day}T17:00:00,Phones`);
    const { rows, summary } = await read(lines.join('\n'), {}, { ...DEFAULT_PARSE_LIMITS, maxRows: 3 }, 64 * 1024);
    expect(rows.map((r) => r.line)).toEqual([2, 3, 4]);
    expect(summary).toEqual({ rowCount: 3, rowErrorCount: 0, failure: 'the file has more than 3 rows, the limit; split it into smaller files', headerLine: 1 });
  });

  it('throws what the chunk source throws (a database going away is no problem of the file)', async () => {
    async function* broken(): AsyncIterable<Buffer> {
      yield Buffer.from('agent_id,start_time,end_time,activity\n');
      throw new Error('connection terminated');
    }
    const reading = (async () => {
      for await (const part of readScheduleFile(broken(), settings)) void part;
    })();
    await expect(reading).rejects.toThrow('connection terminated');
  });
});
