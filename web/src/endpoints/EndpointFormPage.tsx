/** Create an endpoint, or edit one: URL, event types, delivery settings and custom headers. */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { Endpoint, EndpointHeaders, EventType } from '../lib/types';
import { ApiError, enc } from '../lib/api';
import { navigate } from '../lib/router';
import { useResource } from '../lib/use-resource';
import { useSession } from '../lib/session-context';
import { valid } from '../lib/validate';
import { ErrorMessage, ResourceState } from '../components/states';
import { FormActions } from '../components/FormActions';
import { AppHeader } from '../apps/AppHeader';
import {
  draftErrors,
  draftOf,
  emptyDraft,
  endpointBody,
  headersPatch,
  newHeaders,
  type EndpointDraft,
  type HeaderRow,
} from './draft';
import { EndpointFields } from './EndpointFields';

interface Loaded {
  catalogue: EventType[];
  endpoint?: Endpoint;
  headers?: EndpointHeaders;
}

export function EndpointFormPage({ appId, endpointId }: { appId: string; endpointId?: string }) {
  const { api } = useSession();
  const appPath = `/app/${enc(appId)}`;
  const loaded = useResource(`endpoint-form:${appId}:${endpointId ?? 'new'}`, async (): Promise<Loaded> => {
    const catalogue = await api.all<EventType>('/event-type', { with_content: true });
    if (!endpointId) return { catalogue };
    const [endpoint, headers] = await Promise.all([
      api.get<Endpoint>(`${appPath}/endpoint/${enc(endpointId)}`),
      api.get<EndpointHeaders>(`${appPath}/endpoint/${enc(endpointId)}/headers`),
    ]);
    return { catalogue, endpoint, headers };
  });
  const [draft, setDraft] = useState<EndpointDraft>(emptyDraft);
  const original = useRef<HeaderRow[]>([]);
  const [submitted, setSubmitted] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  /** What the server refused, by the field it named; cleared by the next edit. */
  const [refused, setRefused] = useState<Record<string, string>>({});

  useEffect(() => {
    const { endpoint, headers } = loaded.data ?? {};
    if (!endpoint || !headers) return;
    const next = draftOf(endpoint, headers);
    original.current = next.headers;
    setDraft(next);
  }, [loaded.data]);

  const errors = draftErrors(draft);
  const shown = { ...errors };
  for (const field of Object.keys(errors) as Array<keyof typeof errors>) shown[field] ??= refused[field];
  const edit = (next: EndpointDraft) => {
    setRefused({});
    setDraft(next);
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (!valid(errors)) {
      setError('Some fields need fixing; they are marked above.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      let saved: Endpoint;
      if (endpointId) {
        const body = endpointBody(draft);
        // Compression is sent only when changed: saving it forgets a 415 refusal (see the health card).
        const { compression, ...rest } = body;
        const changed = compression !== (loaded.data?.endpoint?.compression ?? 'none');
        saved = await api.patch<Endpoint>(`${appPath}/endpoint/${enc(endpointId)}`, changed ? body : rest);
        const patch = headersPatch(original.current, draft);
        if (Object.keys(patch.headers).length > 0 || patch.deleteHeaders.length > 0)
          await api.patch(`${appPath}/endpoint/${enc(saved.id)}/headers`, patch);
      } else {
        saved = await api.post<Endpoint>(`${appPath}/endpoint`, {
          ...endpointBody(draft),
          headers: newHeaders(draft),
        });
      }
      navigate(`/apps/${enc(appId)}/endpoints/${enc(saved.id)}`);
    } catch (failure) {
      setError((failure as Error).message);
      setRefused(failure instanceof ApiError ? failure.fieldErrors() : {});
      setBusy(false);
    }
  };

  const back = endpointId ? `/apps/${enc(appId)}/endpoints/${enc(endpointId)}` : `/apps/${enc(appId)}`;
  return (
    <>
      <AppHeader appId={appId} section="endpoints" title={endpointId ? 'Edit endpoint' : 'Add an endpoint'} />
      <ResourceState resource={loaded} loading="Loading the catalogue" />
      {loaded.data && (
        <form className="card form" onSubmit={submit} noValidate aria-label="Endpoint">
          <EndpointFields
            appId={appId}
            draft={draft}
            onChange={edit}
            errors={shown}
            showAll={submitted}
            catalogue={loaded.data.catalogue}
          />
          {error && <ErrorMessage error={error} />}
          <FormActions
            busy={busy}
            submit={endpointId ? 'Save endpoint' : 'Create endpoint'}
            out={{ to: back }}
          />
        </form>
      )}
    </>
  );
}
