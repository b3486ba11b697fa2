import type { Pool, PoolClient } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { DataSource } from 'typeorm';

/** The 11 bytes every binary COPY stream starts with. */
const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A uuid as an SQL literal, for a COPY's query (COPY takes no parameters): refused unless it is a
 * uuid, so nothing else is ever quoted in. `what` names it in the error.
 */
export function uuidLiteral(value: string, what: string): string {
  if (!UUID.test(value)) throw new Error(`not ${what}: ${JSON.stringify(value)}`);
  return `'${value}'`;
}

/** A row of a binary COPY: each field's raw bytes, or null for NULL. */
export type BinaryCopyRow = Array<Buffer | null>;

/**
 * One row of a binary COPY as it lies in the decoder's buffer: field i's bytes are
 * `buffer[start(i), start(i) + length(i))`, and its length is -1 for NULL. Valid only during the
 * visit: the decoder reuses it, so a large output costs no object per row or field.
 */
export interface BinaryCopyRowView {
  readonly buffer: Buffer;
  readonly fields: number;
  start(field: number): number;
  length(field: number): number;
}

/**
 * Decodes PostgreSQL's binary COPY format (`FORMAT binary`) as it arrives, in chunks cut anywhere:
 * each whole row is visited in place; a row cut by a chunk's end waits for the next chunk.
 */
export class BinaryCopyDecoder implements BinaryCopyRowView {
  buffer: Buffer = Buffer.alloc(0);
  fields = 0;
  private starts = new Int32Array(16);
  private lengths = new Int32Array(16);
  private headerRead = false;
  private ended = false;

  start(field: number): number {
    return this.starts[field];
  }

  length(field: number): number {
    return this.lengths[field];
  }

  /** Visits every row the chunk completes, in order. */
  push(chunk: Buffer, visit: (row: BinaryCopyRowView) => void): void {
    if (this.ended) throw new Error('binary COPY stream goes on after its trailer');
    const data = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    this.buffer = data;
    let at = 0;
    if (!this.headerRead) {
      const seen = Math.min(data.length, SIGNATURE.length);
      if (!data.subarray(0, seen).equals(SIGNATURE.subarray(0, seen))) throw new Error('not a binary COPY stream');
      if (data.length < SIGNATURE.length + 8) return;
      // After the signature: 4 bytes of flags, then the header extension's length and the extension.
      const headerEnd = SIGNATURE.length + 8 + data.readUInt32BE(SIGNATURE.length + 4);
      if (data.length < headerEnd) return;
      at = headerEnd;
      this.headerRead = true;
    }
    for (;;) {
      if (at + 2 > data.length) break;
      const fields = data.readInt16BE(at);
      if (fields === -1) {
        this.ended = true;
        at += 2;
        break;
      }
      if (fields > this.starts.length) {
        this.starts = new Int32Array(fields);
        this.lengths = new Int32Array(fields);
      }
      let next = at + 2;
      let whole = true;
      for (let i = 0; i < fields; i += 1) {
        if (next + 4 > data.length) {
          whole = false;
          break;
        }
        const length = data.readInt32BE(next);
        next += 4;
        this.starts[i] = next;
        this.lengths[i] = length;
        if (length > 0) next += length;
        if (next > data.length) {
          whole = false;
          break;
        }
      }
      if (!whole) break;
      this.fields = fields;
      visit(this);
      at = next;
    }
    // Keeps only the unread tail (a row cut short); the chunk itself is not kept.
    this.buffer = at === data.length ? Buffer.alloc(0) : Buffer.from(data.subarray(at));
  }

  /** Checks the stream ended with its trailer and nothing after it. */
  end(): void {
    if (!this.headerRead) throw new Error('not a binary COPY stream');
    if (!this.ended || this.buffer.length > 0) throw new Error('binary COPY stream cut short');
  }
}

/** The row a view shows, as field buffers (views of `buffer`, not copies). */
function rowOf(view: BinaryCopyRowView): BinaryCopyRow {
  const row: BinaryCopyRow = [];
  for (let i = 0; i < view.fields; i += 1) {
    const length = view.length(i);
    row.push(length < 0 ? null : view.buffer.subarray(view.start(i), view.start(i) + length));
  }
  return row;
}

/**
 * Decodes a whole binary COPY output: its rows, each field as the bytes PostgreSQL sent (a bytea's
 * are the value itself; an int4's are 4 bytes big-endian). The fields are views of `data`.
 */
export function decodeBinaryCopy(data: Buffer): BinaryCopyRow[] {
  const decoder = new BinaryCopyDecoder();
  const rows: BinaryCopyRow[] = [];
  decoder.push(data, (view) => rows.push(rowOf(view)));
  decoder.end();
  return rows;
}

/**
 * Runs `COPY (<query>) TO STDOUT (FORMAT binary)` on a connection of its own and returns its rows.
 * bytea values come as they are: a query's result would bring them as hex text, twice their size,
 * decoded again in this process. The output is held whole: keep the query's result bounded. The
 * query cannot take parameters (COPY does not): quote only validated values into it.
 */
export async function copyOutBinary(dataSource: DataSource, query: string): Promise<BinaryCopyRow[]> {
  const runner = dataSource.createQueryRunner();
  try {
    const client = (await runner.connect()) as PoolClient;
    const parts: Buffer[] = [];
    const stream = client.query(copyTo(`COPY (${query}) TO STDOUT (FORMAT binary)`));
    for await (const part of stream) parts.push(part as Buffer);
    return decodeBinaryCopy(Buffer.concat(parts));
  } finally {
    await runner.release();
  }
}

/**
 * Streams `COPY (<query>) TO STDOUT (FORMAT binary)` from a connection of its own, in a read-only
 * transaction with the given settings (`set_config(name, value, true)`). Each chunk's whole rows are
 * visited in place, then `afterChunk` runs and the stream waits for it: an output of any size passes
 * through in bounded memory. As for copyOutBinary, quote only validated values into the query. A
 * stream that fails part way closes its connection rather than hand it on mid-COPY.
 */
export async function streamBinaryCopy(
  dataSource: DataSource,
  query: string,
  options: {
    settings?: Readonly<Record<string, string>>;
    visit: (row: BinaryCopyRowView) => void;
    afterChunk?: () => Promise<void>;
  },
): Promise<void> {
  const pool = (dataSource.driver as unknown as { master: Pool }).master;
  const client = await pool.connect();
  let finished = false;
  try {
    await client.query('BEGIN READ ONLY');
    for (const [name, value] of Object.entries(options.settings ?? {})) await client.query('SELECT set_config($1, $2, true)', [name, value]);
    const decoder = new BinaryCopyDecoder();
    for await (const chunk of client.query(copyTo(`COPY (${query}) TO STDOUT (FORMAT binary)`))) {
      decoder.push(chunk as Buffer, options.visit);
      await options.afterChunk?.();
    }
    decoder.end();
    await client.query('COMMIT');
    finished = true;
  } finally {
    client.release(finished ? undefined : true);
  }
}
