/**
 * Herald: security routes above the endpoint: an application's allowed destination networks, the audit log,
 * and where each endpoint stands against its rate limit. The endpoint-level ones are in endpoint-security.ts.
 */
import { Type } from '@sinclair/typebox';
import type { AuditRecord } from '../../store/index.js';
import { routeModule } from '../route-group.js';
import { findApplication } from '../lookups.js';
import { timeFilter } from '../list-filters.js';
import { mapPage, pageQuery } from '../pagination.js';
import { checkCidrs } from '../security-config.js';
import { bucketTokens } from '../rate-buckets.js';
import {
  AppParams,
  ListResponse,
  OrderedPageQuery,
  Ordering,
  PageQueryString,
  Timestamp,
  toIso,
} from '../schemas/common.js';
import {
  AuditRecordOut,
  DestinationRulesIn,
  DestinationRulesOut,
  EndpointRateOut,
} from '../schemas/security.js';

function auditOut(record: AuditRecord) {
  return {
    id: record.id,
    timestamp: toIso(record.createdAt),
    actor: record.actor,
    ip: record.ip,
    action: record.action,
    targetType: record.targetType,
    targetId: record.targetId,
    appId: record.appId,
    before: record.before,
    after: record.after,
  };
}

export const securityRoutes = routeModule({ tags: ['Herald'] }, (route, context) => {
  const { store, audit } = context;

  route.get(
    '/app/:app_id/ip-restrictions',
    {
      access: 'app',
      summary: "Get an application's allowed destination networks",
      params: AppParams,
      response: { 200: DestinationRulesOut },
    },
    async (request) => ({ allowedDestinationCidrs: request.application.allowedDestinationCidrs }),
  );

  route.put(
    '/app/:app_id/ip-restrictions',
    {
      access: 'admin',
      summary: "Set an application's allowed destination networks",
      description:
        'Herald: deliveries to every endpoint of the application connect only to addresses inside these ' +
        'CIDRs (and inside the endpoint’s own, when it has some); any other address fails with ' +
        '`ip_restricted` and is recorded in the audit log. Admin keys only, so that an application key cannot ' +
        'lift a limit its platform set. Workers pick a change up within 5 seconds. `null` removes it.',
      params: AppParams,
      body: DestinationRulesIn,
      response: { 200: DestinationRulesOut },
    },
    async (request) => {
      const before = await findApplication(store, request.params.app_id);
      const list = request.body.allowedDestinationCidrs;
      const cidrs = list === null ? null : checkCidrs(list, ['body', 'allowedDestinationCidrs']);
      await store.applicationUpdate(before.id, { allowedDestinationCidrs: cidrs });
      await audit.record(request, {
        action: 'application.ip_restrictions.changed',
        targetType: 'application',
        targetId: before.id,
        appId: before.id,
        before: { allowedDestinationCidrs: before.allowedDestinationCidrs },
        after: { allowedDestinationCidrs: cidrs },
      });
      return { allowedDestinationCidrs: cidrs };
    },
  );

  route.get(
    '/audit-log',
    {
      access: 'admin',
      summary: 'Read the audit log',
      description:
        'Herald: security events, newest first: who acted (API key id, `cli`, `system` or `anonymous`), from ' +
        'which IP, what, on what, and before/after values for configuration changes. Secrets are never ' +
        'recorded. `action` takes an exact action or a prefix ending in `.` (`endpoint.` for every endpoint ' +
        'action); `before` and `after` bound the time.',
      querystring: Type.Object({
        ...PageQueryString,
        order: Type.Optional(Ordering),
        app_id: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
        action: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
        actor: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
        target_id: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
        before: Type.Optional(Timestamp),
        after: Type.Optional(Timestamp),
      }),
      response: { 200: ListResponse(AuditRecordOut) },
    },
    async (request) => {
      const query = request.query;
      // An application uid works as well as its id; an unknown one simply matches nothing.
      const appId =
        query.app_id === undefined
          ? undefined
          : ((await store.applicationGet(query.app_id))?.id ?? query.app_id);
      const page = await store.auditList(
        {
          appId,
          action: query.action,
          actor: query.actor,
          targetId: query.target_id,
          before: timeFilter(query.before),
          after: timeFilter(query.after),
        },
        pageQuery(query, 'descending'),
      );
      return mapPage(page, auditOut);
    },
  );

  route.get(
    '/app/:app_id/rate-limit',
    {
      access: 'app',
      summary: "Where an application's endpoints stand against their rate limits",
      description:
        'Herald: for each endpoint, its `throttleRate`, the tokens in its bucket now (refilled to this moment; ' +
        'a delivery takes one), when the next token comes when the bucket is empty, and how many deliveries ' +
        'wait in the queue. Endpoints are listed as by GET …/endpoint.',
      params: AppParams,
      querystring: OrderedPageQuery,
      response: { 200: ListResponse(EndpointRateOut) },
    },
    async (request) => {
      const page = await store.endpointList(request.application.id, pageQuery(request.query, 'descending'));
      const ids = page.data.map((endpoint) => endpoint.id);
      const [buckets, pending] = await Promise.all([
        store.endpointRateGetMany(ids),
        store.deliveryCountPending(ids),
      ]);
      const now = Date.now();
      return mapPage(page, (endpoint) => {
        const rate = endpoint.throttleRate;
        const bucket = buckets.get(endpoint.id);
        const tokens = bucketTokens(rate, bucket, now);
        const nextTokenAt =
          rate === null || tokens === null || tokens >= 1
            ? null
            : toIso(now + Math.ceil(((1 - tokens) * 1000) / rate));
        return {
          endpointId: endpoint.id,
          endpointUid: endpoint.uid,
          throttleRate: rate,
          tokens: tokens === null ? null : Math.round(tokens * 1000) / 1000,
          capacity: rate,
          nextTokenAt,
          pending: pending.get(endpoint.id) ?? 0,
        };
      });
    },
  );
});
