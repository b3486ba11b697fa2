import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { invalidField } from './config-api.exception';

export const MAX_PAGE_SIZE = 1000;
export const DEFAULT_PAGE_SIZE = 100;

/** `limit` plus either an opaque `cursor` (from the previous page's `nextCursor`) or an `offset`. */
export class PageQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(MAX_PAGE_SIZE)
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional() @IsString()
  cursor?: string;

  @ApiPropertyOptional({ minimum: 0, description: 'rows to skip; prefer cursor for deep pages' })
  @IsOptional() @Type(() => Number) @IsInt() @Min(0)
  offset?: number;
}

/** Where a page starts: after the keys of a cursor (keyset paging), or at an offset. */
export interface PageWindow {
  limit: number;
  after: string[] | null;
  offset: number;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Reads a PageQuery; a cursor must carry exactly `keyCount` keys (it is opaque, but we check it). */
export function pageWindow(query: PageQuery, keyCount: number): PageWindow {
  if (query.cursor !== undefined && query.offset !== undefined) throw invalidField('cursor', 'give either cursor or offset, not both');
  return { limit: query.limit ?? DEFAULT_PAGE_SIZE, after: query.cursor === undefined ? null : decodeCursor(query.cursor, keyCount), offset: query.offset ?? 0 };
}

/** Rows are fetched with `limit + 1`: the extra row only says that there is a next page. */
export function toPage<R, T>(rows: readonly R[], window: PageWindow, keysOf: (row: R) => string[], map: (row: R) => T): Page<T> {
  const items = rows.slice(0, window.limit);
  const more = rows.length > window.limit && items.length > 0;
  return { items: items.map(map), nextCursor: more ? encodeCursor(keysOf(items[items.length - 1])) : null };
}

export function encodeCursor(keys: string[]): string {
  return Buffer.from(JSON.stringify(keys)).toString('base64url');
}

export function decodeCursor(cursor: string, keyCount: number): string[] {
  try {
    const keys: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(keys) && keys.length === keyCount && keys.every((key) => typeof key === 'string')) return keys as string[];
  } catch {
    // fall through
  }
  throw invalidField('cursor', 'cursor is not one this API gave out');
}

/**
 * SQL for a page: `(a, b) > ($n, $m)` after the cursor's keys, then ORDER/LIMIT/OFFSET.
 * `params` is appended to; `keys` are SQL expressions with casts (`e.start_at`, `e.id`).
 */
export function pageSql(window: PageWindow, keys: { sql: string; cast: string }[], direction: 'ASC' | 'DESC', params: unknown[]): { where: string; tail: string } {
  let where = 'TRUE';
  if (window.after) {
    const placeholders = window.after.map((value, index) => {
      params.push(value);
      return `$${params.length}::${keys[index].cast}`;
    });
    where = `(${keys.map((key) => key.sql).join(', ')}) ${direction === 'ASC' ? '>' : '<'} (${placeholders.join(', ')})`;
  }
  params.push(window.limit + 1, window.after ? 0 : window.offset);
  const order = keys.map((key) => `${key.sql} ${direction}`).join(', ');
  return { where, tail: `ORDER BY ${order} LIMIT $${params.length - 1} OFFSET $${params.length}` };
}
