/** Herald: a template's versions, numbered and immutable: every save that changes the content adds one. */
import type { TemplateVersion } from '../../store/index.js';
import { findTemplate, findTemplateVersion } from '../lookups.js';
import { mapPage, pageQuery } from '../pagination.js';
import { routeModule } from '../route-group.js';
import { ListResponse, OrderedPageQuery, toIso } from '../schemas/common.js';
import { TemplateParams, TemplateVersionOut, TemplateVersionParams } from '../schemas/templates.js';

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

export const templateVersionRoutes = routeModule({ tags: ['Template', 'Herald'] }, (route, { store }) => {
  route.get(
    '/template/:template_id/version',
    {
      access: 'any',
      summary: "List a template's versions",
      description: 'Herald: versions oldest first (`order=descending` for newest first); each is immutable.',
      params: TemplateParams,
      querystring: OrderedPageQuery,
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
      return templateVersionOut(await findTemplateVersion(store, template_id, version));
    },
  );
});
