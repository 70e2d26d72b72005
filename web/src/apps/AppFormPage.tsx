/** Create an application, or change one's name, uid and rate limit. */
import { useEffect, useState, type FormEvent } from 'react';
import type { Application } from '../lib/types';
import { enc } from '../lib/api';
import { navigate } from '../lib/router';
import { useResource } from '../lib/use-resource';
import { useSession } from '../lib/session-context';
import { intError, nameError, optionalInt, valid } from '../lib/validate';
import { Field } from '../components/Field';
import { ErrorMessage, ResourceState } from '../components/states';
import { FormActions } from '../components/FormActions';

export function AppFormPage({ appId }: { appId?: string }) {
  const { api } = useSession();
  const existing = useResource(`app:${appId ?? 'new'}`, () =>
    appId ? api.get<Application>(`/app/${enc(appId)}`) : Promise.resolve(null),
  );
  const [name, setName] = useState('');
  const [uid, setUid] = useState('');
  const [rate, setRate] = useState('');
  const [touched, setTouched] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const app = existing.data;
    if (!app) return;
    setName(app.name);
    setUid(app.uid ?? '');
    setRate(app.throttleRate === null ? '' : String(app.throttleRate));
  }, [existing.data]);

  const errors = {
    name: name.trim() === '' ? 'give the application a name, such as the customer it stands for' : undefined,
    uid: nameError(uid.trim(), 'The UID'),
    rate: intError(rate, 1, 65535),
  };
  const show = (field: keyof typeof errors) =>
    touched || (field !== 'name' && errors[field]) ? errors[field] : undefined;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (!valid(errors)) return;
    setBusy(true);
    setError(null);
    const body = { name: name.trim(), uid: uid.trim() || null, throttleRate: optionalInt(rate) };
    try {
      const saved = appId
        ? await api.patch<Application>(`/app/${enc(appId)}`, body)
        : await api.post<Application>('/app', body);
      navigate(`/apps/${enc(saved.id)}`);
    } catch (failure) {
      setError((failure as Error).message);
      setBusy(false);
    }
  };

  if (appId && !existing.data) return <ResourceState resource={existing} loading="Loading the application" />;
  const back = appId ? `/apps/${enc(appId)}` : '/';
  return (
    <>
      <h1>{appId ? `Edit ${existing.data?.name}` : 'New application'}</h1>
      <form className="card form" onSubmit={submit} noValidate>
        <Field label="Name" error={show('name')}>
          <input value={name} onChange={(e) => setName(e.target.value)} maxLength={256} required />
        </Field>
        <Field
          label="UID (optional)"
          hint="Your own identifier for this customer, such as your account id. It works anywhere the app_… id does."
          error={show('uid')}
        >
          <input value={uid} onChange={(e) => setUid(e.target.value)} spellCheck={false} />
        </Field>
        <Field
          label="Rate limit (optional)"
          hint="Messages per second; blank for no limit."
          error={show('rate')}
        >
          <input value={rate} onChange={(e) => setRate(e.target.value)} inputMode="numeric" />
        </Field>
        {error && <ErrorMessage error={error} />}
        <FormActions busy={busy} submit={appId ? 'Save' : 'Create application'} out={{ to: back }} />
      </form>
    </>
  );
}
