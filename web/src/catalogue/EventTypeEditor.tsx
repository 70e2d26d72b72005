/**
 * Creates or edits an event type: name, description, deprecation, and JSON Schemas by version with an example
 * payload each, checked as you type. Application keys see it read-only.
 */
import { useEffect, useState, type FormEvent } from 'react';
import type { EventType } from '../lib/types';
import { enc } from '../lib/api';
import { Link, navigate } from '../lib/router';
import { useResource } from '../lib/use-resource';
import { useSession } from '../lib/session-context';
import { nameError } from '../lib/validate';
import { Field } from '../components/Field';
import { ErrorMessage, Loading, Notice } from '../components/states';
import { FormActions } from '../components/FormActions';
import { RetryScheduleCard } from './RetryScheduleCard';
import { SchemaVersions } from './SchemaVersions';
import { schemasOf, versionErrors, versionsOf, type VersionDraft } from './versions';

export function EventTypeEditor({ name }: { name?: string }) {
  const { api, session } = useSession();
  const existing = useResource(`event-type:${name ?? 'new'}`, () =>
    name ? api.get<EventType>(`/event-type/${enc(name)}`) : Promise.resolve(undefined),
  );
  const [newName, setNewName] = useState('');
  const [description, setDescription] = useState('');
  const [deprecated, setDeprecated] = useState(false);
  const [archived, setArchived] = useState(false);
  const [versions, setVersions] = useState<VersionDraft[]>([]);
  const [submitted, setSubmitted] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const type = existing.data;
    if (!type) return;
    setDescription(type.description);
    setDeprecated(type.deprecated);
    setArchived(type.archived);
    setVersions(versionsOf(type));
  }, [existing.data]);

  const readOnly = session.scoped;
  const errors = {
    name: name
      ? undefined
      : newName === ''
        ? 'give it a name, such as invoice.paid'
        : nameError(newName, 'The name'),
    description:
      description.trim() === ''
        ? 'describe when this event happens; customers read it when choosing events'
        : description.length > 4096
          ? 'at most 4096 characters'
          : undefined,
  };
  const versionProblems = versions.map(versionErrors);
  const allValid =
    Object.values(errors).every((e) => !e) && versionProblems.every((p) => !p.schema && !p.example);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    setNotice(null);
    if (!allValid) {
      setError('Some fields need fixing; they are marked above.');
      return;
    }
    setBusy(true);
    setError(null);
    const body = { description: description.trim(), deprecated, schemas: schemasOf(versions) };
    try {
      if (name) {
        await api.patch<EventType>(`/event-type/${enc(name)}`, { ...body, archived });
        setNotice('Saved.');
        await existing.reload();
      } else {
        const created = await api.post<EventType>('/event-type', { name: newName, ...body });
        navigate(`/event-types/${enc(created.name)}`);
      }
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  };

  if (name && existing.error) return <ErrorMessage error={existing.error} retry={existing.reload} />;
  if (name && !existing.data) return <Loading what="Loading the event type" />;
  const show = (field: keyof typeof errors) =>
    submitted || (field === 'name' ? newName !== '' : description !== '') ? errors[field] : undefined;
  return (
    <>
      <p className="eyebrow">
        <Link to="/event-types">Event types</Link>
      </p>
      <h1>{name ? <code>{name}</code> : 'New event type'}</h1>
      <form className="card form" onSubmit={save} noValidate aria-label="Event type">
        <fieldset disabled={readOnly} className="plain">
          {!name && (
            <Field
              label="Name"
              hint="Letters, digits, '.', '-' and '_'; usually noun.verb, such as invoice.paid."
              error={show('name')}
            >
              <input value={newName} onChange={(e) => setNewName(e.target.value)} spellCheck={false} />
            </Field>
          )}
          <Field label="Description" error={show('description')}>
            <textarea rows={2} value={description} onChange={(e) => setDescription(e.target.value)} />
          </Field>
          <label className="check">
            <input type="checkbox" checked={deprecated} onChange={(e) => setDeprecated(e.target.checked)} />
            <span>Deprecated (still sent; marked so customers move off it)</span>
          </label>
          {name && (
            <label className="check">
              <input type="checkbox" checked={archived} onChange={(e) => setArchived(e.target.checked)} />
              <span>Archived (hidden from the catalogue; endpoints cannot subscribe to it)</span>
            </label>
          )}
          <SchemaVersions versions={versions} onChange={setVersions} problems={versionProblems} />
        </fieldset>
        {notice && <Notice>{notice}</Notice>}
        {error && <ErrorMessage error={error} />}
        {!readOnly && (
          <FormActions
            busy={busy}
            submit={name ? 'Save event type' : 'Create event type'}
            out={{ to: '/event-types', label: name ? 'Back' : 'Cancel' }}
          />
        )}
      </form>
      {name && !readOnly && <RetryScheduleCard name={name} />}
    </>
  );
}
