import { Type, type Static } from '@sinclair/typebox';
import { MAX_TEMPLATE_SOURCE } from '../../templates/limits.js';
import { EventTypeName, Metadata, Nullable, TEXT_PATTERN, Timestamp } from './common.js';
import { PayloadVersion } from './event-types.js';

export const TemplateId = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: '^tmpl_[0-9A-Za-z]+$',
  example: 'tmpl_01JDQ8Z5S3V6J8K2M4N7P9R1T3',
});

const Name = Type.String({ minLength: 1, maxLength: 256, pattern: TEXT_PATTERN, example: 'Slack message' });
const Description = Type.String({ maxLength: 4096, pattern: TEXT_PATTERN });
const ContentType = Type.Union(
  [Type.Literal('json'), Type.Literal('xml'), Type.Literal('form'), Type.Literal('text')],
  {
    description:
      'What the template renders: json (application/json), xml (application/xml), form ' +
      '(application/x-www-form-urlencoded) or text (text/plain). Sets the content-type header and how the output ' +
      'is checked.',
  },
);
const Body = Type.String({
  minLength: 1,
  maxLength: MAX_TEMPLATE_SOURCE,
  pattern: TEXT_PATTERN,
  description: 'The template in the Liquid language; see docs/templates.md for the variables and filters',
  example: '{"text": {{ event.type | json }}}',
});
const TemplateEventType = Nullable(
  Type.Unsafe<string>({
    ...EventTypeName,
    description:
      'The event type the template is written for: variables are checked against its schema, and test renders use its example',
  }),
);
const TemplatePayloadVersion = Nullable(
  Type.Unsafe<string>({
    ...PayloadVersion,
    description:
      'The payload version of eventType that the output is in; JSON output is checked against its schema',
  }),
);

/** The content of a version: what editing changes. */
const ContentFields = {
  contentType: ContentType,
  body: Body,
  eventType: Type.Optional(TemplateEventType),
  payloadVersion: Type.Optional(TemplatePayloadVersion),
};

export const TemplateIn = Type.Object({
  name: Name,
  description: Type.Optional(Description),
  ...ContentFields,
});
export type TemplateIn = Static<typeof TemplateIn>;

export const TemplatePatch = Type.Object({
  name: Type.Optional(Name),
  description: Type.Optional(Description),
  contentType: Type.Optional(ContentType),
  body: Type.Optional(Body),
  eventType: Type.Optional(TemplateEventType),
  payloadVersion: Type.Optional(TemplatePayloadVersion),
});
export type TemplatePatch = Static<typeof TemplatePatch>;

const VersionContentOut = {
  contentType: Type.String(),
  body: Type.String(),
  eventType: Nullable(Type.String()),
  payloadVersion: Nullable(Type.String()),
};

export const TemplateOut = Type.Object({
  id: Type.String({ example: 'tmpl_01JDQ8Z5S3V6J8K2M4N7P9R1T3' }),
  name: Type.String(),
  description: Type.String(),
  latestVersion: Type.Integer({ description: 'The newest version; the content fields are its content' }),
  ...VersionContentOut,
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const TemplateVersionOut = Type.Object({
  templateId: Type.String(),
  version: Type.Integer(),
  ...VersionContentOut,
  createdAt: Timestamp,
});

export const TemplateParams = Type.Object({ template_id: TemplateId });
export const TemplateVersionParams = Type.Object({
  template_id: TemplateId,
  version: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }),
});

export const TemplateProblemOut = Type.Object({
  kind: Type.String({
    description: 'syntax, unknown_filter, unknown_variable, render, output or binding',
  }),
  message: Type.String(),
  line: Nullable(
    Type.Integer({ description: 'In the template source; in the output for `output` problems' }),
  ),
  column: Nullable(Type.Integer()),
});

/** What a test render renders against: the event's data, and the endpoint's and application's fields. */
const SampleFields = {
  payload: Type.Optional(
    Type.Object(
      {},
      {
        additionalProperties: true,
        description:
          "The event's data; the event type's example (its newest schema's first example) if omitted",
      },
    ),
  ),
  endpoint: Type.Optional(
    Type.Object({
      uid: Type.Optional(Nullable(Type.String({ maxLength: 256 }))),
      metadata: Type.Optional(Metadata),
    }),
  ),
  app: Type.Optional(
    Type.Object({
      uid: Type.Optional(Nullable(Type.String({ maxLength: 256 }))),
      name: Type.Optional(Type.String({ maxLength: 256 })),
      metadata: Type.Optional(Metadata),
    }),
  ),
};

export const TemplateRenderIn = Type.Object({
  version: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: 2_147_483_647,
      description: 'The version to render; the latest if omitted',
    }),
  ),
  eventType: Type.Optional(
    Type.Unsafe<string>({
      ...EventTypeName,
      description: "The event's type; the template's own eventType if omitted",
    }),
  ),
  ...SampleFields,
});
export type TemplateRenderIn = Static<typeof TemplateRenderIn>;

export const TemplateRenderOut = Type.Object({
  ok: Type.Boolean({ description: 'Whether the body would be sent' }),
  version: Type.Integer(),
  body: Nullable(Type.String({ description: 'The rendered body; null when rendering failed' })),
  headers: Type.Record(Type.String(), Type.String(), { description: 'Headers the body is sent with' }),
  errors: Type.Array(TemplateProblemOut),
});

/** Content that is not saved yet, rendered as a saved version would be: the editor's live preview. */
export const TemplateDraftRenderIn = Type.Object({
  ...ContentFields,
  ...SampleFields,
});
export type TemplateDraftRenderIn = Static<typeof TemplateDraftRenderIn>;

export const TemplateDraftRenderOut = Type.Omit(TemplateRenderOut, ['version']);
