import { BinaryCopyDecoder, type BinaryCopyRowView } from './binary-copy-out';
import { copyStream } from './binary-copy.fixtures';
import { int2Field, int8Field, IsoInstants, textField, UuidTexts } from './binary-fields';

/** A view of one row whose fields are the given bytes, as the decoder shows it. */
function rowOf(...fields: Array<Buffer | null>): BinaryCopyRowView {
  let seen: { buffer: Buffer; starts: number[]; lengths: number[] } | undefined;
  new BinaryCopyDecoder().push(copyStream([fields]), (row) => {
    seen = { buffer: row.buffer, starts: fields.map((_, i) => row.start(i)), lengths: fields.map((_, i) => row.length(i)) };
  });
  const { buffer, starts, lengths } = seen!;
  return { buffer, fields: fields.length, start: (i) => starts[i], length: (i) => lengths[i] };
}

/** A timestamptz's binary form: microseconds since 2000-01-01 UTC. */
function instant(iso: string, extraMicroseconds = 0n): Buffer {
  const field = Buffer.alloc(8);
  field.writeBigInt64BE(BigInt(Date.parse(iso) - Date.parse('2000-01-01T00:00:00Z')) * 1000n + extraMicroseconds);
  return field;
}

describe('binary COPY fields', () => {
  it('reads int2, int8 (negative and past 2^32) and text', () => {
    const small = Buffer.alloc(2);
    small.writeInt16BE(-3);
    const big = Buffer.alloc(8);
    big.writeBigInt64BE(2n ** 40n + 7n);
    const negative = Buffer.alloc(8);
    negative.writeBigInt64BE(-(2n ** 33n) - 1n);
    const row = rowOf(small, big, negative, Buffer.from('héllo'), null);
    expect([int2Field(row, 0), int8Field(row, 1), int8Field(row, 2)]).toEqual([-3, 2 ** 40 + 7, -(2 ** 33) - 1]);
    expect([textField(row, 3), textField(row, 4)]).toEqual(['héllo', null]);
  });

  it('spells a uuid as PostgreSQL does', () => {
    const uuids = new UuidTexts();
    const row = rowOf(Buffer.from('0123456789abcdeffedcba9876543210', 'hex'));
    expect(uuids.of(row, 0)).toBe('01234567-89ab-cdef-fedc-ba9876543210');
    expect(uuids.of(row, 0)).toBe('01234567-89ab-cdef-fedc-ba9876543210');
  });

  it('spells an instant in UTC to the millisecond, cut as to_char cuts it, before 2000 too, and not outside the years 1-9999', () => {
    const instants = new IsoInstants();
    const at = (iso: string, extra = 0n) => instants.of(rowOf(instant(iso, extra)), 0);
    expect(at('2026-12-01T06:00:00.000Z')).toBe('2026-12-01T06:00:00.000Z');
    expect(at('2026-12-01T06:00:00.123Z', 999n)).toBe('2026-12-01T06:00:00.123Z');
    expect(at('1999-12-31T23:59:59.500Z', 999n)).toBe('1999-12-31T23:59:59.500Z');
    expect(at('0001-01-01T00:00:00.000Z')).toBe('0001-01-01T00:00:00.000Z');
    expect(at('9999-12-31T23:59:59.999Z')).toBe('9999-12-31T23:59:59.999Z');
    expect(at('0001-01-01T00:00:00.000Z', -1n)).toBeNull();
    const infinity = Buffer.alloc(8);
    infinity.writeBigInt64BE(2n ** 63n - 1n);
    expect(instants.of(rowOf(infinity), 0)).toBeNull();
  });
});
