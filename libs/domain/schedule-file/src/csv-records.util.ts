/** The CSV text breaks a rule no reading can repair (a quoted value never closed, text after a closing quote). */
export class CsvSyntaxError extends Error {
  override name = 'CsvSyntaxError';
  /** Records read before the broken one, so the caller can name its line. */
  constructor(message: string, readonly recordsBefore: number) {
    super(message);
  }
}

const QUOTE = 0x22;
const NEWLINE = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;

/**
 * Splits CSV text into records of values as it streams, the records of each chunk together, up to
 * BATCH_RECORDS at a time (one await per batch, not per record). The rules are the usual ones, as
 * fast-csv read them before: records end at `\n`, `\r\n` or `\r`; a value is quoted when it starts
 * (after spaces) with `"`, may then hold delimiters and line breaks, and `""` in it is one quote;
 * spaces after the closing quote are dropped, anything else there is an error; an unquoted value is
 * taken as written, spaces and quotes included (but blanks before a row's first delimiter are an
 * empty value); a blank line (spaces at most) is a record without values.
 *
 * Written for the parser's hot path: a line without quotes is split by the engine's own
 * `String.split`, a line whose quotes only wrap whole values is cut with indexOf, and only the
 * other quoted lines are read character by character. The input's lines and rows are bounded
 * beforehand (limitRows), so an unfinished record carried between chunks stays small.
 */
export async function* csvRecords(text: AsyncIterable<string>, delimiter: string): AsyncGenerator<string[][]> {
  const reader = new RecordReader(delimiter);
  let rest = '';
  for await (const chunk of text) {
    const buffer = rest.length === 0 ? chunk : rest + chunk;
    const start = yield* reader.readBatches(buffer, false);
    rest = buffer.slice(start);
  }
  if (rest.length > 0) yield* reader.readBatches(rest, true);
}

/**
 * At most this many records go in one batch: a chunk of a megabyte holds some 15,000, and the
 * readings of a whole chunk kept alive together would outlive the young generation (a third of the
 * parser's garbage collection time was spent promoting them).
 */
const BATCH_RECORDS = 2048;

class RecordReader {
  private readonly delimiterCode: number;
  private records = 0;
  // Positions of the next quote and carriage return at or after the scan, per buffer: found once, not per line.
  private buffer = '';
  private nextQuote = -1;
  private nextCr = -1;

  // Tab-separated text keeps to the character loop: the shortcut is proved against fast-csv for
  // the other delimiters only.
  private readonly wrappedLines: boolean;

  constructor(private readonly delimiter: string) {
    if (delimiter.length !== 1) throw new Error('the delimiter must be one character');
    this.delimiterCode = delimiter.charCodeAt(0);
    this.wrappedLines = this.delimiterCode !== TAB && this.delimiterCode !== SPACE;
  }

  /**
   * Yields every complete record of `buffer` in batches of at most BATCH_RECORDS (the records read
   * before a syntax error first); returns where the unfinished rest starts.
   */
  *readBatches(buffer: string, atEnd: boolean): Generator<string[][], number> {
    this.buffer = buffer;
    this.nextQuote = buffer.indexOf('"');
    this.nextCr = buffer.indexOf('\r');
    let start = 0;
    for (;;) {
      const records: string[][] = [];
      let next: number;
      try {
        next = this.readSome(start, atEnd, records);
      } catch (error) {
        if (records.length > 0) yield records;
        throw error;
      }
      if (records.length > 0) yield records;
      if (records.length < BATCH_RECORDS) return next;
      start = next;
    }
  }

  /** Reads complete records from `start` into `records`, up to BATCH_RECORDS; returns where it stopped. */
  private readSome(start: number, atEnd: boolean, records: string[][]): number {
    const buffer = this.buffer;
    while (start < buffer.length && records.length < BATCH_RECORDS) {
      const next = this.readRecord(start, atEnd, records);
      if (next === -1) break;
      start = next;
      this.records += 1;
    }
    return start;
  }

  /** Reads the record at `start`; returns the position after it, or -1 when the buffer ends inside it. */
  private readRecord(start: number, atEnd: boolean, records: string[][]): number {
    const buffer = this.buffer;
    const newline = buffer.indexOf('\n', start);
    const lineEnd = newline === -1 ? buffer.length : newline;
    if (this.nextQuote !== -1 && this.nextQuote < start) this.nextQuote = buffer.indexOf('"', start);
    if (this.nextCr !== -1 && this.nextCr < start) this.nextCr = buffer.indexOf('\r', start);
    const quoted = this.nextQuote !== -1 && this.nextQuote < lineEnd;
    // A carriage return is a record end only where it ends the line (\r\n) or stands alone.
    const loneCr = this.nextCr !== -1 && this.nextCr < lineEnd - 1;
    if (!quoted && !loneCr) {
      if (newline === -1 && !atEnd) return -1;
      const end = lineEnd > start && buffer.charCodeAt(lineEnd - 1) === CR ? lineEnd - 1 : lineEnd;
      const line = buffer.slice(start, end);
      if (isBlank(line)) {
        // A blank line is a record without values; blank text after the last line end is none.
        if (newline !== -1 || end < lineEnd) records.push([]);
      } else {
        const cells = line.split(this.delimiter);
        if (cells.length > 1 && cells[0] !== '' && isBlank(cells[0])) cells[0] = ''; // as fast-csv: blanks before a row's first delimiter are dropped
        records.push(cells);
      }
      return newline === -1 ? buffer.length : newline + 1;
    }
    if (this.wrappedLines && !loneCr && newline !== -1 && this.readWrappedLine(start, newline, records)) return newline + 1;
    return this.readQuotedRecord(start, atEnd, records);
  }

  /**
   * The common quoted line (`E1,"Reyes, Ana",...`), read value by value with indexOf: true when
   * each quote wraps a whole value (a quote right at a value's start, the next one closing it right
   * before a delimiter or the line's end) and no value starts with a blank, having read the record.
   * False, reading nothing, for anything else (a doubled quote, a quoted line break, blanks around
   * a quoted value, a lone carriage return): readQuotedRecord then reads the line character by character.
   */
  private readWrappedLine(start: number, newline: number, records: string[][]): boolean {
    const buffer = this.buffer;
    const end = newline > start && buffer.charCodeAt(newline - 1) === CR ? newline - 1 : newline;
    const cells: string[] = [];
    let at = start;
    for (;;) {
      const first = at < end ? buffer.charCodeAt(at) : -1;
      let valueEnd: number;
      if (first === QUOTE) {
        const closing = buffer.indexOf('"', at + 1);
        if (closing === -1 || closing >= end) return false;
        valueEnd = closing + 1;
        if (valueEnd < end && buffer.charCodeAt(valueEnd) !== this.delimiterCode) return false;
        cells.push(buffer.slice(at + 1, closing));
      } else {
        if (first === SPACE || first === TAB) return false;
        const delimiter = buffer.indexOf(this.delimiter, at);
        valueEnd = delimiter === -1 || delimiter > end ? end : delimiter;
        cells.push(buffer.slice(at, valueEnd));
      }
      if (valueEnd >= end) break;
      at = valueEnd + 1;
    }
    records.push(cells);
    return true;
  }

  /** The record at `start`, character by character (it holds quotes or a lone carriage return). */
  /** A blank around a quoted value, which is dropped: a space, or a tab unless the tab is the delimiter. */
  private isBlankAround(code: number): boolean {
    return code === SPACE || (code === TAB && this.delimiterCode !== TAB);
  }

  private readQuotedRecord(start: number, atEnd: boolean, records: string[][]): number {
    const buffer = this.buffer;
    const length = buffer.length;
    const cells: string[] = [];
    let blank = start;
    while (blank < length && (buffer.charCodeAt(blank) === SPACE || buffer.charCodeAt(blank) === TAB)) blank += 1;
    if (blank >= length) return atEnd ? length : -1;
    if (buffer.charCodeAt(blank) === NEWLINE || buffer.charCodeAt(blank) === CR) {
      const after = this.recordEnd(blank, atEnd);
      if (after !== -1) records.push([]);
      return after;
    }
    let i = start;
    for (;;) {
      let j = i;
      while (j < length && this.isBlankAround(buffer.charCodeAt(j))) j += 1;
      if (j < length && buffer.charCodeAt(j) === QUOTE) {
        let value = '';
        let k = j + 1;
        for (;;) {
          const quote = buffer.indexOf('"', k);
          if (quote === -1) {
            if (!atEnd) return -1;
            throw new CsvSyntaxError('a quoted value is never closed: the file ends inside it', this.records);
          }
          value += buffer.slice(k, quote);
          if (quote + 1 >= length && !atEnd) return -1; // `"` or `""`: the next chunk tells
          if (buffer.charCodeAt(quote + 1) === QUOTE) {
            value += '"';
            k = quote + 2;
            continue;
          }
          k = quote + 1;
          break;
        }
        while (k < length && this.isBlankAround(buffer.charCodeAt(k))) k += 1;
        cells.push(value);
        if (k >= length) {
          if (!atEnd) return -1;
          records.push(cells);
          return length;
        }
        const c = buffer.charCodeAt(k);
        if (c === this.delimiterCode) {
          i = k + 1;
          continue;
        }
        const after = this.recordEnd(k, atEnd);
        if (after === -1) return -1;
        if (after === -2) {
          throw new CsvSyntaxError(`after a closing quote comes ${JSON.stringify(buffer[k])} where a delimiter or the end of the line should be`, this.records);
        }
        records.push(cells);
        return after;
      }
      // Unquoted: up to the next delimiter or line end, spaces and quotes as written.
      let p = i;
      while (p < length) {
        const c = buffer.charCodeAt(p);
        if (c === this.delimiterCode || c === NEWLINE || c === CR) break;
        p += 1;
      }
      if (p >= length && !atEnd) return -1;
      const firstBlankBeforeDelimiter = i === start && p < length && buffer.charCodeAt(p) === this.delimiterCode && isBlank(buffer.slice(i, p));
      cells.push(firstBlankBeforeDelimiter ? '' : buffer.slice(i, p));
      if (p >= length) {
        records.push(cells);
        return length;
      }
      if (buffer.charCodeAt(p) === this.delimiterCode) {
        i = p + 1;
        continue;
      }
      const after = this.recordEnd(p, atEnd);
      if (after === -1) return -1;
      records.push(cells);
      return after;
    }
  }

  /** At a line break: the position after it (\r\n is one), -1 when the buffer may end inside it, -2 when there is none. */
  private recordEnd(at: number, atEnd: boolean): number {
    const c = this.buffer.charCodeAt(at);
    if (c === NEWLINE) return at + 1;
    if (c !== CR) return -2;
    if (at + 1 >= this.buffer.length) return atEnd ? at + 1 : -1;
    return this.buffer.charCodeAt(at + 1) === NEWLINE ? at + 2 : at + 1;
  }
}

/** Empty, or spaces and tabs only. */
function isBlank(line: string): boolean {
  for (let i = 0; i < line.length; i += 1) {
    const c = line.charCodeAt(i);
    if (c !== SPACE && c !== TAB) return false;
  }
  return true;
}
