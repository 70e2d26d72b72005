/** Redaction rules: what they match, and why a rule is refused. */
import { describe, expect, it } from 'vitest';
import { urlForRecord } from '../../src/security/redact.js';
import { redactionRuleProblem, redactorFor } from '../../src/util/redaction.js';

describe('redaction rules', () => {
  const doc = {
    customer: { email: 'a@b.c', name: 'Ada', cards: [{ card_number: '1', last4: '1111' }] },
    card_number: '2',
    orders: [{ customer: { email: 'x@y.z' } }],
  };

  it('redacts a path from the root, looking through arrays', () => {
    const redactor = redactorFor(['payload.customer.email', 'payload.orders.customer.email'])!;
    expect(redactor.redact(doc)).toEqual({
      ...doc,
      customer: { ...doc.customer, email: '[redacted]' },
      orders: [{ customer: { email: '[redacted]' } }],
    });
  });

  it('redacts a field at any depth, written *.name or name', () => {
    for (const rule of ['*.card_number', 'card_number'])
      expect(redactorFor([rule])!.redact(doc)).toEqual({
        ...doc,
        customer: { ...doc.customer, cards: [{ card_number: '[redacted]', last4: '1111' }] },
        card_number: '[redacted]',
      });
  });

  it('matches any one key with *, and redacts whole objects a path ends at', () => {
    expect(redactorFor(['payload.*.cards'])!.redact(doc)).toEqual({
      ...doc,
      customer: { ...doc.customer, cards: '[redacted]' },
    });
  });

  it('leaves text that is not JSON alone, and does not change its input', () => {
    const redactor = redactorFor(['*.email'])!;
    expect(redactor.redactText('ok')).toBe('ok');
    expect(redactor.redactText('{"email":"a"}')).toBe('{"email":"[redacted]"}');
    // JSON cut short (at the response size limit) cannot be searched: all of it goes.
    expect(redactor.redactText('{"email":"a", "na')).toBe('[redacted]');
    redactor.redact(doc);
    expect(doc.customer.email).toBe('a@b.c');
    expect(redactorFor([])).toBeNull();
    expect(redactorFor(null)).toBeNull();
  });

  it('says what is wrong with a bad rule', () => {
    for (const rule of ['payload.customer.email', '*.card_number', 'email', 'payload.*.email'])
      expect(redactionRuleProblem(rule)).toBeNull();
    expect(redactionRuleProblem('')).toMatch(/empty/);
    expect(redactionRuleProblem('a..b')).toMatch(/empty segment/);
    expect(redactionRuleProblem('customer.email')).toMatch(/start with `payload\.`/);
    expect(redactionRuleProblem('*')).toMatch(/everything/);
    expect(redactionRuleProblem('*.*')).toMatch(/everything/);
    expect(redactionRuleProblem('*.a.b')).toMatch(/one field name/);
    expect(redactionRuleProblem('payload')).toMatch(/whole document/);
    expect(redactionRuleProblem('payload.a b')).toMatch(/segment "a b"/);
    expect(redactionRuleProblem('payload.items[0]')).toMatch(/segment/);
  });

  it('records an endpoint URL without its password and query values', () => {
    expect(urlForRecord('https://u:PW@h.example:8443/p/a?token=abc&x=1#f')).toBe(
      'https://u:[redacted]@h.example:8443/p/a?token=[redacted]&x=[redacted]#f',
    );
    expect(urlForRecord('http://127.0.0.1:3000/hook')).toBe('http://127.0.0.1:3000/hook');
    expect(urlForRecord('not a url')).toBe('[redacted]');
  });
});
