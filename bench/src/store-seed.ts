/**
 * Writing to Herald's store directly, for set-ups the API is too slow for on this machine (10,000 endpoints).
 * It goes through Herald's own store interface, compiled in the same directory as the Herald under test, and
 * never through SQL of its own, so it stays right as the schema changes. Herald must be stopped meanwhile.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { EndpointSpec } from './api.js';
import { HERALD_DIST, type Storage } from './herald-process.js';

/** The few store methods used here, typed loosely so the bench does not compile against src/. */
interface SeedStore {
  endpointGet(appId: string, id: string): Promise<(Record<string, unknown> & { id: string }) | undefined>;
  endpointCreate(endpoint: Record<string, unknown>): Promise<unknown>;
  close(): Promise<void>;
}

async function load<T>(relative: string): Promise<T> {
  return (await import(pathToFileURL(path.join(HERALD_DIST, relative)).href)) as T;
}

const LANES = 8;

/**
 * Copies endpoint `templateId` (its sealed secret and headers included) once per spec, with the spec's URL and
 * channels. Returns the new ids in order.
 */
export async function cloneEndpoints(
  storage: Storage,
  appId: string,
  templateId: string,
  specs: EndpointSpec[],
): Promise<string[]> {
  const { openStore } = await load<{ openStore: (options: unknown) => SeedStore }>('store/index.js');
  const { newId } = await load<{ newId: (kind: 'endpoint') => string }>('util/ids.js');
  const store = openStore({
    databaseUrl: storage.databaseUrl,
    sqliteFile: path.join(storage.dataDir, 'herald.db'),
    poolSize: LANES,
  });
  try {
    const template = await store.endpointGet(appId, templateId);
    if (!template) throw new Error(`template endpoint ${templateId} not found in the store`);
    const { createdAt: _created, updatedAt: _updated, ...fields } = template;
    const ids = specs.map(() => newId('endpoint'));
    let next = 0;
    const lane = async () => {
      while (next < specs.length) {
        const index = next++;
        const spec = specs[index]!;
        await store.endpointCreate({
          ...fields,
          id: ids[index],
          uid: null,
          url: spec.url,
          channels: spec.channels ?? null,
        });
      }
    };
    await Promise.all(Array.from({ length: LANES }, lane));
    return ids;
  } finally {
    await store.close();
  }
}
