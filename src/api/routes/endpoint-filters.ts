/**
 * Herald: trying a content filter, saved or not, against a sample message, so that a filter can be written and
 * checked before it decides what an endpoint receives. Nothing is saved or sent.
 */
import { compileContentFilter, filterSubject } from '../../delivery/content-filter.js';
import { matches } from '../../delivery/routing.js';
import type { JsonObject } from '../../store/index.js';
import { checkFilter } from '../endpoint-content.js';
import { findEndpoint } from '../lookups.js';
import { routeModule } from '../route-group.js';
import { AppParams, IdempotencyHeaders } from '../schemas/common.js';
import {
  EndpointFilterTestIn,
  EndpointFilterTestOut,
  FilterTestIn,
  FilterTestOut,
} from '../schemas/endpoint-content.js';
import { EndpointParams } from '../schemas/endpoints.js';

interface Sample {
  eventType?: string;
  channels?: string[] | null;
  payload: object;
  filter?: JsonObject | null;
}

/** Whether the sample matches `filter` (null matches everything); a filter Herald would refuse answers 422. */
function tryFilter(filter: JsonObject | null, sample: Sample): boolean {
  if (filter === null) return true;
  checkFilter(filter, 'body.filter');
  const subject = filterSubject(
    sample.eventType ?? '',
    sample.channels ?? null,
    sample.payload as JsonObject,
  );
  return compileContentFilter(filter)(subject);
}

const DESCRIPTION =
  'Herald: evaluates a content filter against a sample message ({eventType, channels, payload}) as routing ' +
  'would. A filter that could not be saved answers 422 naming the place, as a save does.';

export const endpointFilterRoutes = routeModule({ tags: ['Endpoint', 'Herald'] }, (route, { store }) => {
  route.post(
    '/app/:app_id/filter/test',
    {
      access: 'app',
      summary: 'Try a content filter',
      description: DESCRIPTION,
      params: AppParams,
      headers: IdempotencyHeaders,
      body: FilterTestIn,
      response: { 200: FilterTestOut },
    },
    async (request) => ({ matches: tryFilter(request.body.filter, request.body) }),
  );

  route.post(
    '/app/:app_id/endpoint/:endpoint_id/filter/test',
    {
      access: 'app',
      summary: "Try an endpoint's content filter",
      description:
        `${DESCRIPTION} Without \`filter\` the endpoint's saved filter is tried. \`receives\` also applies the ` +
        "endpoint's state and its eventTypes and channels.",
      params: EndpointParams,
      headers: IdempotencyHeaders,
      body: EndpointFilterTestIn,
      response: { 200: EndpointFilterTestOut },
    },
    async (request) => {
      const endpoint = await findEndpoint(store, request.application.id, request.params.endpoint_id);
      const { body } = request;
      const filterMatches = tryFilter(body.filter !== undefined ? body.filter : endpoint.filter, body);
      const routed = matches(endpoint, body.eventType ?? '', body.channels ?? null);
      return { matches: filterMatches, receives: filterMatches && routed && !endpoint.disabled };
    },
  );
});
