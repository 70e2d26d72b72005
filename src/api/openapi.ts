import type { SwaggerOptions } from '@fastify/swagger';
import type { Config } from '../config/config.js';

/**
 * The OpenAPI document Herald serves at /api/v1/openapi.json. Paths and fields follow the Svix v1 contract;
 * Herald's own additions are tagged so they are easy to tell apart.
 */
export function openApiOptions(config: Config): SwaggerOptions {
  return {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Herald API',
        version: '1.0.0',
        description:
          'Herald is a self-hosted webhook delivery service. Its API is a superset of the Svix API v1: the official ' +
          'Svix SDKs work against it. Herald-only additions are tagged "Herald".',
      },
      servers: [{ url: config.publicUrl }],
      components: {
        securitySchemes: {
          HTTPBearer: {
            type: 'http',
            scheme: 'bearer',
            description: 'An admin or application-scoped API key',
          },
        },
      },
      security: [{ HTTPBearer: [] }],
      tags: [
        { name: 'Application' },
        { name: 'Endpoint' },
        { name: 'Event Type' },
        { name: 'Message' },
        { name: 'Message Attempt' },
        { name: 'Health' },
        { name: 'Authentication' },
        { name: 'Background Task', description: 'Work an operation started and runs after answering 202' },
        { name: 'Statistics' },
        { name: 'Webhook Endpoint', description: 'Operational-webhook endpoints' },
        { name: 'Environment', description: 'The whole platform as one document, to move or restore it' },
        { name: 'Herald', description: 'Capabilities Herald adds to the Svix API' },
      ],
    },
    // Shared schemas (see sharedSchemas) appear under their own name, as in Svix's document.
    refResolver: {
      buildLocalReference: (json, _base, _fragment, i) =>
        typeof json.$id === 'string' ? json.$id : `def-${i}`,
    },
    transform: ({ schema, url, route }) => {
      const transformed = { ...(schema as object) } as Record<string, unknown>;
      if (route.config?.access === 'public') transformed.security = [];
      return { schema: transformed as never, url };
    },
  };
}
