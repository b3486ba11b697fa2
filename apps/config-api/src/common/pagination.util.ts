import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { invalidField } from './config-api.exception';

export const MAX_PAGE_SIZE = 1000;
export const DEFAULT_PAGE_SIZE = 100;
/** The deepest `offset`: PostgreSQL reads and throws away every skipped row, so deep pages go by cursor. */
export const MAX_OFFSET = 10_000;

/** `limit` plus either an opaque `cursor` (from the previous page's `nextCursor`) or an `offset`. */
export class PageQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(MAX_PAGE_SIZE)
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional() @IsString()
  cursor?: string;

  @ApiPropertyOptional({ minimum: 0, maximum: MAX_OFFSET, description: `rows to skip, at most ${MAX_OFFSET}; deeper pages by cursor` })
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(MAX_OFFSET, { message: `offset must not be greater than ${MAX_OFFSET}; page deeper with cursor (each page's nextCursor)` })
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

/** The SQL types a cursor key may be bound as. */
export type CursorKeyCast = 'timestamptz' | 'uuid' | 'bigint' | 'int' | 'text';

/**
 * SQL for a page: `(a, b) > ($n, $m)` after the cursor's keys, then ORDER/LIMIT/OFFSET.
 * `params` is appended to; `keys` are SQL expressions with casts (`e.start_at`, `e.id`). A cursor
 * is only base64 JSON, so anyone can forge one: each key is checked against its cast here, and a
 * key PostgreSQL would refuse answers 400, never a database error.
 */
export function pageSql(window: PageWindow, keys: { sql: string; cast: CursorKeyCast }[], direction: 'ASC' | 'DESC', params: unknown[]): { where: string; tail: string } {
  let where = 'TRUE';
  const after = cursorKeys(window, keys.map((key) => key.cast));
  if (after) {
    const placeholders = after.map((value, index) => {
      params.push(value);
      return `$${params.length}::${keys[index].cast}`;
    });
    where = `(${keys.map((key) => key.sql).join(', ')}) ${direction === 'ASC' ? '>' : '<'} (${placeholders.join(', ')})`;
  }
  params.push(window.limit + 1, window.after ? 0 : window.offset);
  const order = keys.map((key) => `${key.sql} ${direction}`).join(', ');
  return { where, tail: `ORDER BY ${order} LIMIT $${params.length - 1} OFFSET $${params.length}` };
}

/**
 * The cursor's keys (null on a page without one), each checked against the cast it is bound as. A
 * cursor is only base64 JSON, so anyone can forge one: a key PostgreSQL would refuse answers 400,
 * never a database error.
 */
export function cursorKeys(window: PageWindow, casts: readonly CursorKeyCast[]): string[] | null {
  if (!window.after) return null;
  if (window.after.length !== casts.length || !window.after.every((value, index) => isCursorKey(value, casts[index]))) {
    throw invalidField('cursor', 'cursor is not one this API gave out');
  }
  return window.after;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A timestamptz as PostgreSQL writes it (`::text`, ISO DateStyle): `2025-11-03 08:00:00.123456+00`, offsets like `+05:30`. */
const PG_TIMESTAMPTZ = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.\d{1,6})?[+-](\d{2})(?::(\d{2})(?::(\d{2}))?)?$/;
const INT8_MAX = 2n ** 63n - 1n;
const INT4_MAX = 2 ** 31 - 1;
/** Longest text key (a name): far above any stored one, far below anything costly. */
const MAX_TEXT_KEY = 2000;

/** True when PostgreSQL would accept `value::cast` (and we could have given it out). */
export function isCursorKey(value: string, cast: CursorKeyCast): boolean {
  switch (cast) {
    case 'uuid':
      return UUID.test(value);
    case 'bigint':
      return /^-?\d{1,19}$/.test(value) && BigInt(value) <= INT8_MAX && BigInt(value) >= -INT8_MAX;
    case 'int':
      return /^-?\d{1,10}$/.test(value) && Math.abs(Number(value)) <= INT4_MAX;
    case 'text':
      return value.length <= MAX_TEXT_KEY && !value.includes('\u0000');
    case 'timestamptz': {
      const match = PG_TIMESTAMPTZ.exec(value);
      if (!match) return false;
      const [year, month, day, hour, minute, second, offsetHours, offsetMinutes, offsetSeconds] = match.slice(1).map((part) => Number(part ?? '0'));
      const date = new Date(Date.UTC(year, month - 1, day));
      const isDate = year >= 1 && date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
      return isDate && hour < 24 && minute < 60 && second < 60 && offsetHours <= 15 && offsetMinutes < 60 && offsetSeconds < 60;
    }
  }
}
