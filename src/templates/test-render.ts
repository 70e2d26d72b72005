/**
 * Test renders (`POST /api/v1/template/{id}/render`): every check a save makes, then a real render within the
 * delivery limits, then the output checks, including JSON output against the schema of the payload version
 * the template says it produces.
 */
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { EventType, JsonObject, TemplateContent, TemplateVersion } from '../store/index.js';
import { checkTemplate, compile, compiledTemplates, type Compiled } from './compile.js';
import { CONTENT_TYPE_HEADERS } from './content-types.js';
import { problem, type TemplateProblem } from './problems.js';
import { renderTemplate, scopeOf, type TemplateScope } from './render.js';

const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

export interface RenderSample {
  eventType: string;
  payload: JsonObject;
  endpoint: TemplateScope['endpoint'];
  app: TemplateScope['app'];
}

export interface TestRender {
  ok: boolean;
  body: string | null;
  headers: Record<string, string>;
  errors: TemplateProblem[];
}

function schemaProblems(body: string, eventType: EventType, version: string): TemplateProblem[] {
  const schema = eventType.schemas?.[version];
  if (!schema) return [];
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  let validate;
  try {
    validate = ajv.compile(schema);
  } catch {
    return [];
  }
  if (validate(JSON.parse(body))) return [];
  return (validate.errors ?? [])
    .slice(0, 10)
    .map((error) =>
      problem(
        'output',
        `the output does not match payload version ${version} of ${eventType.name}: ` +
          `${error.instancePath || '(the body)'} ${error.message ?? 'is invalid'}`,
      ),
    );
}

/** `eventType` is the catalogue entry the version names (its `eventType`), if any. */
export function testRender(
  version: TemplateVersion,
  eventType: EventType | undefined,
  sample: RenderSample,
  now = Date.now(),
): TestRender {
  return renderChecked(version, compiledTemplates.get(version), eventType, sample, now);
}

/**
 * A test render of content that is not saved (the dashboard's live preview while a template is edited). It is
 * compiled afresh and never cached: the cache holds saved versions only, which never change.
 */
export function testRenderDraft(
  content: TemplateContent,
  eventType: EventType | undefined,
  sample: RenderSample,
  now = Date.now(),
): TestRender {
  return renderChecked(content, compile(content), eventType, sample, now);
}

function renderChecked(
  version: TemplateContent,
  compiled: Compiled,
  eventType: EventType | undefined,
  sample: RenderSample,
  now: number,
): TestRender {
  const errors = checkTemplate(version, eventType);
  if (!compiled.ok) return { ok: false, body: null, headers: {}, errors };
  const scope = scopeOf(
    {
      id: 'msg_example',
      eventType: sample.eventType,
      eventId: null,
      channels: null,
      createdAt: now,
      payload: sample.payload,
    },
    sample.endpoint,
    sample.app,
  );
  const shaped = renderTemplate(compiled.compiled, scope);
  const headers = { 'content-type': CONTENT_TYPE_HEADERS[version.contentType] };
  if (!shaped.ok)
    return { ok: false, body: shaped.body ?? null, headers, errors: [...errors, ...shaped.problems] };
  if (version.contentType === 'json' && version.payloadVersion !== null && eventType)
    errors.push(...schemaProblems(shaped.body, eventType, version.payloadVersion));
  return { ok: errors.length === 0, body: shaped.body, headers, errors };
}
