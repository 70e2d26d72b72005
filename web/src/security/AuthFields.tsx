/** The fields of one outbound-authentication method, each saying what is wrong as soon as it is typed into. */
import type { JwtAlgorithm } from '../lib/types';
import { Field } from '../components/Field';
import type { AuthDraft, authErrors } from './auth-draft';

interface Props {
  draft: AuthDraft;
  set: <K extends keyof AuthDraft>(field: K, value: AuthDraft[K]) => void;
  /** The errors to show now: of touched fields, or of all after a submit. */
  error: (field: keyof ReturnType<typeof authErrors>) => string | undefined;
  /** A method is set already: its stored credentials stay hidden and are replaced on save. */
  replacing: boolean;
}

export function AuthFields({ draft, set, error, replacing }: Props) {
  const text = (field: keyof AuthDraft, label: string, hint?: string, type = 'text') => (
    <Field label={label} hint={hint} error={error(field)}>
      <input
        type={type}
        value={draft[field] as string}
        onChange={(e) => set(field, e.target.value)}
        spellCheck={false}
        autoComplete={type === 'password' ? 'new-password' : 'off'}
      />
    </Field>
  );
  const secretHint = replacing
    ? 'Write-only: the stored one is never shown. Enter it again, or a new one; saving replaces it.'
    : 'Write-only: stored encrypted and never shown again.';

  if (draft.type === 'basic')
    return (
      <div className="grid-2">
        {text('username', 'User name')}
        {text('password', 'Password', secretHint, 'password')}
      </div>
    );

  if (draft.type === 'oauth2')
    return (
      <>
        {text(
          'tokenUrl',
          'Token URL',
          'Herald posts grant_type=client_credentials here and sends the access token as a Bearer token.',
          'url',
        )}
        <div className="grid-2">
          {text('clientId', 'Client id')}
          {text('clientSecret', 'Client secret', secretHint, 'password')}
          {text('scope', 'Scope (optional)')}
          {text('audience', 'Audience (optional)')}
        </div>
        <Field label="Send the client credentials">
          <select
            value={draft.clientAuth}
            onChange={(e) => set('clientAuth', e.target.value as AuthDraft['clientAuth'])}
          >
            <option value="basic">In an Authorization: Basic header (usual)</option>
            <option value="body">In the form body (client_id, client_secret)</option>
          </select>
        </Field>
      </>
    );

  return (
    <>
      <Field
        label="Algorithm"
        hint="HS256 shares a secret with the receiver; RS256 and EdDSA sign with a private key and give the receiver a public key."
      >
        <select value={draft.algorithm} onChange={(e) => set('algorithm', e.target.value as JwtAlgorithm)}>
          <option value="HS256">HS256 (shared secret)</option>
          <option value="RS256">RS256 (RSA key pair)</option>
          <option value="EdDSA">EdDSA (Ed25519 key pair)</option>
        </select>
      </Field>
      <Field
        label={draft.algorithm === 'HS256' ? 'Secret (optional)' : 'Private key in PEM (optional)'}
        hint={`${
          draft.algorithm === 'HS256'
            ? 'Blank: Herald generates a secret and shows it once, after saving.'
            : 'Blank: Herald generates a key pair and shows its public key here.'
        } ${secretHint}`}
        error={error('key')}
      >
        <textarea
          className="mono"
          rows={draft.algorithm === 'HS256' ? 1 : 4}
          value={draft.key}
          onChange={(e) => set('key', e.target.value)}
          spellCheck={false}
          autoComplete="off"
        />
      </Field>
      <div className="grid-2">
        {text('issuer', 'Issuer, iss (optional)')}
        {text('audience', 'Audience, aud (optional)')}
        {text('subject', 'Subject, sub (optional)')}
        {text('keyId', 'Key id, kid (optional)')}
        {text('expiresInSeconds', 'Token lifetime in seconds (optional)', '10 to 3600; blank is 60.')}
      </div>
    </>
  );
}
