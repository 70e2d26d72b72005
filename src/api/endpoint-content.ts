/**
 * An endpoint's content filter and compression: checked on every write, so that routing never meets a filter it
 * cannot evaluate cheaply.
 */
import { checkContentFilter } from '../delivery/content-filter.js';
import type { Compression, Endpoint, JsonObject } from '../store/index.js';
import { unprocessable } from './errors.js';
import { parseLoc } from './problems.js';

type Content = Pick<Endpoint, 'filter' | 'compression' | 'compressionThreshold'>;

interface ContentBody {
  filter?: JsonObject | null;
  compression?: Compression;
  compressionThreshold?: number | null;
}

export function contentOut(endpoint: Endpoint): Content {
  return {
    filter: endpoint.filter,
    compression: endpoint.compression,
    compressionThreshold: endpoint.compressionThreshold,
  };
}

/**
 * Saving `compression` again forgets that the endpoint once refused a compressed request (415), so Herald tries
 * compressing again.
 */
export function compressionRetried(body: ContentBody): { compressionRefusedAt?: null } {
  return body.compression !== undefined ? { compressionRefusedAt: null } : {};
}

/** Answers 422 naming the place when `filter` is not a filter Herald accepts. */
export function checkFilter(filter: unknown, place: string): void {
  const problem = checkContentFilter(filter, place);
  if (problem === null) return;
  const where = parseLoc(problem.place);
  throw unprocessable(where?.rest === '' ? where.loc : ['body', 'filter'], problem.problem);
}

/**
 * The request's content settings in store form, checked: omitted fields take their defaults (`existing`
 * undefined: create, PUT) or stay as they are (PATCH).
 */
export function contentSettings(body: ContentBody, existing?: Content): Content {
  if (body.filter !== undefined && body.filter !== null) checkFilter(body.filter, 'body.filter');
  return {
    filter: body.filter !== undefined ? body.filter : (existing?.filter ?? null),
    compression: body.compression ?? existing?.compression ?? 'none',
    compressionThreshold:
      body.compressionThreshold !== undefined
        ? body.compressionThreshold
        : (existing?.compressionThreshold ?? null),
  };
}
