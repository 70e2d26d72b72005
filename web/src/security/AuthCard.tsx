/**
 * How Herald authenticates to an endpoint besides the signature: HTTP Basic, a signed JWT, or an OAuth 2.0
 * token. The card shows the method and that its credential is set, never the credential: the API keeps it
 * write-only. A secret Herald generates is shown once, right after saving.
 */
import { useState, type FormEvent } from 'react';
import type { EndpointAuth } from '../lib/types';
import { useAction } from '../lib/use-action';
import { useResource } from '../lib/use-resource';
import { useSession } from '../lib/session-context';
import { valid } from '../lib/validate';
import { Code } from '../components/Code';
import { ConfirmButton } from '../components/ConfirmButton';
import { CopyField } from '../components/CopyField';
import { Field } from '../components/Field';
import { ErrorMessage, Notice, ResourceState } from '../components/states';
import { FormActions } from '../components/FormActions';
import {
  authBody,
  authDraftOf,
  authErrors,
  METHOD_LABEL,
  type AuthDraft,
  type AuthMethod,
} from './auth-draft';
import { AuthFields } from './AuthFields';

export function AuthCard({ path }: { path: string }) {
  const { api } = useSession();
  const auth = useResource(`auth:${path}`, () => api.get<EndpointAuth>(`${path}/auth`));
  const [draft, setDraft] = useState<AuthDraft | null>(null);
  const [touched, setTouched] = useState<Set<string>>(new Set());
  const [submitted, setSubmitted] = useState(false);
  const [generated, setGenerated] = useState<string | null>(null);
  const { busy, notice, error, setNotice, run: act } = useAction();

  const current = auth.data;
  const errors = draft ? authErrors(draft) : {};
  const set = <K extends keyof AuthDraft>(field: K, value: AuthDraft[K]) => {
    setTouched((t) => new Set(t).add(field));
    setDraft((d) => (d ? { ...d, [field]: value } : d));
  };
  const showError = (field: keyof typeof errors) =>
    submitted || touched.has(field) ? errors[field] : undefined;
  const start = () => {
    setDraft(authDraftOf(current));
    setTouched(new Set());
    setSubmitted(false);
    setNotice(null);
    setGenerated(null);
  };
  const run = (work: () => Promise<string>) =>
    act(async () => {
      const done = await work();
      await auth.reload();
      return done;
    });
  const save = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (!draft || !valid(errors)) return;
    void run(async () => {
      const saved = await api.put<EndpointAuth>(`${path}/auth`, authBody(draft));
      setDraft(null);
      setGenerated(saved.generatedKey ?? null);
      return `Saved: Herald authenticates with ${METHOD_LABEL[saved.type]} from the next request.`;
    });
  };
  const remove = () =>
    run(async () => {
      await api.del(`${path}/auth`);
      setGenerated(null);
      return 'Outbound authentication removed: requests carry only the signature and custom headers.';
    });

  return (
    <section className="card" aria-labelledby="auth-title">
      <h2 id="auth-title">Outbound authentication</h2>
      <p className="muted small">
        Credentials Herald sends to the endpoint besides the signature. They are stored encrypted and never
        shown again, nor written to attempt logs.
      </p>
      <ResourceState resource={auth} />
      {current && !draft && (
        <>
          <AuthSummary auth={current} />
          <div className="actions">
            <button type="button" onClick={start}>
              {current.type === 'none' ? 'Set up authentication…' : 'Change…'}
            </button>
            {current.type !== 'none' && (
              <ConfirmButton
                label="Remove"
                question="Stop authenticating to this endpoint?"
                confirmLabel="Remove authentication"
                danger
                onConfirm={remove}
              />
            )}
          </div>
        </>
      )}
      {draft && (
        <form onSubmit={save} noValidate aria-label="Outbound authentication">
          <Field label="Method">
            <select
              value={draft.type}
              onChange={(e) => setDraft({ ...draft, type: e.target.value as AuthMethod })}
            >
              {(['basic', 'jwt', 'oauth2'] as const).map((type) => (
                <option key={type} value={type}>
                  {METHOD_LABEL[type]}
                </option>
              ))}
            </select>
          </Field>
          <AuthFields
            draft={draft}
            set={set}
            error={showError}
            replacing={current !== undefined && current.type !== 'none'}
          />
          {submitted && !valid(errors) && (
            <ErrorMessage error="Some fields need fixing; they are marked above." />
          )}
          <FormActions busy={busy} submit="Save authentication" out={{ onCancel: () => setDraft(null) }} />
        </form>
      )}
      {generated && (
        <div className="warning" role="status">
          <p>Herald generated this HS256 secret. Copy it to the receiver now: it is not shown again.</p>
          <CopyField label="Generated secret" value={generated} />
        </div>
      )}
      {notice && <Notice>{notice}</Notice>}
      {error && <ErrorMessage error={error} />}
    </section>
  );
}

function AuthSummary({ auth }: { auth: EndpointAuth }) {
  if (auth.type === 'none')
    return (
      <p>
        <strong>None.</strong> Requests carry the signature and any custom headers only.
      </p>
    );
  const facts: Array<[string, string | undefined]> =
    auth.type === 'basic'
      ? [
          ['User name', auth.username],
          ['Password', 'set (write-only)'],
        ]
      : auth.type === 'jwt'
        ? [
            ['Algorithm', auth.algorithm],
            [auth.algorithm === 'HS256' ? 'Secret' : 'Private key', 'set (write-only)'],
            ['Issuer', auth.issuer],
            ['Audience', auth.audience],
            ['Subject', auth.subject],
            ['Key id', auth.keyId],
            ['Lifetime', auth.expiresInSeconds === undefined ? undefined : `${auth.expiresInSeconds} s`],
          ]
        : [
            ['Token URL', auth.tokenUrl],
            ['Client id', auth.clientId],
            ['Client secret', 'set (write-only)'],
            ['Scope', auth.scope],
            ['Audience', auth.audience],
            ['Credentials sent', auth.clientAuth === 'body' ? 'in the form body' : 'in a Basic header'],
          ];
  return (
    <>
      <p>
        <strong>{METHOD_LABEL[auth.type]}</strong>
      </p>
      <dl className="facts" aria-label="Authentication settings">
        {facts
          .filter(([, value]) => value !== undefined)
          .map(([name, value]) => (
            <div key={name}>
              <dt>{name}</dt>
              <dd className="break">{value}</dd>
            </div>
          ))}
      </dl>
      {auth.publicKey && (
        <Code label="Public key (give it to the receiver to verify the tokens)" text={auth.publicKey} />
      )}
    </>
  );
}
