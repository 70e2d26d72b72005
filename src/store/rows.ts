/** Shared conversions between stored columns and domain values, and the SQL pieces several query files use. */
import { sql, type SelectQueryBuilder } from 'kysely';
import type { Connection } from './dialect.js';
import { UniqueViolation, type Page, type PageQuery } from './types.js';

export function toJson(value: unknown): string {
  return JSON.stringify(value);
}

export function toJsonOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}

export function fromJson<T>(text: string): T {
  return JSON.parse(text) as T;
}

export function fromJsonOrNull<T>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}

export const flag = (value: boolean): number => (value ? 1 : 0);

/** Runs `work`, turning the driver's unique-constraint error into `UniqueViolation` on `target`. */
export async function guardUnique<T>(
  connection: Connection,
  target: string,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (connection.profile.isUniqueViolation(error)) throw new UniqueViolation(target);
    throw error;
  }
}

function pagesForward(page: PageQuery): boolean {
  return (page.order === 'ascending') !== Boolean(page.reverse);
}

/**
 * Restricts a query to one cursor page. It fetches one row more than asked, which tells `pageOf` whether the
 * listing is done without a second query.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function paged<QB extends SelectQueryBuilder<any, any, any>>(
  qb: QB,
  column: string,
  page: PageQuery,
): QB {
  const forward = pagesForward(page);
  let query = qb;
  if (page.iterator !== undefined)
    query = query.where(sql.ref(column), forward ? '>' : '<', page.iterator) as QB;
  return query.orderBy(sql.ref(column), forward ? 'asc' : 'desc').limit(page.limit + 1) as QB;
}

export function pageOf<T>(rows: T[], page: PageQuery, key: (row: T) => string): Page<T> {
  const more = rows.length > page.limit;
  const data = rows.slice(0, page.limit);
  if (page.reverse) data.reverse();
  const first = data[0];
  const last = data.at(-1);
  if (first === undefined || last === undefined)
    return { data, done: true, iterator: page.iterator ?? null, prevIterator: null };
  // As in Svix, `done` says there is nothing further in the direction this page went: a page reached through a
  // prevIterator that arrives at the start is done too, so a loop paging backwards stops there.
  return {
    data,
    done: !more,
    iterator: key(last),
    prevIterator: page.reverse && !more ? null : `-${key(first)}`,
  };
}

/** Channels are stored as a JSON array of restricted names, so `"name"` appears only for that exact channel. */
export function hasChannel(connection: Connection, column: string, channel: string) {
  const position = sql.raw(connection.profile.substringPositionFn);
  return sql<boolean>`${position}(${sql.ref(column)}, ${JSON.stringify(channel)}) > 0`;
}
