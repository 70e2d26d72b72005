/** An endpoint's custom headers and signing secret: the settings that hold credentials. */
import { Type } from '@sinclair/typebox';
import { routeModule } from '../route-group.js';
import { EndpointSecrets } from '../../signing/secrets.js';
import { checkHeaders } from '../endpoint-config.js';
import { declareCredentialRoutes, writeEndpointHeaders } from '../endpoint-credentials.js';
import { unprocessable } from '../errors.js';
import { EndpointHeadersPatchIn, EndpointParams } from '../schemas/endpoints.js';

export const endpointSettingRoutes = routeModule({ tags: ['Endpoint'] }, (route, context) => {
  const secrets = new EndpointSecrets(context.vault);

  route.patch(
    '/app/:app_id/endpoint/:endpoint_id/headers',
    {
      access: 'app',
      summary: "Change some of an endpoint's custom headers",
      description:
        'Headers in `headers` are added or changed, and removed when set to null. Headers named in ' +
        '`deleteHeaders` are removed. Names are matched case-insensitively; a header may not be both set ' +
        'and deleted.',
      params: EndpointParams,
      body: EndpointHeadersPatchIn,
      response: { 204: Type.Null() },
    },
    async (request, reply) => {
      const { headers, deleteHeaders = [] } = request.body;
      checkHeaders(headers);
      const deleted = new Set(deleteHeaders.map((name) => name.toLowerCase()));
      const setAndDeleted = Object.entries(headers)
        .filter(([name, value]) => value !== null && deleted.has(name.toLowerCase()))
        .map(([name]) => name);
      if (setAndDeleted.length > 0)
        throw unprocessable(
          setAndDeleted.map((name) => ({
            loc: ['body', 'headers', name],
            msg: 'is also in deleteHeaders; set or delete each header, not both',
            type: 'value_error.conflict',
          })),
        );
      const change = (current: Record<string, string>) => {
        const next = { ...current };
        const remove = (name: string) => {
          for (const existing of Object.keys(next))
            if (existing.toLowerCase() === name.toLowerCase()) delete next[existing];
        };
        for (const name of deleteHeaders) remove(name);
        for (const [name, value] of Object.entries(headers)) {
          remove(name);
          if (value !== null) next[name] = value;
        }
        return next;
      };
      const { id: appId } = request.application;
      await writeEndpointHeaders(context, secrets, appId, request.params.endpoint_id, request, change);
      return reply.status(204).send(null);
    },
  );

  declareCredentialRoutes(route, context, secrets, {
    url: '/app/:app_id/endpoint/:endpoint_id',
    noun: 'an endpoint',
  });
});
