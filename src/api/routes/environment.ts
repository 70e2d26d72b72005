/**
 * Svix's environment export and import, with Herald's superset: the whole platform (event types, applications,
 * endpoints, templates) as one document, secrets sealed with a passphrase. Admin only; see docs/api.md and the
 * threat model in docs/security.md.
 */
import { Type } from '@sinclair/typebox';
import { exportEnvironment } from '../environment-export.js';
import { importEnvironment } from '../environment-import.js';
import { routeModule } from '../route-group.js';
import { IdempotencyHeaders } from '../schemas/common.js';
import { EnvironmentExportIn, EnvironmentIn, EnvironmentOut } from '../schemas/environment.js';

/** Documents are large: a platform with many endpoints, templates and schemas. */
const DOCUMENT_LIMIT = 64 * 1024 * 1024;

export const environmentRoutes = routeModule({ tags: ['Environment', 'Herald'] }, (route, context) => {
  const { store, vault, audit, config } = context;

  route.post(
    '/environment/export',
    {
      access: 'admin',
      optionalBody: true,
      idempotent: false,
      summary: 'Export the environment',
      description:
        'The event types (as Svix) and, Herald: every application with its endpoints and every template with all ' +
        "its versions. With a `passphrase`, each endpoint's secrets, signing keys, custom headers and outbound " +
        'credentials are sealed with it in `sealed`; without one they are left out. Import the document into ' +
        'another Herald with POST /api/v1/environment/import.',
      headers: IdempotencyHeaders,
      body: Type.Union([EnvironmentExportIn, Type.Null()]),
      response: { 200: EnvironmentOut },
    },
    async (request) => {
      const passphrase = request.body?.passphrase;
      const document = await exportEnvironment(store, vault, passphrase);
      await audit.record(request, {
        action: 'environment.exported',
        after: {
          applications: document.applications.length,
          templates: document.templates.length,
          eventTypes: document.eventTypes.length,
          secretsSealed: passphrase !== undefined,
        },
      });
      return document;
    },
  );

  route.post(
    '/environment/import',
    {
      access: 'admin',
      bodyLimit: DOCUMENT_LIMIT,
      summary: 'Import an environment',
      description:
        'Event types are upserted by name, as in Svix. Herald: applications, endpoints and templates keep their ' +
        'ids; one already here (an application also by uid, an endpoint also by uid in its application) is left ' +
        'as it is, so only what is missing is added and importing twice changes nothing. Sealed secrets need ' +
        "the export's `passphrase`. Everything is checked before anything is written.",
      headers: IdempotencyHeaders,
      body: EnvironmentIn,
      response: { 204: Type.Null() },
    },
    async (request, reply) => {
      const counts = await importEnvironment(store, vault, config, request.body);
      await audit.record(request, { action: 'environment.imported', after: { ...counts } });
      return reply.status(204).send(null);
    },
  );
});
