import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HERALD_STORES, startTestHerald, type RunningHerald } from '../helpers/herald.js';
import { startReceiver, type Received, type Receiver } from '../helpers/receiver.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

const SCHEMAS = {
  '1': {
    type: 'object',
    properties: { id: { type: 'string' }, total: { type: 'string' } },
    required: ['id', 'total'],
    examples: [{ id: 'inv_1', total: '1.00' }],
  },
  '2': {
    type: 'object',
    properties: { invoiceId: { type: 'string' }, amount: { type: 'number' }, customer: { type: 'string' } },
    required: ['invoiceId', 'amount'],
    examples: [{ invoiceId: 'inv_example', amount: 1, customer: 'Example & Co' }],
  },
};

/** Checks the Standard Webhooks signature over the exact bytes received, whatever their format. */
function expectSigned(request: Received): void {
  const id = request.headers['webhook-id'] as string;
  const timestamp = request.headers['webhook-timestamp'] as string;
  const key = Buffer.from(SECRET.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${request.body}`).digest('base64');
  expect((request.headers['webhook-signature'] as string).split(' ')).toContain(`v1,${expected}`);
}

describe.each(HERALD_STORES)('templates end to end ($dialect)', ({ postgres, skip }) => {
  const test = skip ? it.skip : it;
  let h: RunningHerald;
  let appCount = 0;
  const receivers: Receiver[] = [];

  beforeAll(async () => {
    if (skip) return;
    h = await startTestHerald({}, { postgres });
    const created = await h.call('POST', '/event-type', {
      name: 'invoice.paid',
      description: 'An invoice was paid',
      schemas: SCHEMAS,
      deprecatedVersions: ['1'],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
  });
  afterAll(async () => {
    await Promise.all(receivers.map((receiver) => receiver.close()));
    await h?.close();
  });

  async function template(body: Record<string, unknown>) {
    const created = await h.call('POST', '/template', { name: `t-${++appCount}`, ...body });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return created.body.id as string;
  }

  async function app() {
    const uid = `tapp-${++appCount}`;
    const created = await h.call('POST', '/app', { name: 'Acme & Sons', uid, metadata: { tier: 'gold' } });
    expect(created.status).toBe(201);
    return uid;
  }

  async function endpoint(uid: string, settings: Record<string, unknown> = {}) {
    const receiver = await startReceiver();
    receivers.push(receiver);
    const created = await h.call('POST', `/app/${uid}/endpoint`, {
      url: `${receiver.url}/hook`,
      secret: SECRET,
      ...settings,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return { receiver, endpointId: created.body.id as string };
  }

  async function send(uid: string, payload: Record<string, unknown>) {
    const sent = await h.call('POST', `/app/${uid}/msg`, { eventType: 'invoice.paid', payload });
    expect(sent.status, JSON.stringify(sent.body)).toBe(202);
    return sent.body.id as string;
  }

  async function attemptsOf(uid: string, msgId: string, count = 1) {
    for (let i = 0; i < 100; i++) {
      const listed = await h.call('GET', `/app/${uid}/attempt/msg/${msgId}`);
      if (listed.body.data.length >= count) return listed.body.data;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`no attempts for ${msgId}`);
  }

  test('sends a Slack-style JSON body, signed over the bytes received', async () => {
    const templateId = await template({
      contentType: 'json',
      eventType: 'invoice.paid',
      body:
        '{"text": {{ "Invoice " | append: event.data.invoiceId | append: " paid: " | append: event.data.customer | json }},\n' +
        ' "app": {{ app.name | json }}, "tier": {{ app.metadata.tier | json }}, "at": {{ event.timestamp | json }}}',
    });
    const uid = await app();
    const { receiver } = await endpoint(uid, { templateId });
    const msgId = await send(uid, { invoiceId: 'inv_42', amount: 12.5, customer: 'Zoë "Z" </b>' });
    const [request] = await receiver.waitFor(1);
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers['webhook-id']).toBe(msgId);
    expectSigned(request!);
    const body = JSON.parse(request!.body);
    expect(body).toMatchObject({
      text: 'Invoice inv_42 paid: Zoë "Z" </b>',
      app: 'Acme & Sons',
      tier: 'gold',
    });
    expect(request!.body).toContain('\\u003c/b\\u003e');
    expect(Date.parse(body.at)).toBeGreaterThan(0);
  });

  test('sends an XML template', async () => {
    const templateId = await template({
      contentType: 'xml',
      eventType: 'invoice.paid',
      body:
        '<?xml version="1.0" encoding="UTF-8"?>\n<invoice id="{{ event.data.invoiceId | xml_escape }}">' +
        '<customer>{{ event.data.customer | xml_escape }}</customer><amount>{{ event.data.amount | format_number: 2 }}</amount></invoice>',
    });
    const uid = await app();
    const { receiver } = await endpoint(uid, { templateId });
    const plain = await endpoint(uid);
    const msgId = await send(uid, { invoiceId: 'inv_7', amount: 1234.5, customer: 'Smith & Jones <Ltd>' });
    const [request] = await receiver.waitFor(1);
    expect(request!.headers['content-type']).toBe('application/xml');
    expect(request!.body).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<invoice id="inv_7"><customer>Smith &amp; Jones &lt;Ltd&gt;</customer>' +
        '<amount>1,234.50</amount></invoice>',
    );
    expectSigned(request!);
    await plain.receiver.waitFor(1);
    // The attempt log keeps the body as sent when a template shaped it, and nothing extra when it did not.
    const attempts: { id: string; endpointId: string }[] = await attemptsOf(uid, msgId, 2);
    const bodies = new Map<string, unknown>();
    for (const attempt of attempts) {
      const detail = await h.call('GET', `/app/${uid}/msg/${msgId}/attempt/${attempt.id}`);
      bodies.set(attempt.endpointId, detail.body.requestBody);
    }
    expect(bodies.get(plain.endpointId)).toBeNull();
    expect([...bodies.values()]).toContain(request!.body);
  });

  test('converts the standard body to form encoding and to XML without a template', async () => {
    const uid = await app();
    const form = await endpoint(uid, { conversion: 'form' });
    const xml = await endpoint(uid, { conversion: 'xml' });
    await send(uid, { invoiceId: 'inv_9', amount: 3, customer: 'A B' });
    const [formRequest] = await form.receiver.waitFor(1);
    expect(formRequest!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(formRequest!.body).toBe('invoiceId=inv_9&amount=3&customer=A+B');
    expectSigned(formRequest!);
    const [xmlRequest] = await xml.receiver.waitFor(1);
    expect(xmlRequest!.headers['content-type']).toBe('application/xml');
    expect(xmlRequest!.body).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<payload><invoiceId>inv_9</invoiceId><amount>3</amount>' +
        '<customer>A B</customer></payload>',
    );
    expectSigned(xmlRequest!);
  });

  test('rolls a new version out to one endpoint while another stays pinned, and rolls back', async () => {
    const templateId = await template({ contentType: 'text', body: 'v1 {{ event.data.invoiceId }}' });
    const uid = await app();
    const pinned = await endpoint(uid, { templateId, templateVersion: 1 });
    const latest = await endpoint(uid, { templateId });
    const edited = await h.call('PATCH', `/template/${templateId}`, {
      body: 'v2 {{ event.data.invoiceId }}',
    });
    expect(edited.body.latestVersion).toBe(2);
    await send(uid, { invoiceId: 'inv_1', amount: 1 });
    expect((await pinned.receiver.waitFor(1))[0]!.body).toBe('v1 inv_1');
    expect((await latest.receiver.waitFor(1))[0]!.body).toBe('v2 inv_1');
    expect(latest.receiver.received[0]!.headers['content-type']).toBe('text/plain; charset=utf-8');
    // Roll the second endpoint back by pinning version 1.
    const rolledBack = await h.call('PATCH', `/app/${uid}/endpoint/${latest.endpointId}`, {
      templateVersion: 1,
    });
    expect(rolledBack.body.templateVersion).toBe(1);
    await send(uid, { invoiceId: 'inv_2', amount: 1 });
    expect((await latest.receiver.waitFor(2))[1]!.body).toBe('v1 inv_2');
  });

  test('maps events into the payload version an endpoint pins', async () => {
    const mapping = await template({
      contentType: 'json',
      eventType: 'invoice.paid',
      payloadVersion: '1',
      body: '{"id": {{ event.data.invoiceId | json }}, "total": {{ event.data.amount | format_number: 2 | json }}}',
    });
    const uid = await app();
    const old = await endpoint(uid, { payloadVersion: '1', templateId: mapping });
    const current = await endpoint(uid, { payloadVersion: '2' });
    await send(uid, { invoiceId: 'inv_5', amount: 5 });
    expect(JSON.parse((await old.receiver.waitFor(1))[0]!.body)).toEqual({ id: 'inv_5', total: '5.00' });
    expect(JSON.parse((await current.receiver.waitFor(1))[0]!.body)).toEqual({
      invoiceId: 'inv_5',
      amount: 5,
    });
  });

  test('records a template_error, sends nothing and does not retry when a template fails', async () => {
    // Saved without an event type, so nothing knows customer is a string that needs quoting.
    const broken = await template({ contentType: 'json', body: '{"customer": {{ event.data.customer }}}' });
    const uid = await app();
    const { receiver, endpointId } = await endpoint(uid, { templateId: broken });
    const msgId = await send(uid, { invoiceId: 'inv_3', amount: 1, customer: 'Bob' });
    const [attempt] = await attemptsOf(uid, msgId);
    const detail = await h.call('GET', `/app/${uid}/msg/${msgId}/attempt/${attempt.id}`);
    expect(detail.body).toMatchObject({
      endpointId,
      responseStatusCode: 0,
      errorClass: 'template_error',
      statusText: 'fail',
    });
    expect(detail.body.errorDetail).toBe('line 1, column 14: the output is not valid JSON: unexpected "B"');
    const destinations = await h.call('GET', `/app/${uid}/msg/${msgId}/endpoint`);
    expect(destinations.body.data[0]).toMatchObject({
      id: endpointId,
      statusText: 'fail',
      nextAttempt: null,
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.received).toHaveLength(0);
    expect((await h.call('GET', `/app/${uid}/attempt/msg/${msgId}`)).body.data).toHaveLength(1);
    // The endpoint is not blamed: it stays enabled and healthy.
    const health = await h.call('GET', `/app/${uid}/endpoint/${endpointId}`);
    expect(health.body).toMatchObject({ disabled: false, disabledReason: null });
  });

  test('stops a hostile template at delivery without stalling the worker', async () => {
    const hostile = await template({
      contentType: 'text',
      body: '{% for a in (1..100000) %}{% for b in (1..100000) %}{% endfor %}{% endfor %}',
    });
    const uid = await app();
    await endpoint(uid, { templateId: hostile });
    const healthy = await endpoint(uid);
    const msgId = await send(uid, { invoiceId: 'inv_4', amount: 1 });
    await healthy.receiver.waitFor(1);
    const attempts = await attemptsOf(uid, msgId, 2);
    const failed = attempts.find((a: { status: number }) => a.status === 2);
    const detail = await h.call('GET', `/app/${uid}/msg/${msgId}/attempt/${failed.id}`);
    expect(detail.body.errorClass).toBe('template_error');
    expect(detail.body.errorDetail).toMatch(/time limit/);
  });

  test('fails deliveries to an endpoint pinned to a payload version no template maps', async () => {
    const uid = await app();
    const { receiver } = await endpoint(uid, { payloadVersion: '1' });
    const msgId = await send(uid, { invoiceId: 'inv_6', amount: 1 });
    const [attempt] = await attemptsOf(uid, msgId);
    const detail = await h.call('GET', `/app/${uid}/msg/${msgId}/attempt/${attempt.id}`);
    expect(detail.body.errorClass).toBe('template_error');
    expect(detail.body.errorDetail).toMatch(
      /receives payload version 1 of invoice\.paid, but the event is version 2/,
    );
    expect(receiver.received).toHaveLength(0);
  });

  test("sends an endpoint's example through its template", async () => {
    const templateId = await template({
      contentType: 'text',
      eventType: 'invoice.paid',
      body: 'example for {{ event.data.customer }}',
    });
    const uid = await app();
    const { receiver, endpointId } = await endpoint(uid, { templateId });
    const sent = await h.call('POST', `/app/${uid}/endpoint/${endpointId}/send-example`, {
      eventType: 'invoice.paid',
    });
    expect(sent.status, JSON.stringify(sent.body)).toBe(200);
    expect((await receiver.waitFor(1))[0]!.body).toBe('example for Example & Co');
  });
});
