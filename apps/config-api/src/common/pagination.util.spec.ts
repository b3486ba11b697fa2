import { RequestValidationException } from './config-api.exception';
import { decodeCursor, encodeCursor, isCursorKey, pageSql, pageWindow, toPage } from './pagination.util';

describe('pagination', () => {
  it('round-trips cursors and refuses foreign ones', () => {
    const cursor = encodeCursor(['2025-11-03 08:00:00+00', '42']);
    expect(decodeCursor(cursor, 2)).toEqual(['2025-11-03 08:00:00+00', '42']);
    expect(() => decodeCursor(cursor, 1)).toThrow('cursor');
    expect(() => decodeCursor('not base64 json', 2)).toThrow('cursor');
    expect(() => decodeCursor(encodeCursor([1, 2] as unknown as string[]), 2)).toThrow('cursor');
  });

  it('defaults to 100 rows from the start, and refuses cursor and offset together', () => {
    expect(pageWindow({}, 1)).toEqual({ limit: 100, after: null, offset: 0 });
    expect(() => pageWindow({ cursor: encodeCursor(['1']), offset: 3 }, 1)).toThrow('cursor');
  });

  it('fetches one row more than asked, and gives a cursor only when there is more', () => {
    const window = pageWindow({ limit: 2 }, 1);
    const keys = (row: number) => [String(row)];
    expect(toPage([1, 2, 3], window, keys, (row) => row * 10)).toEqual({ items: [10, 20], nextCursor: encodeCursor(['2']) });
    expect(toPage([1, 2], window, keys, (row) => row)).toEqual({ items: [1, 2], nextCursor: null });
  });

  it('writes keyset or offset SQL with numbered parameters', () => {
    const params: unknown[] = ['org'];
    const keys = [
      { sql: 'e.start_at', cast: 'timestamptz' as const },
      { sql: 'e.id', cast: 'bigint' as const },
    ];
    expect(pageSql({ limit: 10, after: ['2025-11-03 08:00:00.123456+00', '7'], offset: 0 }, keys, 'ASC', params)).toEqual({
      where: '(e.start_at, e.id) > ($2::timestamptz, $3::bigint)',
      tail: 'ORDER BY e.start_at ASC, e.id ASC LIMIT $4 OFFSET $5',
    });
    expect(params).toEqual(['org', '2025-11-03 08:00:00.123456+00', '7', 11, 0]);
    const descending: unknown[] = [];
    expect(pageSql({ limit: 5, after: null, offset: 20 }, keys, 'DESC', descending).where).toBe('TRUE');
    expect(descending).toEqual([6, 20]);
  });

  it.each([
    ['timestamptz', '2025-11-03 08:00:00+00', true],
    ['timestamptz', '2025-11-03 08:00:00.123456+00', true],
    ['timestamptz', '2025-11-03 08:00:00-05:30', true],
    ['timestamptz', '2025-02-29 08:00:00+00', false],
    ['timestamptz', '2025-13-03 08:00:00+00', false],
    ['timestamptz', '2025-11-03 24:00:00+00', false],
    ['timestamptz', '2025-11-03T08:00:00Z', false],
    ['timestamptz', 'now', false],
    ['timestamptz', "2025-11-03 08:00:00+00'; DROP TABLE x; --", false],
    ['uuid', '0d3b5f3e-8c1a-4c7e-9a55-2f1e0b7c9d10', true],
    ['uuid', '0d3b5f3e-8c1a-4c7e-9a55-2f1e0b7c9d1', false],
    ['bigint', '9223372036854775807', true],
    ['bigint', '9223372036854775808', false],
    ['bigint', '1e3', false],
    ['int', '2147483647', true],
    ['int', '2147483648', false],
    ['int', '-1', true],
    ['int', '1.5', false],
    ['text', 'Müller, Jörg', true],
    ['text', 'a\u0000b', false],
    ['text', 'x'.repeat(2001), false],
  ] as const)('checks a %s cursor key: %j', (cast, value, valid) => {
    expect(isCursorKey(value, cast)).toBe(valid);
  });

  it('refuses a forged cursor key as the request’s fault (400), before any SQL runs', () => {
    const keys = [{ sql: 'f.received_at', cast: 'timestamptz' as const }, { sql: 'f.id', cast: 'uuid' as const }];
    const forged = () => pageSql(pageWindow({ cursor: encodeCursor(['not a time', 'not a uuid']) }, 2), keys, 'DESC', []);
    expect(forged).toThrow(RequestValidationException);
    expect(forged).toThrow('invalid cursor');
  });
});
