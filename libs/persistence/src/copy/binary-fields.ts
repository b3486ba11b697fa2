import type { BinaryCopyRowView } from './binary-copy-out';

/** Milliseconds from 1970-01-01 to PostgreSQL's epoch, 2000-01-01 UTC. */
const POSTGRES_EPOCH_MS = 946_684_800_000;
/** 0001-01-01T00:00:00Z and 10000-01-01T00:00:00Z in Unix milliseconds: the years toISOString writes with four digits. */
const FOUR_DIGIT_YEARS_MS = [-62_135_596_800_000, 253_402_300_800_000] as const;

/** Distinct values a cache keeps, at most: its memory stays bounded whatever a result holds. */
const KNOWN_AT_MOST = 200_000;

/** A bigint (int8) field as a number: exact up to 2^53 (ids stay far below; see millisecondsOf for instants). */
export function int8Field(row: BinaryCopyRowView, field: number): number {
  const at = row.start(field);
  return row.buffer.readInt32BE(at) * 4_294_967_296 + row.buffer.readUInt32BE(at + 4);
}

/**
 * A timestamp's microseconds since PostgreSQL's epoch, as whole milliseconds rounded down (to_char's
 * `MS` cuts the same way). Exact for any instant: beyond 2^52 microseconds (about 140 years from
 * 2000) a number would lose some, so those are divided as bigints.
 */
function millisecondsOf(row: BinaryCopyRowView, field: number): number {
  const high = row.buffer.readInt32BE(row.start(field));
  if (high >= -0x100000 && high < 0x100000) return Math.floor(int8Field(row, field) / 1000);
  const microseconds = row.buffer.readBigInt64BE(row.start(field));
  const milliseconds = microseconds / 1000n;
  return Number(microseconds % 1000n < 0n ? milliseconds - 1n : milliseconds);
}

/** A smallint (int2) field. */
export function int2Field(row: BinaryCopyRowView, field: number): number {
  return row.buffer.readInt16BE(row.start(field));
}

/** A text field (or null). */
export function textField(row: BinaryCopyRowView, field: number): string | null {
  const length = row.length(field);
  return length < 0 ? null : row.buffer.toString('utf8', row.start(field), row.start(field) + length);
}

/**
 * uuid fields as PostgreSQL writes them in text ("0123abcd-…"), each distinct one formatted once:
 * a large result names a few thousand agents millions of times.
 */
export class UuidTexts {
  private readonly known = new Map<string, string>();

  of(row: BinaryCopyRowView, field: number): string {
    const hex = row.buffer.toString('hex', row.start(field), row.start(field) + 16);
    let text = this.known.get(hex);
    if (text === undefined) {
      text = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
      if (this.known.size < KNOWN_AT_MOST) this.known.set(hex, text);
    }
    return text;
  }
}

/**
 * timestamptz fields as "YYYY-MM-DDTHH:MM:SS.mmmZ" (UTC, cut to the millisecond, as to_char's `MS`
 * does), each distinct instant formatted once. Returns null for an instant outside the years 1 to
 * 9999 (or ±infinity), which that form cannot spell: the caller spells those otherwise.
 */
export class IsoInstants {
  private readonly known = new Map<number, string>();

  of(row: BinaryCopyRowView, field: number): string | null {
    const ms = millisecondsOf(row, field) + POSTGRES_EPOCH_MS;
    let text = this.known.get(ms);
    if (text === undefined) {
      if (!(ms >= FOUR_DIGIT_YEARS_MS[0] && ms < FOUR_DIGIT_YEARS_MS[1])) return null;
      text = new Date(ms).toISOString();
      if (this.known.size < KNOWN_AT_MOST) this.known.set(ms, text);
    }
    return text;
  }
}
