/**
 * Imports an exported file into this Herald. What is already here is left as it is, so only what is missing is
 * added; the API checks the whole document before it writes anything, and its errors name the place.
 */
import { useState, type ChangeEvent, type FormEvent } from 'react';
import { ApiError, placeOf } from '../lib/api';
import { useSession } from '../lib/session-context';
import { Field } from '../components/Field';
import { PassphraseField } from './PassphraseField';
import { ErrorMessage, Notice } from '../components/states';
import {
  MIN_PASSPHRASE,
  countEnvironment,
  describeCounts,
  isSealed,
  parseDocument,
  type EnvironmentDocument,
} from './document';

interface Failure {
  message: string;
  problems: string[];
}

export function ImportCard() {
  const { api } = useSession();
  const [document, setDocument] = useState<EnvironmentDocument | null>(null);
  const [passphrase, setPassphrase] = useState('');
  const [invalid, setInvalid] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<Failure | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const sealed = document !== null && isSealed(document);

  const choose = async (e: ChangeEvent<HTMLInputElement>) => {
    setDocument(null);
    setFailure(null);
    setNotice(null);
    const file = e.target.files?.[0];
    if (!file) return;
    try {
      setDocument(parseDocument(await file.text()));
    } catch (error) {
      setFailure({ message: (error as Error).message, problems: [] });
    }
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!document) return;
    if (sealed && passphrase.length < MIN_PASSPHRASE) {
      setInvalid(`This file’s secrets are sealed: enter the passphrase it was exported with.`);
      return;
    }
    setInvalid(undefined);
    setBusy(true);
    setFailure(null);
    setNotice(null);
    try {
      await api.post<null>('/environment/import', sealed ? { ...document, passphrase } : document);
      setNotice(
        `Imported ${describeCounts(countEnvironment(document))}. Those already here were left as they were; ` +
          'event types were replaced by the file’s.',
      );
    } catch (error) {
      const problems =
        error instanceof ApiError
          ? error.problems.map(({ loc, msg }) => `${placeOf(loc.slice(1))} ${msg}`.trim())
          : [];
      setFailure({ message: (error as Error).message, problems });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby="import-title">
      <h2 id="import-title">Import</h2>
      <p className="muted small">
        Adds what a file exported from a Herald holds. Applications, endpoints and templates keep their ids;
        those already here are left as they are, so importing the same file twice changes nothing. Nothing is
        written unless the whole file is valid.
      </p>
      <form className="form" onSubmit={submit} aria-labelledby="import-title">
        <Field
          label="Environment file"
          hint={document ? `The file holds ${describeCounts(countEnvironment(document))}.` : undefined}
        >
          <input type="file" accept="application/json,.json" onChange={choose} />
        </Field>
        {sealed && (
          <PassphraseField
            label="Passphrase"
            error={invalid}
            hint="The file’s secrets are sealed; enter the passphrase it was exported with."
            value={passphrase}
            onChange={setPassphrase}
            autoComplete="off"
          />
        )}
        {document && !sealed && (
          <p className="warning" role="status">
            This file has no secrets: its endpoints get new signing secrets here, and no custom headers or
            outbound credentials.
          </p>
        )}
        <div className="actions">
          <button type="submit" className="primary" disabled={busy || !document}>
            {busy ? 'Importing…' : 'Import'}
          </button>
        </div>
      </form>
      {failure && <ImportFailure failure={failure} />}
      {notice && <Notice>{notice}</Notice>}
    </section>
  );
}

/** The API's refusal; when it named several problems, each on its own line. */
function ImportFailure({ failure }: { failure: Failure }) {
  if (failure.problems.length < 2) return <ErrorMessage error={failure.message} />;
  return (
    <div className="error" role="alert">
      <div>
        <span>The import was refused; nothing was written:</span>
        <ul>
          {failure.problems.map((problem) => (
            <li key={problem}>{problem}</li>
          ))}
        </ul>
      </div>
    </div>
  );
}
