import { DEFAULT_PARSE_LIMITS, limitRows, type ParseLimits } from '@bpo/schedule-file';
import { parse } from './parser-test.fixtures';

const HEADER = 'agent_id,start_time,end_time,activity';
const row = (agent = 'A1') => `${agent},2026-12-01T09:00:00,2026-12-01T17:00:00,Phones`;
const limits = (overrides: Partial<ParseLimits> = {}): ParseLimits => ({ ...DEFAULT_PARSE_LIMITS, ...overrides });
const KB64 = 64 * 1024;

async function collect(chunks: string[], options: Parameters<typeof limitRows>[1]): Promise<string> {
  let out = '';
  for await (const chunk of limitRows((async function* () { yield* chunks; })(), options)) out += chunk;
  return out;
}

describe('parse limits: a file over a limit fails with one reason a BPO can act on', () => {
  it('has documented defaults', () => {
    expect(DEFAULT_PARSE_LIMITS).toEqual({ maxLineChars: 65_536, maxColumns: 200, maxRows: 6_000_000, maxParseMs: 15 * 60_000 });
  });

  it('an over-long line: its exact length, and no row of the file is sent', async () => {
    const csv = [HEADER, row(), 'A2,' + 'x'.repeat(200_000) + ',2026-12-01T09:00:00,2026-12-01T17:00:00,Phones', row()].join('\r\n');
    const { end, sent } = await parse(csv, {}, limits(), KB64);
    expect(end.failure).toEqual({ stage: 'parser', reason: 'line 3 is 200,050 characters long; the limit is 65,536' });
    expect(sent).toEqual([end]);
  });

  it('an over-long last line without a newline, split over many chunks', async () => {
    const { end } = await parse(`${HEADER}\n${'y'.repeat(300)}`, {}, limits({ maxLineChars: 256 }), 7);
    expect(end.failure?.reason).toBe('line 2 is 300 characters long; the limit is 256');
  });

  it('an over-long header or title line', async () => {
    expect((await parse('t'.repeat(100_000) + '\n' + HEADER + '\n' + row(), { titleLines: 1 }, limits(), KB64)).end.failure?.reason).toBe(
      'line 1 is 100,000 characters long; the limit is 65,536',
    );
    expect((await parse(HEADER + ',' + 'h'.repeat(70_000) + '\r\n' + row(), {}, limits(), KB64)).end.failure?.reason).toBe('line 1 is 70,038 characters long; the limit is 65,536');
  });

  it('a line exactly at the limit passes (CRLF is not counted)', async () => {
    const name = 'n'.repeat(256 - row().length - 1);
    const line = `${row()},${name}`;
    expect(line).toHaveLength(256);
    const { end, rows } = await parse(`${HEADER},agent_name\r\n${line}\r\n`, {}, limits({ maxLineChars: 256 }), 5);
    expect(end.failure).toBeUndefined();
    expect(rows).toHaveLength(1);
  });

  it('too many columns on a row: the exact count', async () => {
    const csv = [HEADER, row(), row() + ','.repeat(499), row()].join('\n');
    const { end, sent } = await parse(csv, {}, limits(), 100);
    expect(end.failure?.reason).toBe('line 3 has 503 columns; the limit is 200');
    expect(sent).toEqual([end]);
  });

  it('a line too long because of its many columns reports its columns, counted to its end', async () => {
    const csv = `${HEADER}\nA1${',x'.repeat(100_000)}\n${row()}\n`;
    const { end } = await parse(csv, {}, limits(), KB64);
    expect(end.failure?.reason).toBe('line 2 has 100,001 columns; the limit is 200');
  });

  it('too many columns in the header', async () => {
    const { end } = await parse(HEADER + ',x'.repeat(300) + '\n' + row(), {}, limits(), KB64);
    expect(end.failure?.reason).toBe('line 1 has 304 columns; the limit is 200');
  });

  it('delimiters and line breaks inside quoted values are not columns or lines; "" is a quote', async () => {
    const quoted = `"${'a,'.repeat(300)}""b"""`;
    const csv = `${HEADER}\nA1,2026-12-01T09:00:00,2026-12-01T17:00:00,${quoted}\nA2,2026-12-01T09:00:00,2026-12-01T17:00:00,"two\nlines"\n${row('A3')}\n`;
    const { end, rows } = await parse(csv, {}, limits(), 3);
    expect(end.failure).toBeUndefined();
    expect(rows.map((r) => [r.platformAgentId, r.line])).toEqual([['A1', 2], ['A2', 3], ['A3', 4]]);
    expect(rows[0].activity).toBe(`${'a,'.repeat(300)}"b"`);
    expect(rows[1].activity).toBe('two\nlines');
  });

  it('an unclosed quote cannot make the parser buffer the rest of the file', async () => {
    const lines = [HEADER, `${row()},"never closed`];
    for (let i = 0; i < 100; i += 1) lines.push(row());
    const { end } = await parse(`${lines.join('\n')}\n`, {}, limits({ maxLineChars: 1000 }), 64);
    expect(end.failure?.reason).toBe(
      'the row starting on line 2 is over 1,000 characters long, the limit: a quoted value runs over 21 lines (is a closing quote missing?)',
    );
  });

  it('too many rows', async () => {
    const csv = [HEADER, row(), '', row(), row(), row()].join('\n');
    const { end } = await parse(csv, {}, limits({ maxRows: 3 }));
    expect(end.failure?.reason).toBe('the file has more than 3 rows, the limit; split it into smaller files');
    expect((await parse([HEADER, row(), '', row(), row()].join('\n'), {}, limits({ maxRows: 3 }))).end.failure).toBeUndefined();
  });

  it('parsing for too long', async () => {
    const lines = [HEADER];
    for (let i = 0; i < 600; i += 1) lines.push(row());
    const { end } = await parse(lines.join('\n'), {}, limits({ maxParseMs: 0 }), KB64);
    expect(end.failure?.reason).toBe('parsing the file took longer than 0 minutes, the limit (stopped at line 256); split it into smaller files');
  });

  it('limitRows passes text through unchanged and fails only over a limit', async () => {
    const text = `a;"b;\n";c\r\nd;e;f\n`;
    expect(await collect([text.slice(0, 4), text.slice(4)], { delimiter: ';', maxColumns: 3, maxLineChars: 10, firstLine: 2 })).toBe(text);
    await expect(collect(['a;b;c;d\n'], { delimiter: ';', maxColumns: 3, maxLineChars: 100, firstLine: 2 })).rejects.toThrow('line 2 has 4 columns; the limit is 3');
    await expect(collect(['abc\n', 'x'.repeat(50), 'x'.repeat(50), '\nok\n'], { delimiter: ';', maxColumns: 3, maxLineChars: 64, firstLine: 5 })).rejects.toThrow(
      'line 6 is 100 characters long; the limit is 64',
    );
  });

  it('a 50 MB line is rejected in bounded memory, before the CSV parser sees it', async () => {
    const chunk = 'z'.repeat(1024 * 1024);
    async function* body() {
      yield 'A1,';
      for (let i = 0; i < 50; i += 1) yield chunk;
      yield '\nA2,b\n';
    }
    const before = process.memoryUsage().heapUsed;
    let passed = 0;
    const error = await (async () => {
      try {
        for await (const text of limitRows(body(), { delimiter: ',', maxColumns: 200, maxLineChars: 65_536, firstLine: 7 })) passed += text.length;
      } catch (caught) {
        return caught as Error;
      }
      return null;
    })();
    expect(error?.message).toBe('line 7 is 52,428,803 characters long; the limit is 65,536');
    expect(passed).toBe(3);
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(20 * 1024 * 1024);
  });
});
