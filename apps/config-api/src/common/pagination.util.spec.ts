import { decodeCursor, encodeCursor, pageSql, pageWindow, toPage } from './pagination.util';

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
      { sql: 'e.start_at', cast: 'timestamptz' },
      { sql: 'e.id', cast: 'bigint' },
    ];
    expect(pageSql({ limit: 10, after: ['t', '7'], offset: 0 }, keys, 'ASC', params)).toEqual({
      where: '(e.start_at, e.id) > ($2::timestamptz, $3::bigint)',
      tail: 'ORDER BY e.start_at ASC, e.id ASC LIMIT $4 OFFSET $5',
    });
    expect(params).toEqual(['org', 't', '7', 11, 0]);
    const descending: unknown[] = [];
    expect(pageSql({ limit: 5, after: null, offset: 20 }, keys, 'DESC', descending).where).toBe('TRUE');
    expect(descending).toEqual([6, 20]);
  });
});
