/**
 * The body an endpoint receives: Herald's standard JSON, a built-in conversion (XML, form), or a template,
 * following its latest version or pinned to one (pinning an earlier version is a rollback).
 */
import { useEffect, useId, useState, type FormEvent } from 'react';
import type { Conversion, Endpoint, Template } from '../lib/types';
import { enc } from '../lib/api';
import { Link } from '../lib/router';
import { useAction } from '../lib/use-action';
import { useResource } from '../lib/use-resource';
import { useSession } from '../lib/session-context';
import { ErrorMessage, Notice, ResourceState } from '../components/states';
import { SaveButton } from '../components/FormActions';

const CONVERSIONS: Array<{ value: Conversion; label: string }> = [
  { value: 'none', label: 'Standard JSON body' },
  { value: 'xml', label: 'Standard body converted to XML' },
  { value: 'form', label: 'Standard body converted to form encoding' },
];

/** One select chooses between conversions and templates: `conversion:xml` or `template:tmpl_…`. */
const choiceOf = (endpoint: Endpoint) =>
  endpoint.templateId ? `template:${endpoint.templateId}` : `conversion:${endpoint.conversion ?? 'none'}`;
const versionOf = (endpoint: Endpoint) =>
  endpoint.templateVersion === null || endpoint.templateVersion === undefined
    ? ''
    : String(endpoint.templateVersion);

interface Props {
  path: string;
  endpoint: Endpoint;
  onSaved: () => Promise<void>;
}

export function BodyFormatCard({ path, endpoint, onSaved }: Props) {
  const { api } = useSession();
  const templates = useResource('templates', () => api.all<Template>('/template'));
  const [choice, setChoice] = useState(choiceOf(endpoint));
  const [version, setVersion] = useState(versionOf(endpoint));
  const { busy, notice, error, run } = useAction();
  const bodyId = useId();
  const versionId = useId();

  // The endpoint reloads after a save or another change: show what it has now.
  useEffect(() => {
    setChoice(choiceOf(endpoint));
    setVersion(versionOf(endpoint));
  }, [endpoint]);

  const templateId = choice.startsWith('template:') ? choice.slice('template:'.length) : null;
  const template = templates.data?.find((t) => t.id === templateId);
  const unchanged = choice === choiceOf(endpoint) && version === versionOf(endpoint);

  const save = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      await api.patch(
        path,
        templateId
          ? { templateId, templateVersion: version === '' ? null : Number(version), conversion: 'none' }
          : { templateId: null, templateVersion: null, conversion: choice.slice('conversion:'.length) },
      );
      await onSaved();
      return templateId
        ? `Saved: the next deliveries are shaped by ${template?.name ?? 'the template'}, ${
            version === '' ? 'following its latest version' : `version ${version}`
          }.`
        : 'Saved: the next deliveries carry the standard body' +
            (choice === 'conversion:none' ? '.' : `, converted to ${choice.slice(11).toUpperCase()}.`);
    });
  };

  return (
    <section className="card" aria-labelledby="body-format-title">
      <h2 id="body-format-title">Body format</h2>
      <p className="muted small">
        For receivers that cannot take Herald&apos;s standard JSON. The signature covers the body as sent.
      </p>
      <ResourceState resource={templates} loading="Loading templates" />
      {templates.data && (
        <form onSubmit={save} noValidate aria-label="Body format">
          <div className="field">
            <label htmlFor={bodyId}>Body</label>
            <select
              id={bodyId}
              value={choice}
              onChange={(e) => {
                setChoice(e.target.value);
                setVersion('');
              }}
            >
              {CONVERSIONS.map((c) => (
                <option key={c.value} value={`conversion:${c.value}`}>
                  {c.label}
                </option>
              ))}
              {templates.data.length > 0 && (
                <optgroup label="Templates">
                  {templates.data.map((t) => (
                    <option key={t.id} value={`template:${t.id}`}>
                      Template: {t.name} ({t.contentType.toUpperCase()})
                    </option>
                  ))}
                </optgroup>
              )}
              {templateId && !template && (
                <option value={choice}>Template {templateId} (no longer exists)</option>
              )}
            </select>
            {templates.data.length === 0 && (
              <p className="hint">
                No templates yet; an admin creates them under <Link to="/templates">Templates</Link>.
              </p>
            )}
          </div>
          {template && (
            <div className="field">
              <label htmlFor={versionId}>Template version</label>
              <select id={versionId} value={version} onChange={(e) => setVersion(e.target.value)}>
                <option value="">Latest, following new versions (now {template.latestVersion})</option>
                {Array.from({ length: template.latestVersion }, (_, i) => template.latestVersion - i).map(
                  (v) => (
                    <option key={v} value={String(v)}>
                      Version {v} only (pinned)
                    </option>
                  ),
                )}
              </select>
              <p className="hint">
                <Link to={`/templates/${enc(template.id)}`}>Open {template.name}</Link> to see its versions
                and try it in the preview.
              </p>
            </div>
          )}
          {endpoint.payloadVersion && (
            <p className="hint">
              This endpoint receives payload version {endpoint.payloadVersion} of its event types.
            </p>
          )}
          <SaveButton busy={busy} label="Save body format" disabled={unchanged} />
        </form>
      )}
      {notice && <Notice>{notice}</Notice>}
      {error && <ErrorMessage error={error} />}
    </section>
  );
}
