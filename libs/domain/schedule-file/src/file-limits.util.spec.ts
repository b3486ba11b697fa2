import * as fc from 'fast-check';
import { limitRows, PlainLines } from './file-limits.util';

async function* chunked(text: string, size: number): AsyncIterable<string> {
  for (let at = 0; at < text.length; at += size) yield text.slice(at, at + size);
}

async function* listed(chunks: string[]): AsyncIterable<string> {
  for (const chunk of chunks) if (chunk.length > 0) yield chunk;
}

/** The text limitRows passes on, or the message of the problem it stops at. */
async function limited(text: string, size: number, maxColumns: number, maxLineChars: number, delimiter = ','): Promise<string> {
  let out = '';
  try {
    for await (const chunk of limitRows(chunked(text, size), { delimiter, maxColumns, maxLineChars, firstLine: 2 })) out += chunk;
    return out;
  } catch (error) {
    return `problem: ${(error as Error).message}`;
  }
}

describe('limitRows', () => {
  it('passes a line of exactly the limit whose CRLF is split between chunks, and refuses one a character longer', async () => {
    const exact = 'a,b\r\nabcdefghij\r\nc,d\r\n';
    for (const size of [1, 2, 3, 4, 16, exact.length]) expect(await limited(exact, size, 5, 10)).toBe(exact);
    const longer = 'a,b\r\nabcdefghijk\r\nc,d\r\n';
    for (const size of [1, 16, longer.length]) expect(await limited(longer, size, 5, 10)).toBe('problem: line 3 is 11 characters long; the limit is 10');
  });

  it('passes plain lines and lines of quoted values whole', async () => {
    const text = 'E1,"Reyes, Ana",2026-12-02T06:30,2026-12-02T10:30,Phones\r\n"a",b,"c"\n\n';
    expect(await limited(text, text.length, 5, 100)).toBe(text);
  });

  it.each([
    ['a line too long', 'a,b\r\nabcdefghijk\r\n', 5, 10, 'line 3 is 11 characters long'],
    ['too many columns', 'a,b\na,b,c,d,e,f\n', 5, 100, 'line 3 has 6 columns; the limit is 5'],
    ['a quoted delimiter is no column', 'a,"b,c,d,e,f,g"\n', 5, 100, undefined],
    ['a quoted line break spans the row', 'a,"b\nc\nd\ne"\n', 5, 6, 'the row starting on line 2 is over 6 characters long'],
    ['a doubled quote stays in the value', 'a,"b"",c,d,e,f,g"\n', 5, 100, undefined],
    ['a quote after spaces opens a value', 'a, "b,c,d,e,f,g"\n', 5, 100, undefined],
    ['a quote inside a value is text', 'a,b"c,d,e,f,g"\n', 5, 100, 'line 2 has 6 columns'],
  ])('%s', async (_case, text, maxColumns, maxLineChars, problem) => {
    for (const size of [1, 3, text.length]) {
      const result = await limited(text, size, maxColumns, maxLineChars);
      if (problem === undefined) expect(result).toBe(text);
      else expect(result).toContain(`problem: ${problem}`);
    }
  });

  // Split after its first character, the first line is not whole in a chunk and goes through the
  // character loop. A line the shortcut passes over must be one that loop ends its row on, under
  // every limit: whatever follows is then judged as if it started the file a line further down.
  it('passes over only lines the character loop ends its row on, under every limit', async () => {
    const piece = fc.oneof(
      { arbitrary: fc.constantFrom('a', ',', ';', '"', ' ', '\r'), weight: 6 },
      { arbitrary: fc.constantFrom('""', '\t', ',"x,y",', '"r;s"', '2026-12-02T06:30'), weight: 1 },
    );
    let passedOver = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(piece, { maxLength: 12 }).map((parts) => parts.join('')),
        fc.oneof(fc.constant(''), fc.array(fc.oneof(piece, fc.constant('\n')), { maxLength: 20 }).map((parts) => parts.join(''))),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 40 }),
        fc.constantFrom(',', ';', '|', '\t'),
        async (line, rest, maxColumns, maxLineChars, delimiter) => {
          // The probe line ends with one column too many: reported only when read outside quotes.
          const probe = `\n${delimiter.repeat(maxColumns)}\n`;
          const text = `${line}\n${rest}${probe}`;
          const plain = new PlainLines(delimiter, maxColumns, maxLineChars);
          plain.start(text);
          const end = plain.lineEnd(0);
          if (end === -1) return;
          passedOver += 1;
          expect(end).toBe(line.length); // the line break ending `line`
          const options = { delimiter, maxColumns, maxLineChars };
          const read = async (chunks: string[], firstLine: number) => {
            try {
              let out = '';
              for await (const chunk of limitRows(listed(chunks), { ...options, firstLine })) out += chunk;
              return out;
            } catch (error) {
              return `problem: ${(error as Error).message}`;
            }
          };
          const after = await read([rest + probe], 3);
          expect(await read([text.slice(0, 1), text.slice(1)], 2)).toBe(after.startsWith('problem: ') ? after : text);
        },
      ),
      { numRuns: 3000 },
    );
    expect(passedOver).toBeGreaterThan(300);
  });
});
