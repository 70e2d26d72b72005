/** Finding the resources a path names, with the API's 404 when they do not exist. */
import type { Endpoint, Message, Store } from '../store/index.js';
import { notFound } from './errors.js';

export async function findEndpoint(store: Store, appId: string, idOrUid: string): Promise<Endpoint> {
  const endpoint = await store.endpointGet(appId, idOrUid);
  if (!endpoint) throw notFound('endpoint', idOrUid);
  return endpoint;
}

export async function findMessage(store: Store, appId: string, idOrEventId: string): Promise<Message> {
  const message = await store.messageGet(appId, idOrEventId);
  if (!message) throw notFound('message', idOrEventId);
  return message;
}
