/**
 * Request validation. Bodies are checked strictly: a wrong type is an error, never silently coerced.
 * Query strings, path parameters and headers arrive as text, so there numbers and booleans are coerced.
 *
 * Validators and response serializers are compiled on a route's first use, not when the route is registered:
 * compiling all of them at startup generated several hundred functions that an idle process kept for nothing
 * (about 7 MB of heap and 15 MB of RSS, docs/performance.md). The compiled function is the same either way, so
 * answers and error messages are too.
 */
import { createRequire } from 'node:module';
import { Ajv, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchemaCompiler, FastifyServerOptions } from 'fastify';

type Validator = ReturnType<FastifySchemaCompiler<unknown>>;

// ajv-formats is CommonJS; under NodeNext its default export is the module object.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

function build(options: Options): Ajv {
  const ajv = new Ajv({
    allErrors: false,
    useDefaults: true,
    removeAdditional: true,
    strict: false,
    ...options,
  });
  addFormats(ajv);
  return ajv;
}

export function validatorCompiler(): FastifySchemaCompiler<unknown> {
  const strict = build({ coerceTypes: false });
  const coercing = build({ coerceTypes: 'array' });
  return ({ schema, httpPart }) => {
    let compiled: Validator | null = null;
    // fastify reads `errors` from the function it was given, so the compiled one's are copied across.
    const validate: Validator = (data) => {
      compiled ??= (httpPart === 'body' ? strict : coercing).compile(schema as object) as Validator;
      const valid = compiled(data);
      validate.errors = compiled.errors;
      return valid;
    };
    return validate;
  };
}

type SerializerFactory = NonNullable<
  NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>['buildSerializer']
>;

/**
 * fastify's own serializer factory (fast-json-stringify, with the server's options), taken from the copy that
 * fastify itself loads, and wrapped so that each response schema is compiled when first used.
 */
export function lazySerializerFactory(): SerializerFactory {
  const fromFastify = createRequire(createRequire(import.meta.url).resolve('fastify'));
  const selector = fromFastify('@fastify/fast-json-stringify-compiler') as {
    SerializerSelector(): SerializerFactory;
  };
  const factory = selector.SerializerSelector();
  return (externalSchemas, serializerOptions) => {
    const compile = factory(externalSchemas, serializerOptions);
    return (route) => {
      let serialize: ((data: unknown) => string) | null = null;
      return (data) => (serialize ??= compile(route))(data);
    };
  };
}
