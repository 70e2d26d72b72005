/**
 * Herald: test renders of a template, saved or not, against an example event: what an endpoint would receive,
 * with every problem found, and nothing saved or sent.
 */
import { Type } from '@sinclair/typebox';
import type { EventType } from '../../store/index.js';
import { testRender, testRenderDraft, type RenderSample } from '../../templates/test-render.js';
import { findTemplate, findTemplateVersion } from '../lookups.js';
import { exampleOf } from '../payload-schemas.js';
import { routeModule } from '../route-group.js';
import { IdempotencyHeaders } from '../schemas/common.js';
import {
  TemplateDraftRenderIn,
  TemplateDraftRenderOut,
  TemplateParams,
  TemplateRenderIn,
  TemplateRenderOut,
} from '../schemas/templates.js';
import { boundEventType, contentOf } from '../template-content.js';

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

export const templateRenderRoutes = routeModule({ tags: ['Template', 'Herald'] }, (route, { store }) => {
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
        body.version === undefined ? latest : await findTemplateVersion(store, template.id, body.version);
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
      const content = contentOf(body);
      const eventType = await boundEventType(store, content);
      return testRenderDraft(
        content,
        eventType,
        sampleOf(body, content.eventType ?? 'example.event', eventType),
      );
    },
  );
});
