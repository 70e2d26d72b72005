/**
 * Outbound authentication end to end: Basic, Bearer JWT (HS256, RS256, EdDSA) and OAuth2 client credentials,
 * each against a real receiver (and token server) on 127.0.0.1.
 */
import { createHash, createHmac, createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHerald, type RunningHerald } from '../helpers/herald.js';
import { startReceiver, type Receiver, type Received } from '../helpers/receiver.js';
import { errorBodyText } from '../../src/api/problems.js';

function decodeJwt(token: string) {
  const [header, claims, signature] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(header!, 'base64url').toString()) as Record<string, unknown>,
    claims: JSON.parse(Buffer.from(claims!, 'base64url').toString()) as Record<string, unknown>,
    input: `${header}.${claims}`,
    signature: Buffer.from(signature!, 'base64url'),
  };
}

const bearer = (request: Received) => /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '';

describe('outbound authentication end to end', () => {
  let h: RunningHerald;
  let receiver: Receiver;
  let count = 0;
  beforeAll(async () => {
    h = await startTestHerald();
    await h.call('POST', '/app', { name: 'auth', uid: 'auth' });
  });
  afterAll(async () => h.close());

  async function endpointWith(auth: Record<string, unknown>) {
    receiver = await startReceiver();
    const created = await h.call('POST', '/app/auth/endpoint', { url: receiver.url, uid: `ep-${++count}` });
    const ep = `/app/auth/endpoint/${created.body.id}`;
    const set = await h.call('PUT', `${ep}/auth`, auth);
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    return { ep, set: set.body, id: created.body.id as string };
  }
  /** The endpoint's attempts, newest first, once there are `count` (results are written in group commits). */
  async function attemptsOf(ep: string, count: number) {
    for (let i = 0; i < 100; i++) {
      const list = (await h.call('GET', `/app/auth/attempt/endpoint/${ep.split('/').pop()}`)).body.data;
      if (list.length >= count) return list;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`expected ${count} attempts`);
  }
  const send = async (payload: unknown) =>
    expect((await h.call('POST', '/app/auth/msg', { eventType: 'auth.test', payload })).status).toBe(202);

  it('sends Basic credentials, and never shows or logs the password', async () => {
    const { ep, set } = await endpointWith({ type: 'basic', username: 'herald', password: 's3cret:pass' });
    expect(set).toEqual({ type: 'basic', username: 'herald' });
    await send({ basic: true });
    const [request] = await receiver.waitFor(1);
    expect(request!.headers.authorization).toBe(
      `Basic ${Buffer.from('herald:s3cret:pass').toString('base64')}`,
    );
    expect((await h.call('GET', `${ep}/auth`)).body).toEqual({ type: 'basic', username: 'herald' });
    const [first] = await attemptsOf(ep, 1);
    const attempt = await h.call('GET', `/app/auth/msg/${first.msgId}/attempt/${first.id}`);
    expect(attempt.body.requestHeaders.authorization).toBe('[redacted]');
    await receiver.close();
  });

  it('signs an HS256 JWT per request with iat, exp, jti and the body hash, with a generated key shown once', async () => {
    const { ep, set } = await endpointWith({
      type: 'jwt',
      algorithm: 'HS256',
      issuer: 'herald',
      audience: 'acme',
    });
    expect(set.generatedKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await h.call('GET', `${ep}/auth`)).body).toEqual({
      type: 'jwt',
      algorithm: 'HS256',
      issuer: 'herald',
      audience: 'acme',
      expiresInSeconds: 60,
    });
    await send({ n: 1 });
    await send({ n: 2 });
    const requests = await receiver.waitFor(2);
    const jtis = new Set<unknown>();
    for (const request of requests) {
      const jwt = decodeJwt(bearer(request));
      expect(jwt.header).toEqual({ alg: 'HS256', typ: 'JWT' });
      const expected = createHmac('sha256', set.generatedKey).update(jwt.input).digest();
      expect(jwt.signature.equals(expected)).toBe(true);
      const now = Math.floor(Date.now() / 1000);
      expect(jwt.claims).toMatchObject({
        iss: 'herald',
        aud: 'acme',
        webhook_id: request.headers['webhook-id'],
      });
      expect(Math.abs((jwt.claims.iat as number) - now)).toBeLessThan(10);
      expect((jwt.claims.exp as number) - (jwt.claims.iat as number)).toBe(60);
      expect(jwt.claims.body_sha256).toBe(createHash('sha256').update(request.body).digest('hex'));
      jtis.add(jwt.claims.jti);
    }
    expect(jtis.size).toBe(2);
    await receiver.close();
  });

  it('signs RS256 with a given key and EdDSA with a generated one, verifiable with the public key', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const rs = await endpointWith({
      type: 'jwt',
      algorithm: 'RS256',
      key: pem,
      keyId: 'k1',
      expiresInSeconds: 30,
    });
    expect(rs.set.publicKey).toMatch(/BEGIN PUBLIC KEY/);
    expect(rs.set.generatedKey).toBeUndefined();
    expect(JSON.stringify((await h.call('GET', `${rs.ep}/auth`)).body)).not.toContain('PRIVATE');
    await send({ rs: true });
    const [rsRequest] = await receiver.waitFor(1);
    const rsJwt = decodeJwt(bearer(rsRequest!));
    expect(rsJwt.header).toEqual({ alg: 'RS256', typ: 'JWT', kid: 'k1' });
    expect(
      verify('sha256', Buffer.from(rsJwt.input), createPublicKey(rs.set.publicKey), rsJwt.signature),
    ).toBe(true);
    await receiver.close();

    const ed = await endpointWith({ type: 'jwt', algorithm: 'EdDSA' });
    expect(ed.set.generatedKey).toBeUndefined();
    await send({ ed: true });
    const [edRequest] = await receiver.waitFor(1);
    const edJwt = decodeJwt(bearer(edRequest!));
    expect(edJwt.header.alg).toBe('EdDSA');
    expect(verify(null, Buffer.from(edJwt.input), createPublicKey(ed.set.publicKey), edJwt.signature)).toBe(
      true,
    );
    await receiver.close();
  });

  it('fetches an OAuth2 token, caches it, and refreshes it once when the endpoint answers 401', async () => {
    const tokenServer = await startReceiver();
    let issued = 0;
    tokenServer.answer(() => ({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ access_token: `token-${++issued}`, token_type: 'Bearer', expires_in: 3600 }),
    }));
    let accepted = 'token-1';
    const { ep, set } = await endpointWith({
      type: 'oauth2',
      tokenUrl: `${tokenServer.url}/oauth/token`,
      clientId: 'herald-client',
      clientSecret: 'client-s3cret',
      scope: 'webhooks:write',
    });
    expect(set).toEqual({
      type: 'oauth2',
      tokenUrl: `${tokenServer.url}/oauth/token`,
      clientId: 'herald-client',
      scope: 'webhooks:write',
      clientAuth: 'basic',
    });
    receiver.answer((request) => (bearer(request) === accepted ? { status: 200 } : { status: 401 }));

    for (let i = 0; i < 3; i++) await send({ i });
    await receiver.waitFor(3);
    expect(issued).toBe(1);
    const [tokenRequest] = tokenServer.received;
    expect(tokenRequest!.path).toBe('/oauth/token');
    expect(tokenRequest!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(tokenRequest!.headers.authorization).toBe(
      `Basic ${Buffer.from('herald-client:client-s3cret').toString('base64')}`,
    );
    expect(Object.fromEntries(new URLSearchParams(tokenRequest!.body))).toEqual({
      grant_type: 'client_credentials',
      scope: 'webhooks:write',
    });

    // The receiver revokes the token: the next delivery gets a 401, a new token, and succeeds in one attempt.
    accepted = 'token-2';
    await send({ after: 'revocation' });
    const requests = await receiver.waitFor(5);
    expect(requests.slice(3).map(bearer)).toEqual(['token-1', 'token-2']);
    expect(issued).toBe(2);
    const attempts = await attemptsOf(ep, 4);
    expect(
      attempts.every((attempt: { responseStatusCode: number }) => attempt.responseStatusCode === 200),
    ).toBe(true);

    // A token server that refuses fails the attempt with a clear class, and the delivery is retried.
    tokenServer.answer(() => ({ status: 400, body: '{"error":"invalid_client"}' }));
    accepted = 'never';
    await send({ refused: true });
    await receiver.waitFor(6);
    const latest = (await attemptsOf(ep, 5))[0];
    const detail = await h.call('GET', `/app/auth/msg/${latest.msgId}/attempt/${latest.id}`);
    expect(detail.body).toMatchObject({ errorClass: 'oauth_token' });
    expect(detail.body.errorDetail).toMatch(/answered 400.*invalid_client/);
    await tokenServer.close();
    await receiver.close();
  });

  it('refuses incomplete or unusable methods with 422, and records changes without credentials', async () => {
    receiver = await startReceiver();
    const created = await h.call('POST', '/app/auth/endpoint', { url: receiver.url });
    const ep = `/app/auth/endpoint/${created.body.id}`;
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ type: 'basic', username: 'u' }, /password is required/],
      [{ type: 'basic', username: 'a:b', password: 'p' }, /username/],
      [{ type: 'jwt', algorithm: 'HS256', key: 'short' }, /at least 32/],
      [{ type: 'jwt', algorithm: 'RS256', key: 'not a pem' }, /PEM/],
      [
        {
          type: 'jwt',
          algorithm: 'EdDSA',
          key: generateKeyPairSync('rsa', { modulusLength: 2048 })
            .privateKey.export({ format: 'pem', type: 'pkcs8' })
            .toString(),
        },
        /Ed25519/,
      ],
      [{ type: 'oauth2', tokenUrl: 'https://example.com/token', clientId: 'c' }, /clientSecret is required/],
      [
        { type: 'oauth2', tokenUrl: 'http://10.0.0.1/token', clientId: 'c', clientSecret: 's' },
        /tokenUrl points at 10\.0\.0\.1/,
      ],
      [{ type: 'kerberos' }, /type/],
    ];
    for (const [body, detail] of cases) {
      const res = await h.call('PUT', `${ep}/auth`, body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(errorBodyText(res.body)).toMatch(detail);
    }
    await h.call('PUT', `${ep}/auth`, { type: 'basic', username: 'one', password: 'first-password' });
    await h.call('PUT', `${ep}/auth`, {
      type: 'oauth2',
      tokenUrl: 'https://example.com/t',
      clientId: 'c',
      clientSecret: 'second-secret',
    });
    expect((await h.call('DELETE', `${ep}/auth`)).status).toBe(204);
    expect((await h.call('GET', `${ep}/auth`)).body).toEqual({ type: 'none' });
    const audit = await h.call(
      'GET',
      `/audit-log?target_id=${created.body.id}&action=endpoint.auth.changed&order=ascending`,
    );
    expect(audit.body.data.map((r: { before: unknown; after: unknown }) => [r.before, r.after])).toEqual([
      [{ type: 'none' }, { type: 'basic', username: 'one' }],
      [
        { type: 'basic', username: 'one' },
        { type: 'oauth2', tokenUrl: 'https://example.com/t', clientId: 'c', clientAuth: 'basic' },
      ],
      [
        { type: 'oauth2', tokenUrl: 'https://example.com/t', clientId: 'c', clientAuth: 'basic' },
        { type: 'none' },
      ],
    ]);
    expect(JSON.stringify(audit.body)).not.toMatch(/first-password|second-secret/);
    await receiver.close();
  });
});
