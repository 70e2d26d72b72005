/** The dashboard reads the API's error bodies: `detail` as a sentence with `errors`, or as a list of `{loc, msg}`. */
import { describe as suite, expect, it } from 'vitest';
import { describe } from '../../web/src/lib/api-error.js';

suite('dashboard: API error bodies', () => {
  it('reads a sentence with its listed problems', () => {
    const error = describe(422, {
      code: 'validation',
      detail: 'body.passphrase is wrong',
      errors: [
        { loc: ['body', 'passphrase'], msg: 'is wrong' },
        { loc: ['body', 'applications', 0, 'id'], msg: 'must match pattern' },
      ],
    });
    expect(error.status).toBe(422);
    expect(error.code).toBe('validation');
    expect(error.problems).toEqual([
      'body.passphrase: is wrong',
      'body.applications.0.id: must match pattern',
    ]);
    expect(error.message).toContain('body.passphrase is wrong');
  });

  it('reads a detail that is a list of {loc, msg}', () => {
    const error = describe(422, {
      detail: [
        { loc: ['body', 'url'], msg: 'must be a URL', type: 'value_error' },
        { loc: ['body', 'name'], msg: 'is required' },
      ],
    });
    expect(error.problems).toEqual(['body.url: must be a URL', 'body.name: is required']);
    expect(error.message).toBe('body.url: must be a URL; body.name: is required');
  });

  it('says the status when the body says nothing', () => {
    expect(describe(500, null).message).toContain('500');
    expect(describe(422, { detail: [] }).message).toBe('the server answered 422');
  });
});
