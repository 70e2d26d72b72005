/**
 * Every operation of Svix's full OpenAPI document, each with its standing in Herald: served, planned, or not
 * offered with the reason. An operation is served when Herald's own document has the same method and path (path
 * parameters compared by position, not name).
 */

export interface OpenApiOperation {
  operationId?: string;
  summary?: string;
  tags?: string[];
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
}

export const METHODS = ['get', 'head', 'post', 'put', 'patch', 'delete'] as const;

/**
 * The parts of Svix's API that Herald does not offer, with why. The first rule whose pattern matches an
 * operation's path applies; `reason` goes in the operation's row, `detail` once below the tables.
 */
export const NOT_OFFERED: ReadonlyArray<{ pattern: RegExp; reason: string; detail: string }> = [
  {
    pattern: /^\/ingest\/|\/inbound\//,
    reason: 'Svix Ingest: a separate product',
    detail: 'receiving webhooks from other services, with its own sources, endpoints and inbound URLs',
  },
  {
    pattern: /^\/api\/v1\/(auth\/)?stream|\/stream\/|^\/api\/v1\/events$/,
    reason: 'streams: a separate product',
    detail: "Svix Stream's streams, sinks and event feeds, including the feed of operational events",
  },
  {
    pattern: /\/destination(\/|$)/,
    reason: 'destinations: a separate product',
    detail: "an application's non-endpoint destinations, delivered and retried by Svix's streaming machinery",
  },
  {
    pattern: /\/integration(\/|$)|\/connector(\/|$)|\/auto-config(\/|$)/,
    reason: 'integrations and connectors: separate products',
    detail: "Svix's third-party integrations, its catalogue of connectors and Webhooks AutoConfig",
  },
  {
    pattern: /\/endpoint\/\{[^}]+\}\/(mtls|ca)(-config)?$/,
    reason: 'endpoint mTLS: not offered',
    detail:
      'client certificates and custom server CAs per endpoint; Herald verifies endpoints against the system CAs',
  },
  {
    pattern: /mcp-token/,
    reason: 'MCP tokens: no MCP server',
    detail: "tokens for Svix's Model Context Protocol server, which Herald does not have",
  },
  {
    pattern: /^\/api\/v1\/management\/|\/org-group-admin-token/,
    reason: 'organisation management: one environment',
    detail:
      "Svix's organisations, environments, members and organisation tokens; a Herald deployment is one " +
      'environment, whose keys are managed at `/api/v1/api-key`',
  },
];

/** The parts of Svix's API that Herald means to serve in full (issue 17); what is missing there is planned. */
export const IN_SCOPE: readonly RegExp[] = [
  /^\/api\/v1\/app(\/|$)/,
  /^\/api\/v1\/event-type(\/|$)/,
  /^\/api\/v1\/background-task(\/|$)/,
  /^\/api\/v1\/operational-webhook\//,
  /^\/api\/v1\/stats\//,
  /^\/api\/v1\/environment\//,
  /^\/api\/v1\/auth\//,
  /^\/api\/v1\/msg\//,
  /^\/api\/v1\/health$/,
];

export type Standing = { kind: 'served' } | { kind: 'planned' } | { kind: 'not-offered'; reason: string };

export interface SvixOperation {
  method: string;
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  /** Whether the open-source Svix server's document has it. */
  openSource: boolean;
  /** Whether Svix's full document has it. */
  full: boolean;
  standing: Standing;
}

/** `/api/v1/app/{app_id}/msg` and `/api/v1/app/{id}/msg` are the same route. */
export function routeKey(method: string, path: string): string {
  return `${method.toUpperCase()} ${path.replace(/\{[^}]+\}/g, '{}')}`;
}

export function operationsOf(
  document: OpenApiDocument,
): Array<{ method: string; path: string; op: OpenApiOperation }> {
  const found = [];
  for (const [path, operations] of Object.entries(document.paths))
    for (const method of METHODS) {
      const op = operations[method];
      if (op) found.push({ method, path, op });
    }
  return found;
}

/**
 * Every operation of Svix's full document, then those only the open-source server's has. A HEAD is served when
 * its GET is: fastify answers HEAD for every GET route without listing it in the document.
 */
export function classify(
  full: OpenApiDocument,
  openSource: OpenApiDocument,
  herald: OpenApiDocument,
): SvixOperation[] {
  const served = new Set(
    operationsOf(herald).flatMap(({ method, path }) => [
      routeKey(method, path),
      ...(method === 'get' ? [routeKey('head', path)] : []),
    ]),
  );
  const inFull = new Set(operationsOf(full).map(({ method, path }) => routeKey(method, path)));
  const inOpenSource = new Set(operationsOf(openSource).map(({ method, path }) => routeKey(method, path)));
  const openSourceOnly = operationsOf(openSource).filter(
    ({ method, path }) => !inFull.has(routeKey(method, path)),
  );
  return [...operationsOf(full), ...openSourceOnly].map(({ method, path, op }) => {
    const key = routeKey(method, path);
    return {
      method: method.toUpperCase(),
      path,
      operationId: op.operationId ?? '',
      summary: op.summary ?? '',
      tag: op.tags?.[0] ?? 'Other',
      openSource: inOpenSource.has(key),
      full: inFull.has(key),
      standing: standingOf(path, served.has(key)),
    };
  });
}

function standingOf(path: string, served: boolean): Standing {
  if (served) return { kind: 'served' };
  const rule = NOT_OFFERED.find(({ pattern }) => pattern.test(path));
  if (rule) return { kind: 'not-offered', reason: rule.reason };
  if (IN_SCOPE.some((pattern) => pattern.test(path))) return { kind: 'planned' };
  throw new Error(
    `${path} is neither served by Herald, planned, nor given a reason: add a rule to NOT_OFFERED or IN_SCOPE ` +
      'in scripts/compat-doc/operations.ts',
  );
}

/** Herald's operations that Svix's full document does not have. */
export function heraldOnly(full: OpenApiDocument, openSource: OpenApiDocument, herald: OpenApiDocument) {
  const svix = new Set(
    [...operationsOf(full), ...operationsOf(openSource)].map(({ method, path }) => routeKey(method, path)),
  );
  return operationsOf(herald)
    .filter(({ method, path }) => !svix.has(routeKey(method, path)))
    .map(({ method, path, op }) => ({ method: method.toUpperCase(), path, summary: op.summary ?? '' }));
}
