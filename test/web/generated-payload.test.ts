/**
 * The endpoint's test-send screen fires a payload generated from the event type's schema as well as its example:
 * each generated payload passes the schema, differs from the example, and reaches the receiver as sent.
 */
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn, webFixture, type WebFixture } from './fixture.js';

const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

const SCHEMA = {
  type: 'object',
  required: ['orderId', 'total', 'status', 'placedAt'],
  additionalProperties: false,
  properties: {
    orderId: { type: 'string', pattern: '^ord_[0-9]{6}$' },
    total: { type: 'integer', minimum: 1, maximum: 100_000 },
    status: { enum: ['placed', 'paid', 'shipped'] },
    placedAt: { type: 'string', format: 'date-time' },
  },
  examples: [{ orderId: 'ord_000001', total: 42, status: 'placed', placedAt: '2026-12-07T10:00:00Z' }],
};

describe('dashboard: test event with a generated payload', () => {
  let f: WebFixture;
  let endpointId: string;
  beforeAll(async () => {
    f = await webFixture();
    await f.setup('POST', '/event-type', {
      name: 'order.placed',
      description: 'An order was placed',
      schemas: { '1': SCHEMA },
    });
    await f.setup('POST', '/event-type', { name: 'order.noted', description: 'No schema' });
    await f.setup('POST', '/app', { name: 'Shop', uid: 'shop' });
    endpointId = (await f.setup('POST', '/app/shop/endpoint', { url: `${f.receiver.url}/orders` })).id;
    await signIn(f.page, f.herald.url, f.herald.token);
  });
  afterAll(async () => f?.close());

  it('generates a payload that passes the schema, sends it, and goes back to the example', async () => {
    const { page } = f;
    const ajv = new Ajv({ strict: false });
    addFormats(ajv);
    const validate = ajv.compile(SCHEMA);
    f.receiver.answer(() => ({ status: 200, body: 'ok' }));
    await page.goto(`${f.herald.url}/apps/shop/endpoints/${endpointId}`);
    const card = page.getByRole('region', { name: 'Send a test event' });
    await card.getByLabel('Event type').selectOption('order.placed');
    const payload = card.getByLabel('Payload');
    await expect.poll(() => payload.inputValue()).toContain('ord_000001');

    const generated: unknown[] = [];
    let previous = await payload.inputValue();
    for (let i = 0; i < 3; i++) {
      await card.getByRole('button', { name: 'Generate from schema' }).click();
      // Each click replaces the payload (two generations coincide only by a very rare chance).
      await expect.poll(() => payload.inputValue()).not.toBe(previous);
      previous = await payload.inputValue();
      expect(previous).not.toContain('ord_000001');
      const value = JSON.parse(previous);
      expect(validate(value)).toBe(true);
      generated.push(value);
    }
    const sent = generated.at(-1);
    await card.getByRole('button', { name: 'Send test event' }).click();
    await card.getByText(/HTTP 200 in/).waitFor();
    const [request] = await f.receiver.waitFor(1);
    expect(JSON.parse(request!.body)).toEqual(sent);
    await f.browser.screenshot('test-event-generated');

    await card.getByRole('button', { name: 'Use the example' }).click();
    await expect.poll(() => payload.inputValue()).toContain('ord_000001');
    // An event type without a schema has nothing to generate from: the button is not offered.
    await card.getByLabel('Event type').selectOption('order.noted');
    await expect.poll(() => card.getByRole('button', { name: 'Generate from schema' }).count()).toBe(0);
  });
});
