/**
 * An application's privacy settings: the fields redacted in what Herald stores and shows to application keys and
 * the portal, how long payloads are kept, and whether response bodies are stored. Admins set them, so that an
 * application key cannot lift what its platform hides; the API checks each rule and names a bad one.
 */
import { useState, type FormEvent } from 'react';
import type { PrivacySettings } from '../lib/types';
import { useAction } from '../lib/use-action';
import { useResource } from '../lib/use-resource';
import { useSession } from '../lib/session-context';
import { Field } from '../components/Field';
import { ErrorMessage, Notice, ResourceState } from '../components/states';
import { FormActions } from '../components/FormActions';

interface Props {
  /** The API path of the settings: `/app/{id}/privacy`. */
  path: string;
  /** Set when this key may only read the settings: says why. */
  readOnlyReason?: string | undefined;
}

const splitRules = (text: string): string[] =>
  text
    .split(/[\n,]+/)
    .map((rule) => rule.trim())
    .filter((rule) => rule !== '');

export function PrivacyCard({ path, readOnlyReason }: Props) {
  const { api } = useSession();
  const settings = useResource(`privacy:${path}`, () => api.get<PrivacySettings>(path));
  const [editing, setEditing] = useState(false);
  const [usePlatform, setUsePlatform] = useState(true);
  const [rules, setRules] = useState('');
  const [hours, setHours] = useState('');
  const [storeResponses, setStoreResponses] = useState(true);
  const { busy, notice, error, setNotice, run } = useAction();
  const current = settings.data;
  const hoursProblem =
    hours.trim() === '' || /^\d+$/.test(hours.trim())
      ? undefined
      : 'enter a whole number of hours, or nothing';

  const edit = () => {
    if (!current) return;
    setUsePlatform(current.redactionRules === null);
    setRules((current.redactionRules ?? []).join('\n'));
    setHours(current.payloadRetentionHours === null ? '' : String(current.payloadRetentionHours));
    setStoreResponses(current.storeResponseBodies);
    setNotice(null);
    setEditing(true);
  };
  const save = (event: FormEvent) => {
    event.preventDefault();
    if (hoursProblem) return;
    void run(async () => {
      await api.put<PrivacySettings>(path, {
        redactionRules: usePlatform ? null : splitRules(rules),
        payloadRetentionHours: hours.trim() === '' ? null : Number(hours.trim()),
        storeResponseBodies: storeResponses,
      });
      await settings.reload();
      setEditing(false);
      return 'Privacy settings saved.';
    });
  };

  return (
    <section className="card" aria-labelledby="privacy-title">
      <h2 id="privacy-title">Privacy</h2>
      <p className="muted small">
        Redacted fields read <code>[redacted]</code> in the attempt bodies Herald stores and in what
        application keys and the portal are shown; endpoints still receive the real payload.
      </p>
      <ResourceState resource={settings} />
      {current && !editing && (
        <>
          <dl className="facts">
            <div>
              <dt>Redaction rules</dt>
              <dd>
                {current.effectiveRedactionRules.length === 0 ? (
                  'None'
                ) : (
                  <ul className="cidr-list" aria-label="Redaction rules">
                    {current.effectiveRedactionRules.map((rule) => (
                      <li key={rule}>
                        <code>{rule}</code>
                      </li>
                    ))}
                  </ul>
                )}
                {current.redactionRules === null && (
                  <span className="muted small"> (the platform&apos;s)</span>
                )}
              </dd>
            </div>
            <div>
              <dt>Payloads kept</dt>
              <dd>
                {current.payloadRetentionHours === null
                  ? "for the server's retention"
                  : `${current.payloadRetentionHours} hours after their deliveries are settled`}
              </dd>
            </div>
            <div>
              <dt>Response bodies</dt>
              <dd>{current.storeResponseBodies ? 'stored' : 'not stored'}</dd>
            </div>
          </dl>
          {readOnlyReason ? (
            <p className="muted small">{readOnlyReason}</p>
          ) : (
            <div className="actions">
              <button type="button" onClick={edit}>
                Change privacy settings…
              </button>
            </div>
          )}
        </>
      )}
      {editing && (
        <form onSubmit={save} noValidate aria-label="Privacy settings">
          <label className="check">
            <input type="checkbox" checked={usePlatform} onChange={(e) => setUsePlatform(e.target.checked)} />{' '}
            Use the platform&apos;s redaction rules
          </label>
          {!usePlatform && (
            <Field
              label="Redaction rules"
              hint={
                <>
                  One per line: a path such as <code>payload.customer.email</code> (<code>*</code> for any
                  key) or a field at any depth such as <code>*.card_number</code>. Empty: redact nothing.
                </>
              }
            >
              <textarea
                className="mono"
                rows={4}
                value={rules}
                spellCheck={false}
                onChange={(e) => setRules(e.target.value)}
              />
            </Field>
          )}
          <Field
            label="Keep payloads for (hours)"
            hint="After their deliveries are settled; empty: the server's retention. At most 2160 (90 days)."
            error={hoursProblem}
          >
            <input inputMode="numeric" value={hours} onChange={(e) => setHours(e.target.value)} />
          </Field>
          <label className="check">
            <input
              type="checkbox"
              checked={storeResponses}
              onChange={(e) => setStoreResponses(e.target.checked)}
            />{' '}
            Store response bodies
          </label>
          <FormActions
            busy={busy}
            submit="Save privacy settings"
            out={{ onCancel: () => setEditing(false) }}
          />
        </form>
      )}
      {notice && <Notice>{notice}</Notice>}
      {error && <ErrorMessage error={error} />}
    </section>
  );
}
