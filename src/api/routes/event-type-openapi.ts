/**
 * `POST /api/v1/event-type/import/openapi`: the catalogue from an OpenAPI document's webhooks, with Svix's
 * semantics. Each webhook creates its event type or updates it (an archived one is unarchived); `replaceAll`
 * archives the event types the document does not name; `dryRun` answers what would change and changes nothing.
 */
import {
  eventTypesFromOpenApi,
  openApiDocument,
  openApiFromEventTypes,
  type EventTypeFromOpenApi,
} from '../openapi-webhooks.js';
import { checkPayloadSchemas } from '../payload-schemas.js';
import { HttpError, unprocessable } from '../errors.js';
import { everyItem } from '../environment-export.js';
import { routeModule } from '../route-group.js';
import { TaskAccepted, taskAccepted } from '../schemas/background-tasks.js';
import { IdempotencyHeaders } from '../schemas/common.js';
import { EventTypeImportOpenApiIn, EventTypeImportOpenApiOut } from '../schemas/event-types.js';

/** OpenAPI documents with many schemas are large. */
const DOCUMENT_LIMIT = 16 * 1024 * 1024;

export const eventTypeOpenApiRoutes = routeModule(
  { tags: ['Event Type', 'Herald'] },
  (route, { store, tasks }) => {
    route.post(
      '/event-type/import/openapi',
      {
        access: 'admin',
        bodyLimit: DOCUMENT_LIMIT,
        summary: 'Import event types from an OpenAPI document',
        description:
          'Every webhook of `webhooks` (or `x-webhooks`) becomes an event type named by its key, with the JSON ' +
          "request body's schema (local $refs resolved, examples kept) as payload version 1 and the operation's " +
          'description; an existing one is updated and unarchived. `replaceAll` archives the event types the ' +
          'document does not name; `dryRun` returns `to_modify` and changes nothing. Give the document as `spec` ' +
          '(an object) or `specRaw` (YAML or JSON text), not both.',
        headers: IdempotencyHeaders,
        body: EventTypeImportOpenApiIn,
        response: { 200: EventTypeImportOpenApiOut },
      },
      async (request) => {
        const { spec, specRaw, dryRun, replaceAll } = request.body;
        const document = openApiDocument(spec, specRaw);
        const found = eventTypesFromOpenApi(document, spec ? 'spec' : 'specRaw');
        for (const eventType of found) checkSchema(eventType);
        if (dryRun) return { data: { modified: [], to_modify: found } };
        for (const eventType of found) {
          const fields = { ...eventType, archived: false };
          if (!(await store.eventTypeUpdate(eventType.name, fields)))
            await store.eventTypeCreate({ ...fields, featureFlags: null });
        }
        if (replaceAll) {
          const named = new Set(found.map((eventType) => eventType.name));
          const all = await everyItem((page) => store.eventTypeList(page, false));
          for (const eventType of all)
            if (!named.has(eventType.name)) await store.eventTypeUpdate(eventType.name, { archived: true });
        }
        return { data: { modified: found.map((eventType) => eventType.name), to_modify: null } };
      },
    );

    route.post(
      '/event-type/export/openapi',
      {
        access: 'admin',
        optionalBody: true,
        summary: 'Export event types as an OpenAPI document',
        description:
          'Starts a background task (`sdk.generate`) whose finished `data.spec` is an OpenAPI 3.1 document: ' +
          'every event type that is not archived is a webhook (`post`) named by it, with its description and its ' +
          "newest payload version's schema as the JSON request body. Importing the document " +
          '(`POST /api/v1/event-type/import/openapi` with `spec`) gives back the same catalogue. Where Svix ' +
          'answers a link to generated SDK code (`schemaZip`), Herald answers the document.',
        headers: IdempotencyHeaders,
        response: { 202: TaskAccepted },
      },
      async (_request, reply) => {
        const task = await tasks.start('sdk.generate', null, {}, async () => {
          const all = await everyItem((page) => store.eventTypeList(page, false));
          return { spec: openApiFromEventTypes(all) };
        });
        return reply.status(202).send(taskAccepted(task));
      },
    );
  },
);

/** The schema must be one Herald can check payloads against; the error names the webhook. */
function checkSchema(eventType: EventTypeFromOpenApi): void {
  try {
    checkPayloadSchemas(eventType.schemas);
  } catch (error) {
    if (error instanceof HttpError)
      throw unprocessable(
        `webhook ${eventType.name}: ${error.detail.replace('body.schemas.1', 'its request body schema')}`,
      );
    throw error;
  }
}
