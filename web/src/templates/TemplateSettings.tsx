/**
 * What a template renders (its content type) and what for: the event type from the catalogue, whose schema
 * checks its variables and whose example the preview uses, and the payload version its output is in.
 */
import type { EventType } from '../lib/types';
import { Field } from '../components/Field';
import { CONTENT_TYPES, type TemplateDraft } from './draft';

interface Props {
  draft: TemplateDraft;
  catalogue: EventType[];
  onContentType: (contentType: TemplateDraft['contentType']) => void;
  onEventType: (name: string) => void;
  onPayloadVersion: (version: string) => void;
}

export function TemplateSettings({ draft, catalogue, onContentType, onEventType, onPayloadVersion }: Props) {
  const chosen = catalogue.find((type) => type.name === draft.eventType);
  const versions = Object.keys(chosen?.schemas ?? {}).sort((a, b) => Number(a) - Number(b));
  const missing = draft.eventType !== '' && !chosen;
  return (
    <>
      <div className="grid-2">
        <Field
          label="Content type"
          hint={`Sent as content-type: ${CONTENT_TYPES.find((c) => c.value === draft.contentType)?.header}`}
        >
          <select
            value={draft.contentType}
            onChange={(e) => onContentType(e.target.value as TemplateDraft['contentType'])}
          >
            {CONTENT_TYPES.map((type) => (
              <option key={type.value} value={type.value}>
                {type.label}
              </option>
            ))}
          </select>
        </Field>
        <Field
          label="Event type (optional)"
          hint={
            chosen
              ? chosen.description
              : 'Choose the event the template is for: its schema checks the variables and its example fills the preview.'
          }
          error={missing ? `"${draft.eventType}" is not in the catalogue; choose another or none` : undefined}
        >
          <select value={draft.eventType} onChange={(e) => onEventType(e.target.value)}>
            <option value="">None (any event type)</option>
            {missing && <option value={draft.eventType}>{draft.eventType} (not in the catalogue)</option>}
            {catalogue.map((type) => (
              <option key={type.name} value={type.name}>
                {type.name}
                {type.deprecated ? ' (deprecated)' : ''}
              </option>
            ))}
          </select>
        </Field>
      </div>
      {versions.length > 0 && (
        <Field
          label="Output payload version (optional)"
          hint={`Say which version of ${chosen!.name} the output is in, for endpoints pinned to an older version; JSON output is then checked against that version's schema.`}
        >
          <select value={draft.payloadVersion} onChange={(e) => onPayloadVersion(e.target.value)}>
            <option value="">None (the output is a shape of its own)</option>
            {versions.map((version) => (
              <option key={version} value={version}>
                Version {version}
              </option>
            ))}
          </select>
        </Field>
      )}
    </>
  );
}
