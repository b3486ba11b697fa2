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
  for await (const chunk of body) {
    for (let i = 0; i < chunk.length; i += 1) {
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
      } else if (fieldStart && c === QUOTE) {
        inQuotes = true;
        fieldStart = false;
      } else if (!(fieldStart && (c === SPACE || c === TAB))) {
        fieldStart = false;
      }
    }
    if (over === null && lineChars > maxLineChars) over = 'line';
    // A single line's length is the line limit's; a row over several lines (quoted line breaks) gets the same bound.
    if (over === null && rowChars > maxLineChars && line > rowLine) throw rowTooLong();
    if (over === null) yield chunk;
  }
  if (over === 'columns') throw tooManyColumns();
  if (over === 'line' || lineChars > maxLineChars) throw lineTooLong(line, previous === CR ? lineChars - 1 : lineChars, maxLineChars);
}
