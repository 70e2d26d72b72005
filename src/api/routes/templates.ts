/**
 * Templates (Herald): Liquid templates that shape the body an endpoint receives, with immutable numbered
 * versions. Admin keys manage them; any key can read them and test-render them, since application keys choose
 * the template of their own endpoints.
 */
import { Type } from '@sinclair/typebox';
import type { EventType, Store, Template, TemplateContent, TemplateVersion } from '../../store/index.js';
import { checkTemplate } from '../../templates/compile.js';
import { describeProblem, describeProblems, type TemplateProblem } from '../../templates/problems.js';
import { testRender, testRenderDraft, type RenderSample } from '../../templates/test-render.js';
import { newId } from '../../util/ids.js';
import { routeModule } from '../route-group.js';
import { conflict, HttpError, notFound } from '../errors.js';
import { mapPage, pageQuery } from '../pagination.js';
import { IdempotencyHeaders, ListResponse, Ordering, PageQueryString, toIso } from '../schemas/common.js';
import {
  TemplateDraftRenderIn,
  TemplateDraftRenderOut,
  TemplateIn,
  TemplateOut,
  TemplatePatch,
  TemplateParams,
  TemplateRenderIn,
  TemplateRenderOut,
  TemplateVersionOut,
  TemplateVersionParams,
} from '../schemas/templates.js';
import { exampleOf } from './ingest.js';

export function templateVersionOut(version: TemplateVersion) {
  return {
    templateId: version.templateId,
    version: version.version,
    contentType: version.contentType,
    body: version.body,
    eventType: version.eventType,
    payloadVersion: version.payloadVersion,
    createdAt: toIso(version.createdAt),
  };
}

export function templateOut(template: Template, latest: TemplateVersion) {
  return {
    id: template.id,
    name: template.name,
    description: template.description,
    latestVersion: template.latestVersion,
    contentType: latest.contentType,
    body: latest.body,
    eventType: latest.eventType,
    payloadVersion: latest.payloadVersion,
    createdAt: toIso(template.createdAt),
    updatedAt: toIso(template.updatedAt),
  };
}

/** A 422 that lists each problem with where it is, in the shape of the API's validation errors. */
function invalidTemplate(problems: TemplateProblem[]): HttpError {
  const errors = problems.map((p) => ({
    loc: ['body', p.kind === 'binding' ? 'eventType' : 'body'],
    msg: describeProblem(p),
    type: `template.${p.kind}`,
    line: p.line,
    column: p.column,
  }));
  return new HttpError(422, 'validation', `the template has problems: ${describeProblems(problems)}`, {
    errors,
  });
}

async function findTemplate(
  store: Store,
  id: string,
): Promise<{ template: Template; latest: TemplateVersion }> {
  const template = await store.templateGet(id);
  const latest = template && (await store.templateVersionGet(template.id, template.latestVersion));
  if (!template || !latest) throw notFound('template', id);
  return { template, latest };
}

const sameContent = (a: TemplateContent, b: TemplateContent) =>
  a.contentType === b.contentType &&
  a.body === b.body &&
  a.eventType === b.eventType &&
  a.payloadVersion === b.payloadVersion;

/** The event, endpoint and application a test render renders against, with example values for what is not given. */
function sampleOf(
  body: Pick<TemplateRenderIn, 'payload' | 'endpoint' | 'app'>,
  eventTypeName: string,
  sampleType: EventType | undefined,
): RenderSample {
  return {
    eventType: eventTypeName,
    payload:
      (body.payload as Record<string, never> | undefined) ?? (sampleType && exampleOf(sampleType)) ?? {},
    endpoint: {
      id: 'ep_example',
      uid: body.endpoint?.uid ?? null,
      metadata: body.endpoint?.metadata ?? {},
    },
    app: {
      id: 'app_example',
      uid: body.app?.uid ?? null,
      name: body.app?.name ?? 'Example',
      metadata: body.app?.metadata ?? {},
    },
  };
}

export const templateRoutes = routeModule({ tags: ['Template', 'Herald'] }, (route, { store, audit }) => {
  /** Refuses content with any problem a save can find; returns it in store form. */
  async function checked(content: TemplateContent): Promise<TemplateContent> {
    const eventType = content.eventType === null ? undefined : await store.eventTypeGet(content.eventType);
    const problems = checkTemplate(content, eventType);
    if (problems.length > 0) throw invalidTemplate(problems);
    return content;
  }

  /** Saves `content` as the next version unless it equals the latest, and applies name and description. */
  async function save(
    request: Parameters<typeof audit.record>[0],
    current: { template: Template; latest: TemplateVersion },
    content: TemplateContent,
    meta: { name?: string | undefined; description?: string | undefined },
  ) {
    let latest = current.latest;
    if (!sameContent(content, current.latest)) {
      const created = await store.templateVersionCreate(current.template.id, await checked(content));
      if (!created) throw notFound('template', current.template.id);
      latest = created;
    }
    const renamed = meta.name !== undefined && meta.name !== current.template.name;
    const described = meta.description !== undefined && meta.description !== current.template.description;
    const template =
      renamed || described || latest !== current.latest
        ? await store.templateUpdate(current.template.id, {
            ...(renamed && { name: meta.name }),
            ...(described && { description: meta.description }),
          })
        : current.template;
    if (!template) throw notFound('template', current.template.id);
    if (latest !== current.latest || renamed || described)
      await audit.record(request, {
        action: 'template.updated',
        targetType: 'template',
        targetId: template.id,
        before: { version: current.latest.version, name: current.template.name },
        after: { version: latest.version, name: template.name },
      });
    return templateOut(template, latest);
  }

  route.get(
    '/template',
    {
      access: 'any',
      summary: 'List templates',
      description: 'Herald: templates oldest first, each with the content of its latest version.',
      querystring: Type.Object({ ...PageQueryString, order: Type.Optional(Ordering) }),
      response: { 200: ListResponse(TemplateOut) },
    },
    async (request) => {
      const page = await store.templateList(pageQuery(request.query, 'ascending'));
      const latest = await store.templateVersionGetMany(
        page.data.map((t) => ({ templateId: t.id, version: t.latestVersion })),
      );
      const byId = new Map(latest.map((version) => [version.templateId, version]));
      return mapPage({ ...page, data: page.data.filter((t) => byId.has(t.id)) }, (t) =>
        templateOut(t, byId.get(t.id)!),
      );
    },
  );

  route.post(
    '/template',
    {
      access: 'admin',
      summary: 'Create a template',
      description:
        'Herald: creates a template and its version 1. The template is checked first: syntax (with line and ' +
        'column), unknown filters, and variables (strictly: only event, endpoint and app fields, and with ' +
        '`eventType`, only fields of its newest schema). Problems get 422 with one entry per problem in `errors`.',
      headers: IdempotencyHeaders,
      body: TemplateIn,
      response: { 201: TemplateOut },
    },
    async (request, reply) => {
      const body = request.body;
      const content = await checked({
        contentType: body.contentType,
        body: body.body,
        eventType: body.eventType ?? null,
        payloadVersion: body.payloadVersion ?? null,
      });
      const { template, version } = await store.templateCreate(
        { id: newId('template'), name: body.name, description: body.description ?? '' },
        content,
      );
      await audit.record(request, {
        action: 'template.created',
        targetType: 'template',
        targetId: template.id,
        after: { name: template.name, version: 1 },
      });
      return reply.status(201).send(templateOut(template, version));
    },
  );

  route.get(
    '/template/:template_id',
    {
      access: 'any',
      summary: 'Get a template',
      description: 'Herald: the template with the content of its latest version.',
      params: TemplateParams,
      response: { 200: TemplateOut },
    },
    async (request) => {
      const { template, latest } = await findTemplate(store, request.params.template_id);
      return templateOut(template, latest);
    },
  );

  route.put(
    '/template/:template_id',
    {
      access: 'admin',
      summary: 'Update a template',
      description:
        'Herald: replaces the template. Content that differs from the latest version (contentType, body, ' +
        'eventType, payloadVersion; omitted optional fields are null) becomes a new version, checked as on ' +
        'create; earlier versions never change. Endpoints that follow the latest version get it from their ' +
        'next delivery; endpoints that pin a version keep theirs.',
      params: TemplateParams,
      body: TemplateIn,
      response: { 200: TemplateOut },
    },
    async (request) => {
      const current = await findTemplate(store, request.params.template_id);
      const body = request.body;
      return save(
        request,
        current,
        {
          contentType: body.contentType,
          body: body.body,
          eventType: body.eventType ?? null,
          payloadVersion: body.payloadVersion ?? null,
        },
        { name: body.name, description: body.description ?? '' },
      );
    },
  );

  route.patch(
    '/template/:template_id',
    {
      access: 'admin',
      summary: 'Change some fields of a template',
      description:
        'Herald: changes the given fields. A change to the content (contentType, body, eventType, ' +
        'payloadVersion) becomes a new version with the other content fields of the latest one.',
      params: TemplateParams,
      body: TemplatePatch,
      response: { 200: TemplateOut },
    },
    async (request) => {
      const current = await findTemplate(store, request.params.template_id);
      const body = request.body;
      const eventType = body.eventType === undefined ? current.latest.eventType : body.eventType;
      return save(
        request,
        current,
        {
          contentType: body.contentType ?? current.latest.contentType,
          body: body.body ?? current.latest.body,
          eventType,
          // A new event type without a payload version drops the old one's.
          payloadVersion:
            body.payloadVersion !== undefined
              ? body.payloadVersion
              : eventType === current.latest.eventType
                ? current.latest.payloadVersion
                : null,
        },
        { name: body.name, description: body.description },
      );
    },
  );

  route.delete(
    '/template/:template_id',
    {
      access: 'admin',
      summary: 'Delete a template',
      description:
        'Herald: deletes the template and all its versions. 409 while any endpoint uses it: move those ' +
        'endpoints to another template (or none) first.',
      params: TemplateParams,
      response: { 204: Type.Null() },
    },
    async (request, reply) => {
      const { template } = await findTemplate(store, request.params.template_id);
      const users = await store.endpointCountByTemplate(template.id);
      if (users > 0)
        throw conflict(
          `${users} endpoint${users === 1 ? ' uses' : 's use'} this template; set their templateId to another ` +
            'template or null first',
        );
      if (!(await store.templateDelete(template.id))) throw notFound('template', template.id);
      await audit.record(request, {
        action: 'template.deleted',
        targetType: 'template',
        targetId: template.id,
        before: { name: template.name, latestVersion: template.latestVersion },
      });
      return reply.status(204).send(null);
    },
  );

  route.get(
    '/template/:template_id/version',
    {
      access: 'any',
      summary: "List a template's versions",
      description: 'Herald: versions oldest first (`order=descending` for newest first); each is immutable.',
      params: TemplateParams,
      querystring: Type.Object({ ...PageQueryString, order: Type.Optional(Ordering) }),
      response: { 200: ListResponse(TemplateVersionOut) },
    },
    async (request) => {
      const { template } = await findTemplate(store, request.params.template_id);
      const query = pageQuery(request.query, 'ascending');
      // The iterator is a version number; anything else starts from the beginning.
      if (query.iterator !== undefined && !/^\d{1,10}$/.test(query.iterator)) query.iterator = undefined;
      const page = await store.templateVersionList(template.id, query);
      return mapPage(page, templateVersionOut);
    },
  );

  route.get(
    '/template/:template_id/version/:version',
    {
      access: 'any',
      summary: 'Get a version of a template',
      params: TemplateVersionParams,
      response: { 200: TemplateVersionOut },
    },
    async (request) => {
      const { template_id, version } = request.params;
      const found = await store.templateVersionGet(template_id, version);
      if (!found) throw notFound('template version', `${template_id}@${version}`);
      return templateVersionOut(found);
    },
  );

  route.post(
    '/template/:template_id/render',
    {
      access: 'any',
      summary: 'Test-render a template',
      description:
        "Herald: renders a version (the latest by default) against the event type's example payload, or a " +
        'payload you give, with the limits deliveries have. Answers 200 with the body, the headers it would ' +
        'be sent with, and every problem found: those a save finds, render failures (limits hit), and ' +
        'invalid output (JSON that does not parse, XML that is not well formed, JSON that does not match ' +
        'the schema of its payloadVersion). `ok` is true when there are none.',
      params: TemplateParams,
      headers: IdempotencyHeaders,
      body: Type.Optional(TemplateRenderIn),
      response: { 200: TemplateRenderOut },
      optionalBody: true,
    },
    async (request) => {
      const body = request.body ?? {};
      const { template, latest } = await findTemplate(store, request.params.template_id);
      const version =
        body.version === undefined ? latest : await store.templateVersionGet(template.id, body.version);
      if (!version) throw notFound('template version', `${template.id}@${body.version}`);
      const names = [...new Set([version.eventType, body.eventType].filter((n): n is string => !!n))];
      const eventTypes = await store.eventTypeGetMany(names);
      const own: EventType | undefined = version.eventType ? eventTypes.get(version.eventType) : undefined;
      const eventTypeName = body.eventType ?? version.eventType ?? 'example.event';
      const sampleType = eventTypes.get(eventTypeName);
      const result = testRender(version, own, sampleOf(body, eventTypeName, sampleType));
      return { ...result, version: version.version };
    },
  );

  route.post(
    '/template/render',
    {
      access: 'any',
      summary: 'Test-render unsaved template content',
      description:
        'Herald: renders content that is not saved (`contentType`, `body`, `eventType?`, `payloadVersion?`, as ' +
        "a template version has them) against its event type's example payload or a payload you give, with " +
        'the same checks and limits as `POST /template/{template_id}/render`, and saves nothing. Editors ' +
        'use it for a live preview; problems come back in `errors` with their line and column, not as a 422.',
      headers: IdempotencyHeaders,
      body: TemplateDraftRenderIn,
      response: { 200: TemplateDraftRenderOut },
    },
    async (request) => {
      const body = request.body;
      const content: TemplateContent = {
        contentType: body.contentType,
        body: body.body,
        eventType: body.eventType ?? null,
        payloadVersion: body.payloadVersion ?? null,
      };
      const eventType = content.eventType === null ? undefined : await store.eventTypeGet(content.eventType);
      return testRenderDraft(
        content,
        eventType,
        sampleOf(body, content.eventType ?? 'example.event', eventType),
      );
    },
  );
});
