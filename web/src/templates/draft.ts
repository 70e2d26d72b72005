/**
 * The template editor's state, the checks it runs as you type (the API's own limits; the template itself is
 * checked by the server's live preview), and the bodies that save it.
 */
import type { Template, TemplateContent, TemplateContentType } from '../lib/types';

/** The longest template source the API takes, in characters. */
export const MAX_SOURCE = 64 * 1024;

export interface TemplateDraft {
  name: string;
  description: string;
  contentType: TemplateContentType;
  body: string;
  /** '' for none. */
  eventType: string;
  /** '' for none. */
  payloadVersion: string;
}

export const CONTENT_TYPES: Array<{ value: TemplateContentType; label: string; header: string }> = [
  { value: 'json', label: 'JSON', header: 'application/json' },
  { value: 'xml', label: 'XML', header: 'application/xml' },
  { value: 'form', label: 'Form', header: 'application/x-www-form-urlencoded' },
  { value: 'text', label: 'Text', header: 'text/plain; charset=utf-8' },
];

/** Where a new template starts, for each content type: short, valid, and showing the `event` variables. */
export const STARTERS: Record<TemplateContentType, string> = {
  json: '{\n  "type": {{ event.type | json }},\n  "id": {{ event.id | json }},\n  "data": {{ event.data | json }}\n}',
  xml: '<?xml version="1.0" encoding="UTF-8"?>\n<event type="{{ event.type | xml_escape }}">\n  <id>{{ event.id | xml_escape }}</id>\n</event>',
  form: 'type={{ event.type | url_encode }}&id={{ event.id | url_encode }}',
  text: '{{ event.type }} happened at {{ event.timestamp }}',
};

export const emptyDraft = (): TemplateDraft => ({
  name: '',
  description: '',
  contentType: 'json',
  body: STARTERS.json,
  eventType: '',
  payloadVersion: '',
});

export function draftOf(template: Template): TemplateDraft {
  return {
    name: template.name,
    description: template.description,
    ...editable(template),
  };
}

/** The content fields of a saved version, as the form holds them. */
export function editable(content: TemplateContent): Omit<TemplateDraft, 'name' | 'description'> {
  return {
    contentType: content.contentType,
    body: content.body,
    eventType: content.eventType ?? '',
    payloadVersion: content.payloadVersion ?? '',
  };
}

export function contentOf(draft: TemplateDraft): TemplateContent {
  return {
    contentType: draft.contentType,
    body: draft.body,
    eventType: draft.eventType === '' ? null : draft.eventType,
    payloadVersion: draft.eventType === '' || draft.payloadVersion === '' ? null : draft.payloadVersion,
  };
}

/** The body of POST and PUT /template. */
export function templateBody(draft: TemplateDraft) {
  return { name: draft.name.trim(), description: draft.description.trim(), ...contentOf(draft) };
}

export function sameContent(a: TemplateContent, b: TemplateContent): boolean {
  return (
    a.contentType === b.contentType &&
    a.body === b.body &&
    a.eventType === b.eventType &&
    a.payloadVersion === b.payloadVersion
  );
}

export function draftErrors(draft: TemplateDraft) {
  const name = draft.name.trim();
  return {
    name:
      name === ''
        ? 'give the template a name, such as "Slack message"'
        : name.length > 256
          ? 'the name can be at most 256 characters'
          : undefined,
    description: draft.description.length > 4096 ? 'at most 4096 characters' : undefined,
    body:
      draft.body.trim() === ''
        ? 'write the template, or start from the example (the button below the editor)'
        : draft.body.length > MAX_SOURCE
          ? `the template is ${draft.body.length} characters; it can be at most ${MAX_SOURCE}`
          : draft.body.includes('\u0000')
            ? 'the template contains a NUL character; remove it'
            : undefined,
  };
}
