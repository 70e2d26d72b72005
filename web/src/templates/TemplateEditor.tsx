/**
 * Creates or edits a template: its name, what it renders, and its Liquid source, with a live preview against
 * an event type's example and every problem shown at its line. Saving new content makes the next version.
 * Application keys can read and preview templates but not change them.
 */
import { useEffect, useState, type FormEvent } from 'react';
import type { EventType, JsonObject, Template, TemplateVersion } from '../lib/types';
import { enc } from '../lib/api';
import { pretty } from '../lib/format';
import { Link, navigate } from '../lib/router';
import { useResource } from '../lib/use-resource';
import { useSession } from '../lib/session-context';
import { valid } from '../lib/validate';
import { exampleOf } from '../catalogue/examples';
import { ConfirmButton } from '../components/ConfirmButton';
import { Field } from '../components/Field';
import { parseJson } from '../components/JsonEditor';
import { Badge } from '../components/StatusBadge';
import { ErrorMessage, Loading, Notice } from '../components/states';
import { FormActions } from '../components/FormActions';
import {
  contentOf,
  draftErrors,
  draftOf,
  editable,
  emptyDraft,
  sameContent,
  STARTERS,
  templateBody,
  type TemplateDraft,
} from './draft';
import { inOutput } from './problems';
import { TemplatePreview } from './TemplatePreview';
import { TemplateSettings } from './TemplateSettings';
import { TemplateSource } from './TemplateSource';
import { TemplateVersions } from './TemplateVersions';
import { useLivePreview } from './use-preview';

const exampleText = (catalogue: EventType[], name: string | null) => {
  const type = catalogue.find((t) => t.name === name);
  const example = type && exampleOf(type);
  return example ? pretty(example) : '';
};

export function TemplateEditor({ id }: { id?: string }) {
  const { api, session } = useSession();
  const loaded = useResource(`template:${id ?? 'new'}`, async () => {
    const [catalogue, template] = await Promise.all([
      api.all<EventType>('/event-type', { with_content: true }),
      id ? api.get<Template>(`/template/${enc(id)}`) : Promise.resolve(undefined),
    ]);
    return { catalogue, template };
  });
  const [saved, setSaved] = useState<Template | undefined>();
  const [draft, setDraft] = useState<TemplateDraft>(emptyDraft);
  const [payload, setPayload] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [asking, setAsking] = useState(false);

  useEffect(() => {
    const template = loaded.data?.template;
    if (!template) return;
    setSaved(template);
    setDraft(draftOf(template));
    setPayload(exampleText(loaded.data!.catalogue, template.eventType));
  }, [loaded.data]);

  const catalogue = loaded.data?.catalogue ?? [];
  const readOnly = session.scoped;
  const errors = draftErrors(draft);
  const parsedPayload = parseJson(payload);
  const payloadError =
    parsedPayload.error ??
    (parsedPayload.value !== undefined &&
    (typeof parsedPayload.value !== 'object' ||
      parsedPayload.value === null ||
      Array.isArray(parsedPayload.value))
      ? 'the payload must be a JSON object, such as {"id": 1}, or empty for the example'
      : undefined);
  const idleReason = errors.body
    ? 'Write the template to see its preview.'
    : payloadError
      ? 'Fix the example payload to see the preview.'
      : null;
  const preview = useLivePreview(
    idleReason === null && loaded.data
      ? {
          ...contentOf(draft),
          ...(parsedPayload.value !== undefined && { payload: parsedPayload.value as JsonObject }),
        }
      : null,
  );

  const change = (next: Partial<TemplateDraft>) => {
    setNotice(null);
    setAsking(false);
    setDraft((d) => ({ ...d, ...next }));
  };
  const chooseContentType = (contentType: TemplateDraft['contentType']) =>
    // A body still at the starting point follows the content type; one being written is left alone.
    change(
      draft.body.trim() === '' || draft.body === STARTERS[draft.contentType]
        ? { contentType, body: STARTERS[contentType] }
        : { contentType },
    );
  const chooseEventType = (eventType: string) => {
    change({ eventType, payloadVersion: '' });
    if (eventType !== '') setPayload(exampleText(catalogue, eventType));
  };
  const load = (version: TemplateVersion) => {
    change(editable(version));
    setNotice(`Version ${version.version} is in the editor; save to make it the next version.`);
  };

  // Saving checks the source, not the output, which depends on the data: a template whose preview output is
  // invalid saves, but deliveries like the example would fail. Ask first.
  const badOutput = !preview.rendering && (preview.result?.errors ?? []).some(inOutput);
  const save = async (event?: FormEvent, anyway = false) => {
    event?.preventDefault();
    setSubmitted(true);
    setNotice(null);
    setAsking(false);
    if (!valid(errors)) {
      setError('Some fields need fixing; they are marked above.');
      return;
    }
    if (badOutput && !anyway) {
      setError(null);
      setAsking(true);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      if (!saved) {
        const created = await api.post<Template>('/template', templateBody(draft));
        navigate(`/templates/${enc(created.id)}`);
        return;
      }
      const next = await api.put<Template>(`/template/${enc(saved.id)}`, templateBody(draft));
      setNotice(
        next.latestVersion > saved.latestVersion
          ? `Saved as version ${next.latestVersion}. Endpoints that follow the latest version use it from their next delivery.`
          : 'Saved. The content did not change, so there is no new version.',
      );
      setSaved(next);
      setDraft(draftOf(next));
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const remove = async () => {
    try {
      await api.del(`/template/${enc(saved!.id)}`);
      navigate('/templates');
    } catch (failure) {
      setError((failure as Error).message);
    }
  };

  if (loaded.error || !loaded.data || (id && !saved))
    return (
      <>
        <p className="eyebrow">
          <Link to="/templates">Templates</Link>
        </p>
        <h1>{id ? 'Template' : 'New template'}</h1>
        {loaded.error ? (
          <ErrorMessage error={loaded.error} retry={loaded.reload} />
        ) : (
          <Loading what="Loading the template" />
        )}
      </>
    );
  const changed =
    saved !== undefined &&
    (!sameContent(contentOf(draft), saved) ||
      draft.name.trim() !== saved.name ||
      draft.description.trim() !== saved.description);
  const show = (field: keyof typeof errors) =>
    submitted || (field === 'name' ? draft.name !== '' : true) ? errors[field] : undefined;

  return (
    <>
      <p className="eyebrow">
        <Link to="/templates">Templates</Link>
      </p>
      <div className="page-head">
        <div>
          <h1>{saved ? saved.name : 'New template'}</h1>
          {saved && (
            <p className="head-badges">
              <Badge tone="info">{`Version ${saved.latestVersion}`}</Badge>{' '}
              {changed && <Badge tone="warn">Unsaved changes</Badge>}
            </p>
          )}
        </div>
        {saved && !readOnly && (
          <div className="actions">
            <ConfirmButton
              label="Delete template"
              question="Delete this template with all its versions?"
              confirmLabel="Delete for good"
              danger
              onConfirm={remove}
            />
          </div>
        )}
      </div>
      {readOnly && (
        <p className="muted">
          Templates are managed by the platform; you can read them and try them in the preview.
        </p>
      )}
      <form className="template-layout" onSubmit={save} noValidate aria-label="Template editor">
        <div className="card">
          <fieldset disabled={readOnly} className="plain">
            <Field label="Name" error={show('name')}>
              <input value={draft.name} onChange={(e) => change({ name: e.target.value })} />
            </Field>
            <Field label="Description (optional)" error={show('description')}>
              <input value={draft.description} onChange={(e) => change({ description: e.target.value })} />
            </Field>
            <TemplateSettings
              draft={draft}
              catalogue={catalogue}
              onContentType={chooseContentType}
              onEventType={chooseEventType}
              onPayloadVersion={(payloadVersion) => change({ payloadVersion })}
            />
          </fieldset>
          <TemplateSource
            value={draft.body}
            onChange={(body) => change({ body })}
            problems={preview.result?.errors ?? []}
            error={show('body')}
            readOnly={readOnly}
            onStarter={() => change({ body: STARTERS[draft.contentType] })}
          />
          {notice && <Notice>{notice}</Notice>}
          {error && <ErrorMessage error={error} />}
          {asking && (
            <div
              className="confirm block-confirm"
              role="group"
              aria-label="Save a template with invalid output?"
            >
              <span>
                The preview&apos;s output is not valid, so deliveries with data like the example would fail
                with <code>template_error</code>. Save anyway?
              </span>
              <button type="button" className="primary" onClick={() => void save(undefined, true)}>
                Save anyway
              </button>
              <button type="button" onClick={() => setAsking(false)}>
                Keep editing
              </button>
            </div>
          )}
          {!readOnly && (
            <FormActions
              busy={busy}
              submit={saved ? 'Save template' : 'Create template'}
              out={{ to: '/templates', label: saved ? 'Back' : 'Cancel' }}
            />
          )}
        </div>
        <TemplatePreview
          payload={payload}
          onPayload={setPayload}
          payloadError={payloadError}
          exampleFrom={draft.eventType !== '' && payload !== '' ? draft.eventType : null}
          preview={preview}
          idleReason={idleReason}
        />
      </form>
      {saved && (
        <TemplateVersions
          templateId={saved.id}
          latestVersion={saved.latestVersion}
          onLoad={readOnly ? undefined : load}
        />
      )}
    </>
  );
}
