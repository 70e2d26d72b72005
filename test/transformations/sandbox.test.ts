import { afterAll, describe, expect, it } from 'vitest';
import { readResult, webhookIn } from '../../src/transformations/contract.js';
import { Sandbox } from '../../src/transformations/sandbox.js';

const sandbox = new Sandbox();
afterAll(() => sandbox.close());

const input = webhookIn('https://example.com/hook', 'invoice.paid', '{"id":1}', true);

async function transform(code: string, json = true) {
  return readResult(await sandbox.run(code, json ? input : { ...input, payload: '<a/>' }), json, input.url);
}

describe('the transformation sandbox', () => {
  it('runs the handler and reads back the changed webhook', async () => {
    const code = `function handler(webhook) {
      webhook.payload = { wrapped: webhook.payload, type: webhook.eventType };
      webhook.method = 'PUT';
      webhook.url = webhook.url + '?x=1';
      webhook.headers['X-Extra'] = 'yes';
      return webhook;
    }`;
    const result = await transform(code);
    expect(result).toEqual({
      ok: true,
      cancel: false,
      method: 'PUT',
      url: 'https://example.com/hook?x=1',
      body: '{"wrapped":{"id":1},"type":"invoice.paid"}',
      headers: { 'x-extra': 'yes' },
    });
    // The same code again reuses its evaluated runtime and gives the same answer.
    expect(await transform(code)).toEqual(result);
  });

  it('reports a cancelled delivery', async () => {
    const result = await transform('function handler(w) { w.cancel = true; return w; }');
    expect(result).toMatchObject({ ok: true, cancel: true });
  });

  it('keeps a text body as text', async () => {
    const result = await transform('function handler(w) { w.payload = w.payload + "!"; return w; }', false);
    expect(result).toMatchObject({ ok: true, body: '<a/>!' });
    expect(await transform('function handler(w) { w.payload = {}; return w; }', false)).toMatchObject({
      ok: false,
      error: expect.stringContaining('payload must stay a string'),
    });
  });

  it.each([
    ['a syntax error', 'function handler(w) { return w', /SyntaxError/],
    ['no handler', 'const x = 1;', /function named handler/],
    ['a throw', 'function handler(w) { throw new Error("nope"); }', /Error: nope/],
    ['an infinite loop', 'function handler(w) { for (;;) {} }', /longer than \d+ ms/],
    ['an infinite loop at load', 'for (;;) {} function handler(w) { return w; }', /longer than \d+ ms/],
    [
      'a huge allocation',
      'function handler(w) { let s = "x"; for (;;) s = s + s; }',
      /more than \d+ MB of memory|string too long/,
    ],
    [
      'a huge array',
      'function handler(w) { const a = []; for (;;) a.push({ a: [1, 2, 3] }); }',
      /memory|longer/,
    ],
    ['deep recursion', 'function handler(w) { return handler(w); }', /stack|recursed too deeply/i],
    ['no return', 'function handler(w) { }', /return the webhook/],
    ['a bad method', 'function handler(w) { w.method = "DELETE"; return w; }', /method must be one of/],
    ['a bad url', 'function handler(w) { w.url = "ftp://x"; return w; }', /http or https/],
    [
      'a reserved header',
      'function handler(w) { w.headers["webhook-signature"] = "x"; return w; }',
      /set by Herald/,
    ],
    ['a header with a line break', 'function handler(w) { w.headers.a = "x\\ny"; return w; }', /line breaks/],
    ['no I/O', 'function handler(w) { require("fs"); return w; }', /ReferenceError/],
  ])('reports %s as an error, and goes on working', async (_name, code, error) => {
    const result = await transform(code);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toMatch(error);
    expect(await transform('function handler(w) { return w; }')).toMatchObject({
      ok: true,
      body: '{"id":1}',
    });
  });
});
