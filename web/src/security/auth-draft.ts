/**
 * The outbound-authentication form: its state, the checks it runs as you type (the API's own rules), and the
 * body of `PUT …/auth`. Credentials are write-only: the API never returns them, so the form starts them blank.
 */
import type { EndpointAuth, JwtAlgorithm } from '../lib/types';
import { intError, parseHttpUrl } from '../lib/validate';

export type AuthMethod = 'basic' | 'jwt' | 'oauth2';

export interface AuthDraft {
  type: AuthMethod;
  username: string;
  password: string;
  algorithm: JwtAlgorithm;
  key: string;
  keyId: string;
  issuer: string;
  audience: string;
  subject: string;
  expiresInSeconds: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scope: string;
  clientAuth: 'basic' | 'body';
}

export const METHOD_LABEL: Record<EndpointAuth['type'], string> = {
  none: 'None',
  basic: 'HTTP Basic',
  jwt: 'JWT (a signed Bearer token on every request)',
  oauth2: 'OAuth 2.0 client credentials',
};

/** The form for a method, with the current method's non-secret fields filled in. */
export function authDraftOf(current: EndpointAuth | undefined): AuthDraft {
  return {
    type: current && current.type !== 'none' ? current.type : 'basic',
    username: current?.username ?? '',
    password: '',
    algorithm: current?.algorithm ?? 'HS256',
    key: '',
    keyId: current?.keyId ?? '',
    issuer: current?.issuer ?? '',
    audience: current?.audience ?? '',
    subject: current?.subject ?? '',
    expiresInSeconds: current?.expiresInSeconds === undefined ? '' : String(current.expiresInSeconds),
    tokenUrl: current?.tokenUrl ?? '',
    clientId: current?.clientId ?? '',
    clientSecret: '',
    scope: current?.scope ?? '',
    clientAuth: current?.clientAuth === 'body' ? 'body' : 'basic',
  };
}

const tooLong = (value: string, max: number) =>
  value.length > max ? `at most ${max} characters; this is ${value.length}` : undefined;

function keyError(algorithm: JwtAlgorithm, key: string): string | undefined {
  if (key === '') return undefined;
  if (key.length > 16_384) return 'at most 16384 characters';
  if (algorithm === 'HS256')
    return key.length < 32
      ? `an HS256 secret needs 32 characters or more (this has ${key.length}); or leave it blank and Herald generates one`
      : undefined;
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(key))
    return `paste the ${algorithm === 'RS256' ? 'RSA' : 'Ed25519'} private key in PEM, starting with -----BEGIN PRIVATE KEY-----; or leave it blank and Herald generates a key pair`;
  return undefined;
}

export function tokenUrlError(text: string): string | undefined {
  const value = text.trim();
  if (value === '') return 'enter the token endpoint, such as https://auth.example.com/oauth/token';
  const url = parseHttpUrl(value);
  return typeof url === 'string' ? url : tooLong(value, 4096);
}

/** What is wrong with each field the chosen method uses; the other methods' fields are not checked. */
export function authErrors(draft: AuthDraft): Partial<Record<keyof AuthDraft, string>> {
  switch (draft.type) {
    case 'basic':
      return {
        username:
          draft.username === ''
            ? 'enter the user name the receiver expects'
            : draft.username.includes(':')
              ? 'a Basic user name cannot contain ":", which separates it from the password'
              : tooLong(draft.username, 256),
        password: draft.password === '' ? 'enter the password' : tooLong(draft.password, 1024),
      };
    case 'jwt':
      return {
        key: keyError(draft.algorithm, draft.key),
        keyId: tooLong(draft.keyId, 256),
        issuer: tooLong(draft.issuer, 1024),
        audience: tooLong(draft.audience, 1024),
        subject: tooLong(draft.subject, 1024),
        expiresInSeconds: intError(draft.expiresInSeconds, 10, 3600),
      };
    case 'oauth2':
      return {
        tokenUrl: tokenUrlError(draft.tokenUrl),
        clientId: draft.clientId.trim() === '' ? 'enter the client id' : tooLong(draft.clientId, 1024),
        clientSecret:
          draft.clientSecret === '' ? 'enter the client secret' : tooLong(draft.clientSecret, 4096),
        scope: tooLong(draft.scope, 1024),
        audience: tooLong(draft.audience, 1024),
      };
  }
}

/** The body of `PUT …/auth`: the chosen method's fields, blanks left out. */
export function authBody(draft: AuthDraft): Record<string, unknown> {
  const optional = (value: string) => (value.trim() === '' ? undefined : value.trim());
  switch (draft.type) {
    case 'basic':
      return { type: 'basic', username: draft.username, password: draft.password };
    case 'jwt':
      return {
        type: 'jwt',
        algorithm: draft.algorithm,
        key: draft.key === '' ? undefined : draft.key,
        keyId: optional(draft.keyId),
        issuer: optional(draft.issuer),
        audience: optional(draft.audience),
        subject: optional(draft.subject),
        expiresInSeconds: draft.expiresInSeconds.trim() === '' ? undefined : Number(draft.expiresInSeconds),
      };
    case 'oauth2':
      return {
        type: 'oauth2',
        tokenUrl: draft.tokenUrl.trim(),
        clientId: draft.clientId.trim(),
        clientSecret: draft.clientSecret,
        scope: optional(draft.scope),
        audience: optional(draft.audience),
        clientAuth: draft.clientAuth,
      };
  }
}
