/**
 * An endpoint's batching: checked on every write, with the body settings it depends on. A batch is a JSON
 * array, so a batching endpoint takes JSON bodies only: no XML or form conversion, and a template (the version
 * it pins, or its latest) whose content type is JSON. Nor does it run a transformation (docs/transformations.md).
 */
import type { Batching, Endpoint, Store } from '../store/index.js';
import { unprocessable } from './errors.js';

export const DEFAULT_BATCH_MAX_BYTES = 1024 * 1024;

interface BatchingBody {
  batching?: Partial<Batching> | null;
}

type Shaping = Pick<Endpoint, 'templateId' | 'templateVersion' | 'conversion'>;

/**
 * The request's batching in store form (omitted limits take their defaults), checked against the shaping the
 * endpoint will have: omitted `batching` takes the default (`existing` undefined: create, PUT) or stays as it is
 * (PATCH).
 */
export async function batchingSettings(
  store: Store,
  body: BatchingBody,
  shaping: Shaping,
  existing?: Pick<Endpoint, 'batching'> & Partial<Pick<Endpoint, 'id'>>,
): Promise<{ batching: Batching | null }> {
  const batching =
    body.batching === undefined
      ? (existing?.batching ?? null)
      : body.batching === null
        ? null
        : {
            maxMessages: body.batching.maxMessages!,
            maxBytes: body.batching.maxBytes ?? DEFAULT_BATCH_MAX_BYTES,
            maxWaitMs: body.batching.maxWaitMs ?? 0,
          };
  if (batching === null) return { batching };
  // A transformation may change each message's URL and method, which one request for many messages cannot.
  if (existing?.id !== undefined && (await store.transformationGet(existing.id))?.enabled === true)
    throw unprocessable(
      'body.batching cannot be used with a transformation, which runs per message: disable the ' +
        "endpoint's transformation first (or set batching null)",
    );
  if (shaping.conversion !== 'none')
    throw unprocessable(
      ['body', 'batching'],
      `sends messages as one JSON array, which cannot hold ${shaping.conversion === 'xml' ? 'XML' : 'form-encoded'} ` +
        `bodies; set conversion "none" (or batching null)`,
    );
  if (shaping.templateId !== null) {
    const template = await store.templateGet(shaping.templateId);
    const version =
      template &&
      (await store.templateVersionGet(template.id, shaping.templateVersion ?? template.latestVersion));
    if (version && version.contentType !== 'json')
      throw unprocessable(
        ['body', 'batching'],
        `sends messages as one JSON array, but template "${template!.name}" (version ` +
          `${version.version}) produces ${version.contentType}; give the template the json content type, or set ` +
          'batching null',
      );
  }
  return { batching };
}
