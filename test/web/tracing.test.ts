/**
 * The endpoint form's "Send trace context" checkbox, in a real Chromium against a real Herald that traces to
 * an OTLP receiver on 127.0.0.1: ticked and saved, the endpoint receives a `traceparent` naming its attempt's
 * span; unticked again, it receives none.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportTo, startOtlpReceiver, stopExporting, type OtlpReceiver } from '../helpers/otlp-receiver.js';
import { signIn, webFixture, type WebFixture } from './fixture.js';

describe('dashboard: sending trace context to an endpoint', () => {
  let f: WebFixture;
  let otlp: OtlpReceiver;
  beforeAll(async () => {
    otlp = await startOtlpReceiver();
    exportTo(otlp);
    f = await webFixture();
    await f.setup('POST', '/app', { name: 'Globex', uid: 'globex' });
    await signIn(f.page, f.herald.url, f.herald.token);
  });
  afterAll(async () => {
    await f?.close();
    stopExporting();
    await otlp?.close();
  });

  it('saves the setting, shows it when editing, and the endpoint gets traceparent', async () => {
    const { page } = f;
    await page.goto(`${f.herald.url}/apps/globex/endpoints/new`);
    await page.getByLabel('URL').fill(`${f.receiver.url}/traced`);
    const checkbox = page.getByLabel(/Send trace context/);
    expect(await checkbox.isChecked()).toBe(false);
    await checkbox.check();
    await page.getByRole('button', { name: 'Create endpoint' }).click();
    await page.getByRole('heading', { name: `${f.receiver.url}/traced` }).waitFor();
    const [endpoint] = (await f.setup('GET', '/app/globex/endpoint')).data;
    expect(endpoint.propagateTraceContext).toBe(true);
    await page.getByText('sends trace context').waitFor();

    await f.setup('POST', '/app/globex/msg', { eventType: 'user.created', payload: { n: 1 } });
    const [first] = await f.receiver.waitFor(1);
    const traceparent = first!.headers.traceparent as string;
    expect(traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
    // The span it names is the attempt's, exported to the collector.
    const spanId = traceparent.split('-')[2];
    await otlp.waitFor((spans) => spans.some((span) => span.spanId === spanId));

    // Editing shows the saved setting; unticked and saved, the next delivery carries none.
    await page.goto(`${f.herald.url}/apps/globex/endpoints/${endpoint.id}/edit`);
    await expect.poll(() => checkbox.isChecked()).toBe(true);
    await checkbox.uncheck();
    await page.getByRole('button', { name: /Save/ }).click();
    await expect
      .poll(async () => (await f.setup('GET', `/app/globex/endpoint/${endpoint.id}`)).propagateTraceContext)
      .toBe(false);
    await f.setup('POST', '/app/globex/msg', { eventType: 'user.created', payload: { n: 2 } });
    const [, second] = await f.receiver.waitFor(2);
    expect(second!.headers.traceparent).toBeUndefined();
  });
});
