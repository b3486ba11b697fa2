import { count, FileProblem, lineTooLong } from './schedule-text.util';

/**
 * What one file may hold. A file over a limit fails at once with a reason a BPO can act on, in
 * bounded memory and time, instead of freezing the parser (a 50 MB line) or filling the pipeline.
 */
export interface ParseLimits {
  /** Characters in one line (and in one row, when a quoted value spans lines). */
  maxLineChars: number;
  /** Columns (values) in one row. */
  maxColumns: number;
  /** Rows in one file (blank lines aside). */
  maxRows: number;
  /** Time spent parsing one file, waiting on the broker aside. */
  maxParseMs: number;
}

export const DEFAULT_PARSE_LIMITS: ParseLimits = {
  maxLineChars: 65_536,
  maxColumns: 200,
  maxRows: 6_000_000,
  maxParseMs: 15 * 60_000,
};

const QUOTE = 0x22;
const NEWLINE = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;

/**
 * Checks the body of a file as it streams, before the CSV parser sees it: each line's length,
 * each row's column count, and the length of a row whose quoted values span lines. A chunk is
 * passed on only once it holds nothing over a limit. Quotes are read as the CSV parser reads them:
 * a value is quoted when it starts (after spaces) with `"`, and `""` inside it is a quote. Over a
 * limit, the rest of that line or row is read (and dropped, never buffered) to report its exact
 * length or column count.
 */
export async function* limitRows(
  body: AsyncIterable<string>,
  options: { delimiter: string; maxColumns: number; maxLineChars: number; firstLine: number },
): AsyncIterable<string> {
  const { maxColumns, maxLineChars } = options;
  const delimiter = options.delimiter.charCodeAt(0);
  let line = options.firstLine;
  let lineChars = 0;
  let rowLine = line;
  let rowChars = 0;
  let columns = 1;
  let inQuotes = false;
  let quoteInQuotes = false; // a quote seen inside a quoted value: an escape ("") or its end
  let fieldStart = true;
  let previous = 0;
  let over: 'line' | 'columns' | null = null;
  const rowTooLong = () =>
    new FileProblem(
      `the row starting on line ${count(rowLine)} is over ${count(maxLineChars)} characters long, the limit: a quoted value runs over ${count(line - rowLine + 1)} lines (is a closing quote missing?)`,
    );
  const tooManyColumns = () => new FileProblem(`line ${count(rowLine)} has ${count(columns)} columns; the limit is ${count(maxColumns)}`);
  // At the start of a row (nothing counted, no quote open) a plain line can be passed over whole.
  let rowStart = true;
  const plain = new PlainLines(options.delimiter, maxColumns, maxLineChars);
  for await (const chunk of body) {
    plain.start(chunk);
    for (let i = 0; i < chunk.length; i += 1) {
      if (rowStart) {
        const newline = plain.lineEnd(i);
        if (newline !== -1) {
          // As the loop below would leave it: the row ends at its line break, under every limit.
          line += 1;
          rowLine = line;
          previous = NEWLINE;
          i = newline;
          continue;
        }
        rowStart = false;
      }
      const c = chunk.charCodeAt(i);
      if (c === NEWLINE) {
        if (previous === CR) lineChars -= 1;
        // Whichever limit was passed first is the one reported.
        if (over === 'columns' && !inQuotes) throw tooManyColumns();
        if (over !== 'columns' && lineChars > maxLineChars) throw lineTooLong(line, lineChars, maxLineChars);
        if (rowChars > maxLineChars && line > rowLine && over === null) throw rowTooLong();
        line += 1;
        lineChars = 0;
      } else {
        lineChars += 1;
        rowChars += 1;
      }
      previous = c;
      if (inQuotes) {
        if (quoteInQuotes) {
          quoteInQuotes = false;
          if (c === QUOTE) continue; // "" is one quote
          inQuotes = false; // that quote closed the value; this character is outside it
        } else {
          if (c === QUOTE) quoteInQuotes = true;
          continue;
        }
      }
      if (c === delimiter) {
        columns += 1;
        fieldStart = true;
        if (columns > maxColumns && over === null) over = 'columns';
      } else if (c === NEWLINE) {
        if (over === 'columns') throw tooManyColumns();
        rowLine = line;
        rowChars = 0;
        columns = 1;
        fieldStart = true;
        rowStart = true;
      } else if (fieldStart && c === QUOTE) {
        inQuotes = true;
        fieldStart = false;
      } else if (!(fieldStart && (c === SPACE || c === TAB))) {
        fieldStart = false;
      }
    }
    // A CR at the chunk's end is not counted yet: it is the line's end when the next chunk starts with its LF.
    if (over === null && (previous === CR ? lineChars - 1 : lineChars) > maxLineChars) over = 'line';
    // A single line's length is the line limit's; a row over several lines (quoted line breaks) gets the same bound.
    if (over === null && rowChars > maxLineChars && line > rowLine) throw rowTooLong();
    if (over === null) yield chunk;
  }
  if (over === 'columns') throw tooManyColumns();
  if (over === 'line' || lineChars > maxLineChars) throw lineTooLong(line, previous === CR ? lineChars - 1 : lineChars, maxLineChars);
}

/**
 * Finds the lines limitRows need not read character by character: a whole line within a chunk,
 * under the line limit and shorter than the column limit (a line has a column per character at
 * most), whose quotes, if any, only wrap whole values (`,"Reyes, Ana",`: a quote right at a value's
 * start, the next one closing it right before a delimiter or the line's end). Such a line ends its
 * row with nothing over a limit. Anything else (a doubled quote, a quoted line break, a quote after
 * spaces or inside a value) is left to the character loop.
 */
export class PlainLines {
  private readonly delimiterCode: number;
  private readonly maxChars: number;
  private chunk = '';
  // The next quote at or after the scan, found once per chunk rather than per line.
  private nextQuote = -1;

  constructor(delimiter: string, maxColumns: number, maxLineChars: number) {
    this.delimiterCode = delimiter.charCodeAt(0);
    this.maxChars = Math.min(maxLineChars, maxColumns - 1);
  }

  start(chunk: string): void {
    this.chunk = chunk;
    this.nextQuote = chunk.indexOf('"');
  }

  /** The position of the line break ending the plain line at `from`, or -1 when the line is not plain. */
  lineEnd(from: number): number {
    const chunk = this.chunk;
    const newline = chunk.indexOf('\n', from);
    if (newline === -1) return -1;
    const end = newline > from && chunk.charCodeAt(newline - 1) === CR ? newline - 1 : newline;
    if (end - from > this.maxChars) return -1;
    if (this.nextQuote !== -1 && this.nextQuote < from) this.nextQuote = chunk.indexOf('"', from);
    let quote = this.nextQuote;
    while (quote !== -1 && quote < newline) {
      if (quote !== from && chunk.charCodeAt(quote - 1) !== this.delimiterCode) return -1;
      const closing = chunk.indexOf('"', quote + 1);
      if (closing === -1 || closing >= end) return -1;
      const after = closing + 1;
      if (after !== end && chunk.charCodeAt(after) !== this.delimiterCode) return -1;
      quote = chunk.indexOf('"', after);
    }
    this.nextQuote = quote;
    return newline;
  }
}
