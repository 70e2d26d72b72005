/** The dashboard reads the API's error bodies: `{code, detail}` with a sentence, or a 422's list of `{loc, msg}`. */
import { describe as suite, expect, it } from 'vitest';
import { describe, placeOf } from '../../web/src/lib/api-error.js';

suite('dashboard: API error bodies', () => {
  it('reads a sentence', () => {
    const error = describe(409, { code: 'conflict', detail: 'another application already has this uid' });
    expect(error.status).toBe(409);
    expect(error.code).toBe('conflict');
    expect(error.message).toBe('another application already has this uid');
    expect(error.problems).toEqual([]);
  });

  it("reads a 422's list of {loc, msg}, naming each place without the request part", () => {
    const error = describe(422, {
      code: 'validation',
      detail: [
        { loc: ['body', 'url'], msg: 'must be a URL', type: 'value_error' },
        { loc: ['body', 'applications', '0', 'id'], msg: 'must match pattern' },
      ],
    });
    expect(error.code).toBe('validation');
    expect(error.problems.map((problem) => problem.loc)).toEqual([
      ['body', 'url'],
      ['body', 'applications', '0', 'id'],
    ]);
    expect(error.message).toBe('url must be a URL; applications[0].id must match pattern');
    expect(error.fieldErrors()).toEqual({ url: 'must be a URL', applications: '[0].id must match pattern' });
  });

  it('writes places the way the API names them', () => {
    expect(placeOf(['filter', 'payload.amount', '$gte'])).toBe('filter["payload.amount"].$gte');
  });

  it('says the status when the body says nothing', () => {
    expect(describe(500, null).message).toContain('500');
    expect(describe(422, { detail: [] }).message).toBe('the server answered 422');
  });
});
