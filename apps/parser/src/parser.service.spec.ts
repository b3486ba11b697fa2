import { agentDaysOf, type FileEndV1 } from '@bpo/contracts';
import { agentDayKey, DigestTable } from '@bpo/snapshot-sync';
import { file, parse, STORED_DIGESTS_BASIS } from './parser-test.fixtures';
import { DEFAULT_BATCH_ROWS } from './parser.config';

describe('ParserService with the Custom template', () => {
  it('reads a file with BOM, CRLF, quoted fields, blank lines, extra columns and any column order', async () => {
    const csv =
      '\uFEFFActivity,Agent_ID,start_time,end_time,Agent Name,Notes\r\n' +
      'Phones,A1,2026-12-01T09:00:00,2026-12-01T17:00:00,"Müller, Jörg","said ""hi"""  \r\n' +
      '\r\n' +
      'Break,A1,2026-12-01T12:00:00-05:00,2026-12-01T17:15:00Z,Müller,\r\n' +
      'Phones,A2,2026-12-01T22:00:00,2026-12-02T06:00:00,,\r\n';
    const { end, rows, errors } = await parse(csv);
    expect(errors).toEqual([]);
    expect(rows.map((r) => [r.line, r.platformAgentId, r.activity, r.startAt, r.endAt, r.day])).toEqual([
      [2, 'A1', 'Phones', '2026-12-01T14:00:00.000Z', '2026-12-01T22:00:00.000Z', '2026-12-01'],
      [4, 'A1', 'Break', '2026-12-01T17:00:00.000Z', '2026-12-01T17:15:00.000Z', '2026-12-01'],
      [5, 'A2', 'Phones', '2026-12-02T03:00:00.000Z', '2026-12-02T11:00:00.000Z', '2026-12-01'],
    ]);
    expect(end).toMatchObject({ kind: 'end', batchCount: 1, rowCount: 3, rowErrorCount: 0, window: { from: '2026-12-01', to: '2026-12-01' }, repeatedAgentDays: 0 });
  });

  it('counts in its end the agent-days the file lists in several places (the writer looks for them only then)', async () => {
    const csv = [
      'agent_id,start_time,end_time,activity',
      'A1,2026-12-01T09:00:00,2026-12-01T12:00:00,Phones',
      'A2,2026-12-01T09:00:00,2026-12-01T12:00:00,Phones',
      'A1,2026-12-01T13:00:00,2026-12-01T17:00:00,Phones',
      'A1,2026-12-02T09:00:00,2026-12-02T12:00:00,Phones',
    ].join('\n');
    const { end } = await parse(csv);
    expect(end).toMatchObject({ kind: 'end', rowCount: 4, repeatedAgentDays: 1 });
  });

  it('records row problems with line and column, and the other rows go on', async () => {
    const csv = [
      'agent_id,start_time,end_time,activity',
      ',2026-12-01T09:00:00,2026-12-01T17:00:00,Phones',
      'A1,yesterday,2026-12-01T17:00:00,Phones',
      'A1,2026-12-01T17:00:00,2026-12-01T09:00:00,Phones',
      'A1,2026-12-01T09:00:00,2026-12-02T10:00:00,Phones',
      'A1,2026-12-03T09:00:00,2026-12-03T17:00:00,',
      'A2,2026-12-03T09:00:00,2026-12-03T17:00:00,Chat',
    ].join('\n');
    const { rows, errors, end } = await parse(csv);
    expect(rows.map((r) => r.line)).toEqual([7]);
    expect(errors.map((e) => [e.line, e.code])).toEqual([
      [2, 'missing_value'],
      [3, 'invalid_time'],
      [4, 'end_not_after_start'],
      [5, 'shift_too_long'],
      [6, 'missing_value'],
    ]);
    expect(errors[0].column).toBe('agent_id');
    expect(end).toMatchObject({ rowCount: 6, rowErrorCount: 5, window: { from: '2026-12-03', to: '2026-12-03' } });
  });

  it.each([
    ['', 'the file is empty'],
    ['\r\n\r\n', 'the file has no header line (it holds only title or blank lines)'],
    ['agent_id,start_time,end_time\nA1,2026-12-01T09:00:00,2026-12-01T10:00:00', 'line 1: the header lacks required'],
  ])('fails the whole file with one clear reason: %j', async (content, reason) => {
    const { end, batches } = await parse(content);
    expect(batches).toEqual([]);
    expect(end.failure?.stage).toBe('parser');
    expect(end.failure?.reason).toContain(reason);
    expect(end.window).toBeUndefined();
  });

  it('fails a file that is not UTF-8, and reads it in the integration’s encoding', async () => {
    const latin1 = Buffer.from('agent_id,agent_name,start_time,end_time,activity\nM\xfcller,A1,2026-12-01T09:00:00,2026-12-01T17:00:00,Phones\n', 'latin1');
    const asUtf8 = await parse(latin1);
    expect(asUtf8.end.failure?.reason).toMatch(/not UTF-8 text/);
    const asWindows1252 = await parse(latin1, { encoding: 'windows-1252' });
    expect(asWindows1252.rows[0].platformAgentId).toBe('Müller');
  });

  it('skips title lines before the header', async () => {
    const csv = 'Weekly schedule report\nGenerated 2026-11-25\nagent_id,start_time,end_time,activity\nA1,2026-12-01T09:00:00,2026-12-01T17:00:00,Phones\n';
    const { rows } = await parse(csv, { titleLines: 2 });
    expect(rows.map((r) => r.line)).toEqual([4]);
  });

  it('sends bounded batches with deterministic ids, then the end', async () => {
    const lines = ['agent_id,start_time,end_time,activity'];
    for (let i = 0; i < DEFAULT_BATCH_ROWS * 2 + 5; i += 1) lines.push(`A${i % 7},2026-12-01T09:00:00,2026-12-01T17:00:00,Phones`);
    const { batches, sent, end } = await parse(lines.join('\n'));
    expect(batches.map((b) => [b.sequence, b.rows.line.length, b.messageId])).toEqual([
      [0, DEFAULT_BATCH_ROWS, `parser:${file.syncRunId}:0`],
      [1, DEFAULT_BATCH_ROWS, `parser:${file.syncRunId}:1`],
      [2, 5, `parser:${file.syncRunId}:2`],
    ]);
    expect(sent[sent.length - 1]).toBe(end);
    expect((end as FileEndV1).batchCount).toBe(3);
  });
});

describe('ParserService with stored agent-day digests', () => {
  // Received 2026-11-25 in New York: agent-days from 2026-11-27 on may be left out.
  const header = 'agent_id,start_time,end_time,activity';
  const shift = ['09:00-12:00 Phones', '12:00-13:00 Lunch'];
  const rowsOfShift = (d: string, agent: string) =>
    shift.map((s) => {
      const [times, activity] = s.split(' ');
      const [start, end] = times.split('-');
      return `${agent},${d}T${start}:00,${d}T${end}:00,${activity}`;
    });
  const first = [header, ...rowsOfShift('2026-11-26', 'A1'), ...rowsOfShift('2026-11-30', 'A1'), ...rowsOfShift('2026-11-30', 'A2'), ...rowsOfShift('2026-12-01', 'A1')].join('\n');

  /** The digests the writer would store after applying `content` (every entry of its batches). */
  async function storedAfter(content: string) {
    const { agentDays } = await parse(content);
    const table = new DigestTable(agentDays.length);
    for (const entry of agentDays) table.set(agentDayKey(entry.platformAgentId, entry.day), entry.digest);
    return table;
  }

  it('closes every agent-day with an entry, and leaves out nothing without stored digests', async () => {
    const { agentDays, rows, repository } = await parse(first);
    expect(agentDays.map((e) => [e.platformAgentId, e.day, e.rows, e.skipped])).toEqual([
      ['A1', '2026-11-26', 2, false],
      ['A1', '2026-11-30', 2, false],
      ['A2', '2026-11-30', 2, false],
      ['A1', '2026-12-01', 2, false],
    ]);
    expect(rows).toHaveLength(8);
    expect(repository.digestsAskedFrom).toEqual(['2026-11-27']);
  });

  it('leaves out the rows of agent-days whose digest is the stored one, from two days after receipt on', async () => {
    const stored = await storedAfter(first);
    // A2 moves its lunch; everything else is sent again as it was, in another order.
    const again = [header, ...rowsOfShift('2026-12-01', 'A1').reverse(), ...rowsOfShift('2026-11-30', 'A1'), 'A2,2026-11-30T09:00:00,2026-11-30T12:30:00,Phones', 'A2,2026-11-30T12:30:00,2026-11-30T13:30:00,Lunch', ...rowsOfShift('2026-11-26', 'A1')].join('\n');
    const { agentDays, rows, end } = await parse(again, {}, undefined, undefined, { stored });
    expect(agentDays.map((e) => [e.platformAgentId, e.day, e.rows, e.skipped])).toEqual([
      ['A1', '2026-12-01', 2, true],
      ['A1', '2026-11-30', 2, true],
      ['A2', '2026-11-30', 2, false],
      // Before the first skippable day: always sent, the writer applies the past-day rule.
      ['A1', '2026-11-26', 2, false],
    ]);
    expect(rows.map((r) => [r.platformAgentId, r.day])).toEqual([
      ['A2', '2026-11-30'],
      ['A2', '2026-11-30'],
      ['A1', '2026-11-26'],
      ['A1', '2026-11-26'],
    ]);
    // The file's counts and window are the whole file's; and it says what it compared with, for the writer to check.
    expect(end).toMatchObject({ rowCount: 8, window: { from: '2026-11-26', to: '2026-12-01' }, comparedWith: STORED_DIGESTS_BASIS });
  });

  it('sends everything when the file is to be read in full, without asking for digests', async () => {
    const stored = await storedAfter(first);
    const { agentDays, rows, repository, end } = await parse(first, {}, undefined, undefined, { stored, announced: { readInFull: true } });
    expect(agentDays.every((e) => !e.skipped)).toBe(true);
    expect(rows).toHaveLength(8);
    expect(repository.digestsAskedFrom).toEqual([]);
    expect(end.comparedWith).toBeUndefined();
  });

  it('keeps a run and its entry in one batch, and bounds batches of entries alone', async () => {
    const lines = [header];
    // Two rows an agent: more rows than one batch takes, fewer agent-days than a batch of entries alone.
    const agents = Math.ceil(DEFAULT_BATCH_ROWS * 0.6);
    for (let agent = 0; agent < agents; agent += 1) lines.push(...rowsOfShift('2026-12-01', `A${agent}`));
    const content = lines.join('\n');
    const stored = await storedAfter(content);
    const { batches } = await parse(content, {}, undefined, 4096, { stored });
    // All agent-days unchanged: no rows travel, entries only.
    expect(batches.map((b) => [b.rows.line.length, b.agentDays?.agent.length])).toEqual([[0, agents]]);
    const changed = await parse(content, {}, undefined, 4096);
    for (const batch of changed.batches) {
      const entries = agentDaysOf(batch);
      expect(entries.reduce((sum, e) => sum + e.rows, 0)).toBe(batch.rows.line.length);
    }
    expect(changed.batches.length).toBeGreaterThan(1);
  });
});
