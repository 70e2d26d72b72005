/**
 * Exports the whole platform as a JSON file. With a passphrase the endpoints' secrets travel sealed with it;
 * without one they are left out, and the Herald that imports the file gives those endpoints new secrets.
 */
import { useState, type FormEvent } from 'react';
import { useSession } from '../lib/session-context';
import { useAction } from '../lib/use-action';
import { PassphraseField } from './PassphraseField';
import { ErrorMessage, Notice } from '../components/states';
import { MIN_PASSPHRASE, countEnvironment, describeCounts, type EnvironmentDocument } from './document';

/** Offers `text` to the browser as a download named `name`. */
function download(name: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function ExportCard() {
  const { api } = useSession();
  const [passphrase, setPassphrase] = useState('');
  const [invalid, setInvalid] = useState<string | undefined>();
  const action = useAction();

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (passphrase !== '' && passphrase.length < MIN_PASSPHRASE) {
      setInvalid(`At least ${MIN_PASSPHRASE} characters, or leave it empty to export without secrets.`);
      return;
    }
    setInvalid(undefined);
    void action.run(async () => {
      const body = passphrase === '' ? {} : { passphrase };
      const document = await api.post<EnvironmentDocument>('/environment/export', body);
      const day = document.createdAt.slice(0, 10);
      download(`herald-environment-${day}.json`, JSON.stringify(document, null, 2));
      const sealed = passphrase === '' ? 'without secrets' : 'with secrets sealed by the passphrase';
      return `Exported ${describeCounts(countEnvironment(document))}, ${sealed}.`;
    });
  };

  return (
    <section className="card" aria-labelledby="export-title">
      <h2 id="export-title">Export</h2>
      <p className="muted small">
        Downloads one JSON file with every event type, application, endpoint and template (with all its
        versions). Messages, deliveries, API keys and the audit log are not part of it.
      </p>
      <form className="form" onSubmit={submit} aria-labelledby="export-title">
        <PassphraseField
          label="Passphrase (optional)"
          error={invalid}
          hint={
            <>
              At least {MIN_PASSPHRASE} characters. With it, each endpoint’s signing secrets, keys, custom
              headers and outbound credentials are sealed in the file with this passphrase; you need it again
              to import. Without it they are left out, and the Herald that imports the file gives those
              endpoints new secrets and no headers or credentials.
            </>
          }
          value={passphrase}
          onChange={setPassphrase}
          autoComplete="new-password"
        />
        <div className="actions">
          <button type="submit" className="primary" disabled={action.busy}>
            {action.busy ? 'Exporting…' : 'Export and download'}
          </button>
        </div>
      </form>
      {action.error && <ErrorMessage error={action.error} />}
      {action.notice && <Notice>{action.notice}</Notice>}
    </section>
  );
}
