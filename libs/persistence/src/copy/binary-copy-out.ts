import type { PoolClient } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { DataSource } from 'typeorm';

/** The 11 bytes every binary COPY stream starts with. */
const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

/** A row of a binary COPY: each field's raw bytes, or null for NULL. */
export type BinaryCopyRow = Array<Buffer | null>;

/**
 * Decodes a whole binary COPY output (PostgreSQL's `FORMAT binary`): its rows, each field as the
 * bytes PostgreSQL sent (a bytea's are the value itself; an int4's are 4 bytes big-endian). The
 * fields are views of `data`, not copies.
 */
export function decodeBinaryCopy(data: Buffer): BinaryCopyRow[] {
  if (data.length < 21 || !data.subarray(0, SIGNATURE.length).equals(SIGNATURE)) throw new Error('not a binary COPY stream');
  // After the signature: 4 bytes of flags, then the header extension's length and the extension.
  let at = SIGNATURE.length + 4;
  at += 4 + data.readUInt32BE(at);
  const rows: BinaryCopyRow[] = [];
  for (;;) {
    const fields = data.readInt16BE(at);
    at += 2;
    if (fields === -1) return rows;
    const row: BinaryCopyRow = [];
    for (let i = 0; i < fields; i += 1) {
      const length = data.readInt32BE(at);
      at += 4;
      if (length === -1) {
        row.push(null);
      } else {
        if (at + length > data.length) throw new Error('binary COPY stream cut short');
        row.push(data.subarray(at, at + length));
        at += length;
      }
    }
    rows.push(row);
  }
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
