/**
 * Declaring a route once. A route module makes a group with its tags, then declares each route with its access
 * and its documentation; the group adds what every route repeats: the tags, the standard error responses of an
 * authenticated route, and, for a route scoped to an application, a request whose `application` is known to be
 * there. The TypeBox schemas still type the handler's request and reply, as with fastify's own `app.get`.
 */
import type { TSchema } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type {
  ContextConfigDefault,
  FastifyReply,
  FastifyRequest,
  FastifySchema,
  HTTPMethods,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
  RouteGenericInterface,
  RouteHandlerMethod,
  RouteOptions,
} from 'fastify';
import type { Application } from '../store/index.js';
import type { Access } from './auth.js';
import type { ApiContext } from './context.js';
import { errorResponses } from './schemas/common.js';

/** How a route is reached and what its request may be, besides its schema. */
interface RouteSettings {
  /** Who may call the route; see auth.ts. */
  access: Access;
  /** With `access: 'app'`: the application may be missing (an admin may create it inline), so it may be null. */
  appOptional?: true;
  /** `false` for a route whose response must never be stored, such as one that returns a secret token. */
  idempotent?: false;
  bodyLimit?: number;
  /** The body may be left out: fastify validates a missing body as null, so the handler gets `{}` instead. */
  optionalBody?: true;
}

/** What the OpenAPI document says about a route, and the schemas requests and replies are checked against. */
interface RouteDocs {
  /** The group's tags when omitted. */
  tags?: string[];
  summary: string;
  description?: string;
  params?: TSchema;
  querystring?: TSchema;
  headers?: TSchema;
  body?: TSchema;
  /** The route's own answers; an authenticated route gets the standard error responses beside them. */
  response: Record<number, TSchema>;
}

/** A route kept out of the OpenAPI document. */
interface HiddenRoute {
  hide: true;
}

export type RouteDeclaration = RouteSettings & (RouteDocs | HiddenRoute);

/** The part of a declaration fastify and the type provider read as the route's schema. */
type SchemaOf<D> = FastifySchema & Pick<D, Extract<keyof D, keyof FastifySchema>>;

/** An app-scoped route always has its application: auth.ts answers 404 or 403 before the handler otherwise. */
type ApplicationOf<D> = D extends { appOptional: true }
  ? unknown
  : D extends { access: 'app' }
    ? { application: Application }
    : unknown;

export type RouteRequest<D> = FastifyRequest<
  RouteGenericInterface,
  RawServerDefault,
  RawRequestDefaultExpression,
  SchemaOf<D>,
  TypeBoxTypeProvider
> &
  ApplicationOf<D>;

export type RouteReply<D> = FastifyReply<
  RouteGenericInterface,
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  ContextConfigDefault,
  SchemaOf<D>,
  TypeBoxTypeProvider
>;

/** A handler whose answer is checked against the declared responses, as fastify checks its own handlers. */
export type RouteHandler<D> = (
  request: RouteRequest<D>,
  reply: RouteReply<D>,
) => ReturnType<
  RouteHandlerMethod<
    RawServerDefault,
    RawRequestDefaultExpression,
    RawReplyDefaultExpression,
    RouteGenericInterface,
    ContextConfigDefault,
    SchemaOf<D>,
    TypeBoxTypeProvider
  >
>;

type Declare = <const D extends RouteDeclaration>(
  url: string,
  declaration: D,
  handler: RouteHandler<D>,
) => void;

export interface RouteGroup {
  get: Declare;
  post: Declare;
  put: Declare;
  patch: Declare;
  delete: Declare;
}

type ApiInstance = Parameters<FastifyPluginAsyncTypebox>[0];

const emptyBodyWhenMissing = async (request: FastifyRequest) => {
  request.body ??= {};
};

/** The fastify route options a declaration stands for. */
export function routeOptions(
  method: HTTPMethods,
  url: string,
  declaration: RouteDeclaration,
  tags: string[] | undefined,
): Omit<RouteOptions, 'handler'> {
  const { access, appOptional, idempotent, bodyLimit, optionalBody, ...docs } = declaration;
  // The application is found from `app_id` in the path; without one the handler would have none.
  if (access === 'app' && !url.includes(':app_id'))
    throw new Error(`${method} ${url} is scoped to an application but has no :app_id in its path`);
  const groupTags = 'hide' in docs || docs.tags !== undefined || tags === undefined ? {} : { tags };
  const schema =
    'hide' in docs || access === 'public'
      ? { ...groupTags, ...docs }
      : { ...groupTags, ...docs, response: { ...docs.response, ...errorResponses } };
  return {
    method,
    url,
    config: {
      access,
      ...(appOptional && { appOptional }),
      ...(idempotent === false && { idempotent }),
    },
    schema,
    ...(bodyLimit !== undefined && { bodyLimit }),
    ...(optionalBody && { preValidation: emptyBodyWhenMissing }),
  };
}

interface RouteGroupDefaults {
  /** The tags of every route that names none of its own. */
  tags?: string[];
}

/** Declares routes on `app`, each tagged with `tags` unless it names its own. */
export function routeGroup(app: ApiInstance, { tags }: RouteGroupDefaults = {}): RouteGroup {
  const declare =
    (method: HTTPMethods): Declare =>
    (url, declaration, handler) => {
      // The handler's narrower request type is what auth.ts guarantees at run time; fastify cannot know it.
      app.route({ ...routeOptions(method, url, declaration, tags), handler } as RouteOptions);
    };
  return {
    get: declare('GET'),
    post: declare('POST'),
    put: declare('PUT'),
    patch: declare('PATCH'),
    delete: declare('DELETE'),
  };
}

/** A route module: given the API's context, the fastify plugin that declares its routes in one group. */
export function routeModule(
  defaults: RouteGroupDefaults,
  declare: (route: RouteGroup, context: ApiContext) => void,
): (context: ApiContext) => FastifyPluginAsyncTypebox {
  return (context) => async (app) => declare(routeGroup(app, defaults), context);
}
