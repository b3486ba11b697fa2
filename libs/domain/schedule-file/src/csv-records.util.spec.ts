import { Readable } from 'node:stream';
import { parse } from 'fast-csv';
import * as fc from 'fast-check';
import { csvRecords, CsvSyntaxError } from './csv-records.util';

async function* chunked(text: string, sizes: number[]): AsyncIterable<string> {
  let at = 0;
  for (let n = 0; at < text.length; n += 1) {
    const size = Math.max(1, sizes[n % sizes.length] ?? text.length);
    yield text.slice(at, at + size);
    at += size;
  }
}

async function read(text: string, sizes: number[] = [text.length], delimiter = ','): Promise<string[][]> {
  const out: string[][] = [];
  for await (const records of csvRecords(chunked(text, sizes), delimiter)) out.push(...records);
  return out;
}

/** What fast-csv (the reader used before) makes of the same text, or its error. */
async function fastCsv(text: string, delimiter = ','): Promise<string[][] | Error> {
  const rows: string[][] = [];
  try {
    for await (const row of Readable.from([text]).pipe(parse({ delimiter, headers: false, ignoreEmpty: false })) as AsyncIterable<string[]>) rows.push(row);
    return rows;
  } catch (error) {
    return error as Error;
  }
}

describe('csvRecords', () => {
  it('splits lines at delimiters and line ends of every kind', async () => {
    expect(await read('a,b,c\r\nd,,f\ng,h\r\n\n \t\nlast\n  ')).toEqual([['a', 'b', 'c'], ['d', '', 'f'], ['g', 'h'], [], [], ['last']]);
  });

  it('reads quoted values with delimiters, line breaks and doubled quotes, whatever the chunks', async () => {
    const text = 'A1,"Smith, John","two\r\nlines",  "spaced"  ,"say ""hi"""\r\nA2,plain "quote",x\n';
    for (const sizes of [[text.length], [1], [2, 3], [7]]) {
      expect(await read(text, sizes)).toEqual([
        ['A1', 'Smith, John', 'two\r\nlines', 'spaced', 'say "hi"'],
        ['A2', 'plain "quote"', 'x'],
      ]);
    }
  });

  it('reads quoted values in tab-separated text: the tab after a closing quote is the delimiter', async () => {
    const text = '"E1"\t"Reyes, Ana"\t2026-12-02T06:00:00\r\n"E2"\t\t"x"\t\r\n"E3" \tplain\n';
    for (const sizes of [[text.length], [1], [5]]) {
      expect(await read(text, sizes, '\t')).toEqual([
        ['E1', 'Reyes, Ana', '2026-12-02T06:00:00'],
        ['E2', '', 'x', ''],
        ['E3', 'plain'],
      ]);
    }
  });

  it('refuses a quoted value never closed, and text after a closing quote, saying how many records came before', async () => {
    await expect(read('a,b\n"open,x\n')).rejects.toEqual(new CsvSyntaxError('a quoted value is never closed: the file ends inside it', 1));
    await expect(read('a\nb\n"x"y,z\n')).rejects.toMatchObject({ recordsBefore: 2, message: expect.stringContaining('after a closing quote comes "y"') });
  });

  it('hands a large chunk on in batches of at most 2048 records, in order, the records before an error first', async () => {
    const lines = Array.from({ length: 5000 }, (_, i) => `A${i},"x, ${i}",${i}`);
    const batches: string[][][] = [];
    for await (const records of csvRecords(chunked(`${lines.join('\r\n')}\r\n`, []), ',')) batches.push(records);
    expect(batches.map((batch) => batch.length)).toEqual([2048, 2048, 904]);
    expect(batches.flat()).toEqual(lines.map((_, i) => [`A${i}`, `x, ${i}`, `${i}`]));

    const seen: string[][] = [];
    const broken = csvRecords(chunked(`${lines.join('\n')}\n"x"y\n`, []), ',');
    await expect(
      (async () => {
        for await (const records of broken) seen.push(...records);
      })(),
    ).rejects.toMatchObject({ recordsBefore: 5000 });
    expect(seen).toHaveLength(5000);
  });

  // Lines of whole values, quoted or not, as exports write them: most take the indexOf path for
  // wrapped quoted values; the odd value (a doubled quote, a line break, blanks) sends its line back
  // to the character loop.
  it('reads lines of quoted and plain values as fast-csv did', async () => {
    const value = fc.oneof(
      { arbitrary: fc.constantFrom('', 'E1', '2026-12-02T06:30:00', 'a"b', 'Phones'), weight: 4 },
      { arbitrary: fc.constantFrom('"Reyes, Ana"', '""', '"x;y"', '"tab\tin"'), weight: 4 },
      { arbitrary: fc.constantFrom('"say ""hi"""', '"two\nlines"', '"cr\rin"', ' "spaced" ', '"after" x', '  ', ' lead', '"open'), weight: 1 },
    );
    const line = fc.array(value, { minLength: 1, maxLength: 6 });
    await fc.assert(
      fc.asyncProperty(
        fc.array(line, { maxLength: 6 }),
        fc.constantFrom('\n', '\r\n'),
        fc.constantFrom(',', ';', '|'),
        fc.boolean(),
        fc.integer({ min: 1, max: 50 }),
        async (lines, lineBreak, delimiter, finalBreak, size) => {
          const text = lines.map((values) => values.join(delimiter)).join(lineBreak) + (finalBreak ? lineBreak : '');
          const expected = await fastCsv(text, delimiter);
          for (const sizes of [[text.length], [size]]) {
            if (expected instanceof Error) await expect(read(text, sizes, delimiter)).rejects.toBeInstanceOf(CsvSyntaxError);
            else expect(await read(text, sizes, delimiter)).toEqual(expected);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('reads any text as fast-csv did, in any chunks, with any delimiter', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom('a', 'b', ',', ';', '"', '\n', '\r', '\r\n', ' ', '\t', 'é'), { maxLength: 40 }).map((parts) => parts.join('')),
        fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 5 }),
        fc.constantFrom(',', ';'),
        async (text, sizes, delimiter) => {
          const expected = await fastCsv(text, delimiter);
          if (expected instanceof Error) {
            await expect(read(text, sizes, delimiter)).rejects.toBeInstanceOf(CsvSyntaxError);
          } else {
            expect(await read(text, sizes, delimiter)).toEqual(expected);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});
