/**
 * Templates (Herald): Liquid templates that shape the body an endpoint receives, with immutable numbered
 * versions (template-versions.ts) and test renders (template-render.ts). Admin keys manage them; any key can
 * read them and test-render them, since application keys choose the template of their own endpoints.
 */
import { Type } from '@sinclair/typebox';
import type { Template, TemplateContent, TemplateVersion } from '../../store/index.js';
import { newId } from '../../util/ids.js';
import { conflict, notFound } from '../errors.js';
import { findTemplate } from '../lookups.js';
import { mapPage, pageQuery } from '../pagination.js';
import { routeModule } from '../route-group.js';
import { IdempotencyHeaders, ListResponse, OrderedPageQuery, toIso } from '../schemas/common.js';
import { TemplateIn, TemplateOut, TemplatePatch, TemplateParams } from '../schemas/templates.js';
import { checkedContent, contentOf, templateSave } from '../template-content.js';

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

export const templateRoutes = routeModule({ tags: ['Template', 'Herald'] }, (route, context) => {
  const { store, audit } = context;

  /** Saves the content and the name and description as templateSave does, and answers with the template. */
  const save = async (
    request: Parameters<typeof audit.record>[0],
    current: { template: Template; latest: TemplateVersion },
    content: TemplateContent,
    meta: { name?: string | undefined; description?: string | undefined },
  ) => {
    const saved = await templateSave(context, request, current, content, meta);
    return templateOut(saved.template, saved.latest);
  };

  route.get(
    '/template',
    {
      access: 'any',
      summary: 'List templates',
      description: 'Herald: templates oldest first, each with the content of its latest version.',
      querystring: OrderedPageQuery,
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
        '`eventType`, only fields of its newest schema). Problems get 422 with one `detail` item per problem.',
      headers: IdempotencyHeaders,
      body: TemplateIn,
      response: { 201: TemplateOut },
    },
    async (request, reply) => {
      const body = request.body;
      const content = await checkedContent(store, contentOf(body));
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
      return save(request, current, contentOf(body), {
        name: body.name,
        description: body.description ?? '',
      });
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
});
