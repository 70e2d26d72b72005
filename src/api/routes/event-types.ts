import { Type } from '@sinclair/typebox';
import type { EventType, JsonObject } from '../../store/index.js';
import type { Principal } from '../auth.js';
import { routeModule } from '../route-group.js';
import { notFound } from '../errors.js';
import { findEventType } from '../lookups.js';
import { mapPage, pageQuery } from '../pagination.js';
import { checkDeprecatedVersions, checkPayloadSchemas } from '../payload-schemas.js';
import { IdempotencyHeaders, ListResponse, Ordering, PageQueryString, toIso } from '../schemas/common.js';
import {
  EventTypeIn,
  EventTypeOut,
  EventTypeParams,
  EventTypePatch,
  EventTypeUpdate,
} from '../schemas/event-types.js';

export function eventTypeOut(eventType: EventType, withContent = true) {
  return {
    name: eventType.name,
    description: eventType.description,
    archived: eventType.archived,
    deprecated: eventType.deprecated,
    featureFlag: eventType.featureFlags?.[0] ?? null,
    featureFlags: eventType.featureFlags,
    groupName: eventType.groupName,
    schemas: withContent ? eventType.schemas : null,
    deprecatedVersions: eventType.deprecatedVersions,
    createdAt: toIso(eventType.createdAt),
    updatedAt: toIso(eventType.updatedAt),
  };
}

type SchemasIn = Record<string, JsonObject> | null | undefined;

/** The checked fields of a create or PUT, with defaults for what the body leaves out. */
export function replacedFields(body: EventTypeUpdate) {
  checkPayloadSchemas(body.schemas as SchemasIn);
  checkDeprecatedVersions(body.deprecatedVersions, body.schemas as SchemasIn);
  return {
    description: body.description,
    archived: body.archived ?? false,
    deprecated: body.deprecated ?? false,
    featureFlags: featureFlagsIn(body) ?? null,
    groupName: body.groupName ?? null,
    schemas: (body.schemas as SchemasIn) ?? null,
    deprecatedVersions: body.deprecatedVersions ?? [],
  };
}

/**
 * The flags a body sets: `featureFlags`, or Svix's deprecated `featureFlag` as a list of one; undefined when it
 * sets neither (a PATCH that leaves them).
 */
function featureFlagsIn(body: EventTypePatch): string[] | null | undefined {
  if (body.featureFlags !== undefined) return body.featureFlags;
  if (body.featureFlag !== undefined) return body.featureFlag === null ? null : [body.featureFlag];
  return undefined;
}

/** Whether an application key carrying `flags` sees the event type (undefined: an admin key, which sees all). */
export function visibleTo(eventType: EventType, flags: string[] | undefined): boolean {
  const needed = eventType.featureFlags ?? [];
  return flags === undefined || needed.length === 0 || needed.some((flag) => flags.includes(flag));
}

/** The feature flags that decide what an application key sees; undefined for an admin key, which sees all. */
const visibleFlags = (principal: Principal | null): string[] | undefined =>
  principal?.appId ? principal.featureFlags : undefined;

export const eventTypeRoutes = routeModule({ tags: ['Event Type'] }, (route, { store }) => {
  route.get(
    '/event-type',
    {
      access: 'any',
      summary: 'List event types',
      description:
        'An application key sees the event types without `featureFlags`, and those with a flag it carries ' +
        '(from `featureFlags` in app-portal-access), as in Svix.',
      querystring: Type.Object({
        ...PageQueryString,
        order: Type.Optional(Ordering),
        include_archived: Type.Optional(Type.Boolean({ default: false })),
        with_content: Type.Optional(Type.Boolean({ default: false, description: 'Include the schemas' })),
      }),
      response: { 200: ListResponse(EventTypeOut) },
    },
    async (request) => {
      const { include_archived, with_content } = request.query;
      const page = await store.eventTypeList(
        pageQuery(request.query, 'ascending'),
        include_archived ?? false,
        visibleFlags(request.principal),
      );
      return mapPage(page, (eventType) => eventTypeOut(eventType, with_content ?? false));
    },
  );

  route.post(
    '/event-type',
    {
      access: 'admin',
      summary: 'Create an event type',
      headers: IdempotencyHeaders,
      body: EventTypeIn,
      response: { 201: EventTypeOut },
    },
    async (request, reply) => {
      const body = request.body;
      const created = await store.eventTypeCreate({ name: body.name, ...replacedFields(body) });
      return reply.status(201).send(eventTypeOut(created));
    },
  );

  route.get(
    '/event-type/:event_type_name',
    {
      access: 'any',
      summary: 'Get an event type',
      params: EventTypeParams,
      response: { 200: EventTypeOut },
    },
    async (request) => {
      const eventType = await findEventType(store, request.params.event_type_name);
      // Hidden from an application key without one of its flags: as if it did not exist.
      if (!visibleTo(eventType, visibleFlags(request.principal)))
        throw notFound('event type', request.params.event_type_name);
      return eventTypeOut(eventType);
    },
  );

  route.put(
    '/event-type/:event_type_name',
    {
      access: 'admin',
      summary: 'Update an event type, or create it',
      description: 'Replaces the event type; if none has this name, it is created (201).',
      params: EventTypeParams,
      body: EventTypeUpdate,
      response: { 200: EventTypeOut, 201: EventTypeOut },
    },
    async (request, reply) => {
      const name = request.params.event_type_name;
      const fields = replacedFields(request.body);
      const updated = await store.eventTypeUpdate(name, fields);
      if (updated) return eventTypeOut(updated);
      const created = await store.eventTypeCreate({ name, ...fields });
      return reply.status(201).send(eventTypeOut(created));
    },
  );

  route.patch(
    '/event-type/:event_type_name',
    {
      access: 'admin',
      summary: 'Change some fields of an event type',
      params: EventTypeParams,
      body: EventTypePatch,
      response: { 200: EventTypeOut },
    },
    async (request) => {
      const name = request.params.event_type_name;
      const { schemas, description, archived, deprecated, groupName, deprecatedVersions } = request.body;
      checkPayloadSchemas(schemas as SchemasIn);
      if (deprecatedVersions !== undefined || schemas !== undefined) {
        const current = await findEventType(store, name);
        checkDeprecatedVersions(
          deprecatedVersions ?? current.deprecatedVersions,
          schemas === undefined ? current.schemas : (schemas as SchemasIn),
        );
      }
      const updated = await store.eventTypeUpdate(name, {
        description,
        archived,
        deprecated,
        featureFlags: featureFlagsIn(request.body),
        groupName,
        deprecatedVersions,
        ...(schemas !== undefined && {
          schemas: schemas as SchemasIn as Record<string, JsonObject> | null,
        }),
      });
      if (!updated) throw notFound('event type', name);
      return eventTypeOut(updated);
    },
  );

  route.delete(
    '/event-type/:event_type_name',
    {
      access: 'admin',
      summary: 'Archive or delete an event type',
      description: 'Archives the event type (it can be restored); with `expunge=true` deletes it for good.',
      params: EventTypeParams,
      querystring: Type.Object({ expunge: Type.Optional(Type.Boolean({ default: false })) }),
      response: { 204: Type.Null() },
    },
    async (request, reply) => {
      const name = request.params.event_type_name;
      const done = request.query.expunge
        ? await store.eventTypeDelete(name)
        : (await store.eventTypeUpdate(name, { archived: true })) !== undefined;
      if (!done) throw notFound('event type', name);
      return reply.status(204).send(null);
    },
  );
});
