/** The endpoint fields that decide the body it receives: template, payload version and format conversion. */
import { Type } from '@sinclair/typebox';
import { Nullable } from './common.js';
import { PayloadVersion } from './event-types.js';
import { TemplateId } from './templates.js';

export const ShapingSettings = {
  templateId: Type.Optional(
    Nullable(
      Type.Unsafe<string>({
        ...TemplateId,
        description:
          'Herald: the template that shapes the body this endpoint receives (see /api/v1/template); null for ' +
          'the standard JSON body',
      }),
    ),
  ),
  templateVersion: Type.Optional(
    Nullable(
      Type.Integer({
        minimum: 1,
        maximum: 2_147_483_647,
        description:
          'Herald: the template version to use; null follows the latest. Pin an earlier version to roll back.',
      }),
    ),
  ),
  payloadVersion: Type.Optional(
    Nullable(
      Type.Unsafe<string>({
        ...PayloadVersion,
        description:
          "Herald: the payload version this endpoint receives; null for the newest. Events arrive in their event type's " +
          'newest version: an endpoint pinned to another needs a template that maps into it, or its deliveries ' +
          'fail with template_error.',
      }),
    ),
  ),
  conversion: Type.Optional(
    Type.Union([Type.Literal('none'), Type.Literal('xml'), Type.Literal('form')], {
      description:
        'Herald: without a template, send the standard body as JSON (`none`, the default), converted to XML, or ' +
        'form-encoded (see docs/templates.md for the mapping)',
    }),
  ),
};

export const ShapingOut = {
  templateId: Nullable(Type.String()),
  templateVersion: Nullable(Type.Integer()),
  payloadVersion: Nullable(Type.String()),
  conversion: Type.String(),
};
