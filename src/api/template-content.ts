/**
 * A template's content as the API takes it: read from a request body, checked before it is stored (the same
 * checks as a test render, so a save never stores content that cannot render), and saved as a new immutable
 * version only when it differs from the latest one.
 */
import type { EventType, Store, Template, TemplateContent, TemplateVersion } from '../store/index.js';
import { checkTemplate } from '../templates/compile.js';
import { describeProblem, type TemplateProblem } from '../templates/problems.js';
import type { Audit } from './audit.js';
import { type HttpError, notFound, unprocessable } from './errors.js';

/** The content fields of a request body in store form: the optional ones are null when left out. */
export function contentOf(body: {
  contentType: TemplateContent['contentType'];
  body: string;
  eventType?: string | null | undefined;
  payloadVersion?: string | null | undefined;
}): TemplateContent {
  return {
    contentType: body.contentType,
    body: body.body,
    eventType: body.eventType ?? null,
    payloadVersion: body.payloadVersion ?? null,
  };
}

/** The event type the content is bound to, whose newest schema limits the variables it may use. */
export async function boundEventType(store: Store, content: TemplateContent): Promise<EventType | undefined> {
  return content.eventType === null ? undefined : await store.eventTypeGet(content.eventType);
}

/** A 422 that lists each problem with where it is: the field, and the line and column in the template. */
function invalidTemplate(problems: TemplateProblem[]): HttpError {
  return unprocessable(
    problems.map((p) => ({
      loc: ['body', p.kind === 'binding' ? 'eventType' : 'body'],
      msg: p.line === null ? p.message : `has a problem at ${describeProblem(p)}`,
      type: `template.${p.kind}`,
      line: p.line,
      column: p.column,
    })),
  );
}

/** Refuses content with any problem a save can find; returns it unchanged. */
export async function checkedContent(store: Store, content: TemplateContent): Promise<TemplateContent> {
  const problems = checkTemplate(content, await boundEventType(store, content));
  if (problems.length > 0) throw invalidTemplate(problems);
  return content;
}

const sameContent = (a: TemplateContent, b: TemplateContent) =>
  a.contentType === b.contentType &&
  a.body === b.body &&
  a.eventType === b.eventType &&
  a.payloadVersion === b.payloadVersion;

/**
 * Saves `content` as the next version unless it equals the latest, applies name and description, and records
 * the change when there is one. Returns the template and its latest version after the save.
 */
export async function templateSave(
  { store, audit }: { store: Store; audit: Audit },
  request: Parameters<Audit['record']>[0],
  current: { template: Template; latest: TemplateVersion },
  content: TemplateContent,
  meta: { name?: string | undefined; description?: string | undefined },
): Promise<{ template: Template; latest: TemplateVersion }> {
  let latest = current.latest;
  if (!sameContent(content, current.latest)) {
    const created = await store.templateVersionCreate(
      current.template.id,
      await checkedContent(store, content),
    );
    if (!created) throw notFound('template', current.template.id);
    latest = created;
  }
  const renamed = meta.name !== undefined && meta.name !== current.template.name;
  const described = meta.description !== undefined && meta.description !== current.template.description;
  const template =
    renamed || described || latest !== current.latest
      ? await store.templateUpdate(current.template.id, {
          ...(renamed && { name: meta.name }),
          ...(described && { description: meta.description }),
        })
      : current.template;
  if (!template) throw notFound('template', current.template.id);
  if (latest !== current.latest || renamed || described)
    await audit.record(request, {
      action: 'template.updated',
      targetType: 'template',
      targetId: template.id,
      before: { version: current.latest.version, name: current.template.name },
      after: { version: latest.version, name: template.name },
    });
  return { template, latest };
}
