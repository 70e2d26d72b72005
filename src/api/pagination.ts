import type { Page, PageQuery } from '../store/index.js';
import { unprocessable } from './errors.js';
import { DEFAULT_PAGE_SIZE, NAME_PATTERN } from './schemas/common.js';

/** Every iterator Herald hands out is an id, a name or a number, with an optional leading `-`. */
const ITERATOR = new RegExp(NAME_PATTERN);

export interface ListQueryString {
  limit?: number;
  iterator?: string;
  order?: 'ascending' | 'descending';
}

/**
 * Svix cursor semantics: `iterator` continues after the last item of a page; an iterator that starts with
 * `-` (a `prevIterator`) pages back towards the start.
 */
export function pageQuery(query: ListQueryString, defaultOrder: PageQuery['order']): PageQuery {
  if (query.iterator !== undefined && query.iterator !== '' && !ITERATOR.test(query.iterator))
    throw unprocessable(
      ['query', 'iterator'],
      'is malformed: pass back an iterator or prevIterator from a previous page',
    );
  const reverse = query.iterator?.startsWith('-') ?? false;
  const iterator = reverse ? query.iterator!.slice(1) : query.iterator;
  return {
    limit: query.limit ?? DEFAULT_PAGE_SIZE,
    iterator: iterator === '' ? undefined : iterator,
    reverse,
    order: query.order ?? defaultOrder,
  };
}

export function mapPage<T, U>(page: Page<T>, map: (item: T) => U) {
  return { ...page, data: page.data.map(map) };
}
