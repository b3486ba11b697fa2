import * as iconv from 'iconv-lite';

/** A file-level problem: the whole file fails with this reason. */
export class FileProblem extends Error {
  override name = 'FileProblem';
}

/** A count as a BPO reads it: 52,428,800. */
export const count = (n: number) => n.toLocaleString('en-US');

export function lineTooLong(line: number, length: number, maxChars: number): FileProblem {
  return new FileProblem(`line ${count(line)} is ${count(length)} characters long; the limit is ${count(maxChars)}`);
}

export const SupportedEncodings = ['utf-8', 'iso-8859-1', 'windows-1252'] as const;

/**
 * Decodes a file's bytes to text as they stream, in the integration's encoding. UTF-8 is checked
 * strictly: a file that is not UTF-8 fails with the byte offset, rather than turning names into
 * replacement characters. A byte order mark is dropped.
 */
export async function* decodeText(chunks: AsyncIterable<Buffer>, encoding: string): AsyncIterable<string> {
  const utf8 = encoding.toLowerCase().replace('_', '-') === 'utf-8' || encoding.toLowerCase() === 'utf8';
  if (!utf8 && !iconv.encodingExists(encoding)) throw new FileProblem(`unsupported text encoding "${encoding}"`);
  const decoder = utf8 ? new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }) : null;
  const legacy = utf8 ? null : iconv.getDecoder(encoding);
  let offset = 0;
  let sawText = false;
  for await (const chunk of chunks) {
    if (chunk.includes(0)) throw new FileProblem(`the file is not text: it holds a NUL byte near byte ${offset + chunk.indexOf(0)}`);
    let text: string;
    try {
      text = decoder ? decoder.decode(chunk, { stream: true }) : legacy!.write(chunk);
    } catch {
      throw new FileProblem(`the file is not UTF-8 text (invalid byte sequence in bytes ${offset}-${offset + chunk.length - 1}); set the integration's encoding if the platform exports another one`);
    }
    offset += chunk.length;
    if (text) {
      sawText = true;
      yield text;
    }
  }
  let rest: string;
  try {
    rest = decoder ? decoder.decode() : (legacy!.end() ?? '');
  } catch {
    throw new FileProblem('the file is not UTF-8 text (it ends inside a multi-byte character)');
  }
  if (rest) yield rest;
  if (!sawText && !rest && offset === 0) throw new FileProblem('the file is empty');
}

export interface FileHead {
  /** The header line's text and 1-based line number. */
  headerLine: string;
  headerLineNumber: number;
  /** The text after the header line, still streaming. */
  body: AsyncIterable<string>;
}

/**
 * Finds the header: the first non-blank line after the integration's title lines (some WFM
 * reports put a title above the table). Only the head is buffered; the body keeps streaming.
 */
export async function readHead(text: AsyncIterable<string>, titleLines: number, maxLineChars = Number.MAX_SAFE_INTEGER): Promise<FileHead> {
  const iterator = text[Symbol.asyncIterator]();
  let buffer = '';
  let lineNumber = 0;
  for (;;) {
    const newline = buffer.indexOf('\n');
    if (newline === -1) {
      if (buffer.replace(/\r$/, '').length > maxLineChars) throw await measureLongLine(buffer, iterator, lineNumber + 1, maxLineChars);
      const next = await iterator.next();
      if (!next.done) {
        buffer += next.value;
        if (buffer.length > 1024 * 1024) throw new FileProblem('no header line within the first megabyte of the file');
        continue;
      }
      if (buffer.trim() === '') throw new FileProblem('the file has no header line (it holds only title or blank lines)');
    }
    const end = newline === -1 ? buffer.length : newline;
    const line = buffer.slice(0, end).replace(/\r$/, '');
    if (line.length > maxLineChars) throw lineTooLong(lineNumber + 1, line.length, maxLineChars);
    buffer = buffer.slice(end + 1);
    lineNumber += 1;
    if (lineNumber <= titleLines || line.trim() === '') continue;
    const rest = buffer;
    return {
      headerLine: line,
      headerLineNumber: lineNumber,
      body: (async function* () {
        if (rest) yield rest;
        for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
      })(),
    };
  }
}

/** Reads the rest of an over-long line (dropping it, never buffering it) to report its exact length. */
async function measureLongLine(start: string, iterator: AsyncIterator<string>, lineNumber: number, maxLineChars: number): Promise<FileProblem> {
  let length = start.length;
  let last = start[start.length - 1];
  for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
    const newline = next.value.indexOf('\n');
    if (newline !== -1) {
      length += newline;
      last = newline > 0 ? next.value[newline - 1] : last;
      return lineTooLong(lineNumber, last === '\r' ? length - 1 : length, maxLineChars);
    }
    length += next.value.length;
    if (next.value.length > 0) last = next.value[next.value.length - 1];
  }
  return lineTooLong(lineNumber, last === '\r' ? length - 1 : length, maxLineChars);
}
