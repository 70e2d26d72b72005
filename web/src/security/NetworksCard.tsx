/**
 * Allowed destination networks, of an endpoint or of a whole application: deliveries connect only to addresses
 * inside them. The list is checked as you type, with the form each entry is saved in.
 */
import { useState, type FormEvent } from 'react';
import type { DestinationRules } from '../lib/types';
import { useAction } from '../lib/use-action';
import { useResource } from '../lib/use-resource';
import { useSession } from '../lib/session-context';
import { ConfirmButton } from '../components/ConfirmButton';
import { Field } from '../components/Field';
import { ErrorMessage, Notice, ResourceState } from '../components/states';
import { FormActions } from '../components/FormActions';
import { addressAllowed, canonical, cidrListProblems, splitCidrs } from './cidr';

interface Props {
  /** The API path of the rules: `…/endpoint/{id}/ip-restrictions` or `/app/{id}/ip-restrictions`. */
  path: string;
  scope: 'endpoint' | 'application';
  /** Set when this key may only read the rules: says why. */
  readOnlyReason?: string | undefined;
  /** The endpoint's URL, to warn when its address is outside the list. */
  url?: string | undefined;
}

export function NetworksCard({ path, scope, readOnlyReason, url }: Props) {
  const { api } = useSession();
  const rules = useResource(`networks:${path}`, () => api.get<DestinationRules>(path));
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState('');
  const [touched, setTouched] = useState(false);
  const { busy, notice, error, setNotice, run } = useAction();
  const titleId = `networks-title-${scope}`;

  const current = rules.data?.allowedDestinationCidrs ?? null;
  const problems = cidrListProblems(text);
  const entries = splitCidrs(text);
  const host = url ? safeHost(url) : null;
  const outside = problems.length === 0 && host !== null && addressAllowed(host, entries) === false;

  const put = (list: string[] | null, done: string) =>
    run(async () => {
      await api.put<DestinationRules>(path, { allowedDestinationCidrs: list });
      await rules.reload();
      setEditing(false);
      return done;
    });
  const save = (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (problems.length > 0) return;
    void put(entries, 'Allowed networks saved.');
  };
  const edit = () => {
    setText((current ?? []).join('\n'));
    setTouched(false);
    setNotice(null);
    setEditing(true);
  };

  return (
    <section className="card" aria-labelledby={titleId}>
      <h2 id={titleId}>
        {scope === 'endpoint' ? 'Allowed destination networks' : 'Allowed networks for every endpoint'}
      </h2>
      <p className="muted small">
        {scope === 'endpoint'
          ? "Deliveries to this endpoint connect only to addresses inside these networks (and inside the application's, when it has some)."
          : "Deliveries to every endpoint of this application connect only to addresses inside these networks (and inside each endpoint's own, when it has some)."}{' '}
        Any other address fails with <code>ip_restricted</code>; Herald&apos;s SSRF guard applies as well.
      </p>
      <ResourceState resource={rules} />
      {rules.data && !editing && (
        <>
          {current === null ? (
            <p>
              <strong>No restriction.</strong> Deliveries may go to any address the SSRF guard allows.
            </p>
          ) : (
            <ul className="cidr-list" aria-label="Allowed networks">
              {current.map((cidr) => (
                <li key={cidr}>
                  <code>{cidr}</code>
                </li>
              ))}
            </ul>
          )}
          {readOnlyReason ? (
            <p className="muted small">{readOnlyReason}</p>
          ) : (
            <div className="actions">
              <button type="button" onClick={edit}>
                {current === null ? 'Restrict networks…' : 'Change networks…'}
              </button>
              {current !== null && (
                <ConfirmButton
                  label="Remove the restriction"
                  question="Allow deliveries to any address again?"
                  confirmLabel="Remove"
                  onConfirm={() => put(null, 'Restriction removed.')}
                />
              )}
            </div>
          )}
        </>
      )}
      {editing && (
        <form onSubmit={save} noValidate aria-label={`Allowed networks (${scope})`}>
          <Field
            label="Allowed networks"
            hint="One per line: a CIDR such as 203.0.113.0/24 or 2001:db8::/32, or a single address."
            error={touched || text !== '' ? problems.join('; ') || undefined : undefined}
          >
            <textarea
              className="mono"
              rows={4}
              value={text}
              spellCheck={false}
              onChange={(e) => setText(e.target.value)}
              onBlur={() => setTouched(true)}
            />
          </Field>
          {problems.length === 0 && entries.length > 0 && (
            <p className="hint">
              Saved as {entries.map((entry) => canonical(entry)).join(', ')}
              {host !== null && addressAllowed(host, entries) === null && (
                <>
                  . Herald checks the addresses <code>{host}</code> resolves to each time it connects.
                </>
              )}
            </p>
          )}
          {outside && (
            <p className="warning">
              The endpoint&apos;s URL points at {host}, which is outside these networks: its deliveries would
              fail with ip_restricted.
            </p>
          )}
          <FormActions busy={busy} submit="Save networks" out={{ onCancel: () => setEditing(false) }} />
        </form>
      )}
      {notice && <Notice>{notice}</Notice>}
      {error && <ErrorMessage error={error} />}
    </section>
  );
}

function safeHost(url: string): string | null {
  try {
    return new URL(url).hostname;
  } catch {
    return null;
  }
}
