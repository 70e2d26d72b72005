/**
 * Shaping a body: rendering a compiled template, or converting the standard JSON body, into the bytes an
 * endpoint receives and their content type. Failures are data (problems), never exceptions, so the delivery
 * loop records them and sends nothing.
 */
import type { Conversion, JsonObject, Message, Metadata } from '../store/index.js';
import type { CompiledTemplate } from './compile.js';
import { CONTENT_TYPE_HEADERS, checkOutput, finishOutput } from './content-types.js';
import { toForm, toXml } from './convert.js';
import { problemOf, renderParsed } from './engine.js';
import type { TemplateProblem } from './problems.js';

/** What a template can read. Times are ISO 8601 strings. */
export interface TemplateScope {
  event: {
    type: string;
    id: string;
    timestamp: string;
    eventId: string | null;
    channels: string[] | null;
    data: JsonObject;
  };
  endpoint: { id: string; uid: string | null; metadata: Metadata };
  app: { id: string; uid: string | null; name: string; metadata: Metadata };
}

export type Shaped =
  { ok: true; body: string; contentType: string } | { ok: false; problems: TemplateProblem[]; body?: string };

/**
 * Renders and checks the output for its content type. On failure the problems say where; a body that rendered
 * but is invalid comes back too, for test renders to show.
 */
export function renderTemplate(compiled: CompiledTemplate, scope: TemplateScope): Shaped {
  let body: string;
  try {
    body = finishOutput(compiled.contentType, renderParsed(compiled.templates, scope));
  } catch (error) {
    return { ok: false, problems: [problemOf(error)] };
  }
  const problems = checkOutput(compiled.contentType, body);
  if (problems.length > 0) return { ok: false, problems, body };
  return { ok: true, body, contentType: CONTENT_TYPE_HEADERS[compiled.contentType] };
}

/** The standard body, converted as the endpoint asks. */
export function convertBody(
  payload: JsonObject,
  conversion: Conversion,
): { body: string; contentType: string } {
  if (conversion === 'xml') return { body: toXml(payload), contentType: CONTENT_TYPE_HEADERS.xml };
  if (conversion === 'form') return { body: toForm(payload), contentType: CONTENT_TYPE_HEADERS.form };
  return { body: JSON.stringify(payload), contentType: CONTENT_TYPE_HEADERS.json };
}

/** The scope for one event going to one endpoint. */
export function scopeOf(
  message: Pick<Message, 'id' | 'eventType' | 'eventId' | 'channels' | 'createdAt'> & { payload: JsonObject },
  endpoint: TemplateScope['endpoint'],
  app: TemplateScope['app'],
): TemplateScope {
  return {
    event: {
      type: message.eventType,
      id: message.id,
      timestamp: new Date(message.createdAt).toISOString(),
      eventId: message.eventId,
      channels: message.channels,
      data: message.payload,
    },
    endpoint: { id: endpoint.id, uid: endpoint.uid, metadata: endpoint.metadata },
    app: { id: app.id, uid: app.uid, name: app.name, metadata: app.metadata },
  };
}
