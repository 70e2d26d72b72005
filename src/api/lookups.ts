/** Finding the resources a path or body names, with the API's 404 when they do not exist. */
import type {
  ApiKey,
  Application,
  Attempt,
  Endpoint,
  EventType,
  Message,
  Metadata,
  Store,
  Template,
  TemplateVersion,
} from '../store/index.js';
import { newId } from '../util/ids.js';
import { notFound, unprocessable } from './errors.js';

export async function findApplication(store: Store, idOrUid: string): Promise<Application> {
  const application = await store.applicationGet(idOrUid);
  if (!application) throw notFound('application', idOrUid);
  return application;
}

/** What a request that may create its application (a message, a portal link) says about it. */
export interface InlineApplication {
  uid?: string | null | undefined;
  name: string;
  metadata?: Metadata | undefined;
  throttleRate?: number | null | undefined;
}

/**
 * The application `idOrUid` names; when there is none, the one `inline` describes, or the one a concurrent
 * request created first. Without `inline`, a 404. As in Svix, `inline` must name its `uid`, and it must be
 * `idOrUid` (a 422 otherwise). `inline` is read only when the application is created, so the checks it makes
 * apply only then: for an application that exists it is ignored.
 */
export async function findOrCreateApplication(
  store: Store,
  idOrUid: string,
  inline: (() => InlineApplication) | null | undefined,
): Promise<Application> {
  const found = await store.applicationGet(idOrUid);
  if (found) return found;
  if (!inline) throw notFound('application', idOrUid);
  const fields = inline();
  if (!fields.uid)
    throw unprocessable(
      ['body', 'application', 'uid'],
      `is required to create application "${idOrUid}": give it the path's id, "${idOrUid}"`,
    );
  if (fields.uid !== idOrUid)
    throw unprocessable(
      ['body', 'application', 'uid'],
      `"${fields.uid}" must match the application in the path, "${idOrUid}"`,
    );
  return store.applicationCreateOrGet({
    id: newId('application'),
    uid: fields.uid,
    name: fields.name,
    metadata: fields.metadata ?? {},
    throttleRate: fields.throttleRate ?? null,
  });
}

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

/** An attempt of a message; a missing message is a missing attempt, since the path names the attempt. */
export async function findAttempt(
  store: Store,
  appId: string,
  msgIdOrEventId: string,
  attemptId: string,
): Promise<Attempt> {
  const message = await store.messageGet(appId, msgIdOrEventId);
  const attempt = message && (await store.attemptGet(appId, message.id, attemptId));
  if (!attempt) throw notFound('attempt', attemptId);
  return attempt;
}

export async function findEventType(store: Store, name: string): Promise<EventType> {
  const eventType = await store.eventTypeGet(name);
  if (!eventType) throw notFound('event type', name);
  return eventType;
}

/** A template with its latest version, whose content the template's routes show. */
export async function findTemplate(
  store: Store,
  id: string,
): Promise<{ template: Template; latest: TemplateVersion }> {
  const template = await store.templateGet(id);
  const latest = template && (await store.templateVersionGet(template.id, template.latestVersion));
  if (!template || !latest) throw notFound('template', id);
  return { template, latest };
}

export async function findTemplateVersion(
  store: Store,
  templateId: string,
  version: number,
): Promise<TemplateVersion> {
  const found = await store.templateVersionGet(templateId, version);
  if (!found) throw notFound('template version', `${templateId}@${version}`);
  return found;
}

export async function findApiKey(store: Store, id: string): Promise<ApiKey> {
  const key = await store.apiKeyGet(id);
  if (!key) throw notFound('API key', id);
  return key;
}
