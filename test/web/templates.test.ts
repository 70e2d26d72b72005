/**
 * Templates in the dashboard: write one with a live preview against an event type's example, see a broken one's
 * problems at their line, keep versions, and bind one to an endpoint, whose attempts then show the body as sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { checkPhoneScreens, signIn, webFixture, type WebFixture } from './fixture.js';

const SCHEMA = {
  type: 'object',
  properties: {
    invoiceId: { type: 'string' },
    amount: { type: 'number' },
    customer: { type: 'object', properties: { name: { type: 'string' } } },
  },
  required: ['invoiceId', 'amount'],
  examples: [{ invoiceId: 'inv_42', amount: 12.5, customer: { name: 'Zoë' } }],
};

const SLACK = '{"text": {{ "Invoice " | append: event.data.invoiceId | json }}}';

/** The rendered body as text, without the line numbers beside it. */
async function rendered(page: Page): Promise<string> {
  const lines = await page
    .getByLabel('Rendered body')
    .locator('.code-line > span:last-child')
    .allTextContents();
  return lines.join('\n');
}

describe('dashboard: templates', () => {
  let f: WebFixture;
  let endpointId: string;
  let templateId: string;
  beforeAll(async () => {
    f = await webFixture();
    await f.setup('POST', '/event-type', {
      name: 'invoice.paid',
      description: 'An invoice was paid',
      schemas: { '1': SCHEMA },
    });
    await f.setup('POST', '/app', { name: 'Hooli', uid: 'hooli' });
    endpointId = (await f.setup('POST', '/app/hooli/endpoint', { url: `${f.receiver.url}/slack` })).id;
    await signIn(f.page, f.herald.url, f.herald.token);
  });
  afterAll(async () => f?.close());

  it('creates a template whose live preview follows the typing and the example payload', async () => {
    const { page } = f;
    await page.getByRole('link', { name: 'Templates' }).click();
    await page.getByText('No templates yet.').waitFor();
    await page.getByRole('link', { name: 'New template' }).click();
    await page.getByLabel('Name').fill('Slack message');
    // The starting point renders at once, against no event type.
    await expect.poll(() => rendered(page)).toContain('"type": "example.event"');
    await page.getByLabel('Event type (optional)').selectOption('invoice.paid');
    await expect.poll(() => page.getByLabel('Example payload (event.data)').inputValue()).toContain('inv_42');
    await page.getByRole('textbox', { name: 'Template', exact: true }).fill(SLACK);
    await expect.poll(() => rendered(page)).toBe('{"text": "Invoice inv_42"}');
    await page.getByText('Would be sent').waitFor();
    await page.getByText('content-type: application/json', { exact: true }).waitFor();

    await page.getByLabel('Example payload (event.data)').fill('{"invoiceId": "inv_99", "amount": 1}');
    await expect.poll(() => rendered(page)).toBe('{"text": "Invoice inv_99"}');
    await page.getByLabel('Example payload (event.data)').fill('{"invoiceId": ');
    await page.getByText(/not valid JSON/).waitFor();
    await page.getByText('Fix the example payload to see the preview.').waitFor();
    await page.getByLabel('Example payload (event.data)').fill('{"invoiceId": "inv_42", "amount": 12.5}');

    await page.getByRole('button', { name: 'Create template' }).click();
    await page.getByRole('heading', { name: 'Slack message' }).waitFor();
    await page.getByText('Version 1', { exact: true }).first().waitFor();
    templateId = new URL(page.url()).pathname.split('/').at(-1)!;
    expect(templateId).toMatch(/^tmpl_/);
    const saved = await f.setup('GET', `/template/${templateId}`);
    expect(saved).toMatchObject({ name: 'Slack message', body: SLACK, eventType: 'invoice.paid' });
    await expect.poll(() => rendered(page)).toBe('{"text": "Invoice inv_42"}');
    await f.browser.screenshot('template-editor');
  });

  it('shows a broken template’s problems at their line, and refuses to save it', async () => {
    const { page } = f;
    const editor = page.getByRole('textbox', { name: 'Template', exact: true });
    await editor.fill(
      [
        '{',
        '  "text": {{ event.data.invoiceId | json }},',
        '  "amount": {{ event.data.amount | json }',
        '}',
      ].join('\n'),
    );
    const problems = page.getByRole('list', { name: 'Problems in the template' });
    await problems.getByRole('button', { name: /^Line 3, column \d+$/ }).waitFor();
    expect(await problems.textContent()).toMatch(/not closed/);
    await expect.poll(() => page.locator('.editor-gutter .bad').allTextContents()).toEqual(['3']);
    await page.getByText('Would not be sent').waitFor();
    await page.getByText(/Nothing rendered: fix the problem marked in the template/).waitFor();
    await page.getByText('Unsaved changes').waitFor();
    await f.browser.screenshot('template-syntax-error');
    // Saving is refused by the API with the same problem, at the same line.
    await page.getByRole('button', { name: 'Save template' }).click();
    await page
      .getByRole('alert')
      .getByText(/body has a problem at line 3, column \d+: .*not closed/i)
      .waitFor();

    // Choosing the problem puts the caret on its line.
    await problems.getByRole('button', { name: /^Line 3/ }).click();
    const caretLine = await editor.evaluate((element) => {
      const area = element as unknown as { value: string; selectionStart: number };
      return area.value.slice(0, area.selectionStart).split('\n').length;
    });
    expect(caretLine).toBe(3);
    expect(await f.page.evaluate('document.activeElement.id')).toBe(await editor.getAttribute('id'));

    // A variable the event type's schema does not have is a problem too, on its own line.
    await editor.fill(['{', '  "text": {{ event.data.invoiceNumber | json }}', '}'].join('\n'));
    await problems.getByRole('button', { name: /^Line 2, column \d+$/ }).waitFor();
    expect(await problems.textContent()).toMatch(/invoiceNumber/);
    await expect.poll(() => page.locator('.editor-gutter .bad').allTextContents()).toEqual(['2']);

    // Output that is not valid for the content type is marked in the output, at its line.
    await editor.fill('{"text": {{ event.data.invoiceId }}}');
    const output = page.getByRole('list', { name: 'Problems in the output' });
    await output.getByText(/^Output line 1, column 10/).waitFor();
    await expect.poll(() => page.locator('.code-line.bad .ln').allTextContents()).toEqual(['1']);

    // Such a template saves (its output depends on the data), but only once the author confirms.
    await page.getByRole('button', { name: 'Save template' }).click();
    const ask = page.getByRole('group', { name: 'Save a template with invalid output?' });
    await ask.getByText(/deliveries with data like the example would fail/).waitFor();
    await f.browser.screenshot('template-output-error');
    await ask.getByRole('button', { name: 'Keep editing' }).click();
    expect((await f.setup('GET', `/template/${templateId}`)).latestVersion).toBe(1);
  });

  it('saves new content as the next version and lists every version', async () => {
    const { page } = f;
    await page.getByLabel('Content type').selectOption('text');
    await page
      .getByRole('textbox', { name: 'Template', exact: true })
      .fill('Invoice {{ event.data.invoiceId }} was paid: {{ event.data.amount | format_number: 2 }}');
    await expect.poll(() => rendered(page)).toBe('Invoice inv_42 was paid: 12.50');
    await page.getByRole('button', { name: 'Save template' }).click();
    await page.getByText(/Saved as version 2/).waitFor();
    const versions = page.getByRole('region', { name: 'Versions' });
    await versions.getByText('Version 2', { exact: true }).waitFor();
    await versions.getByText('Version 1', { exact: true }).waitFor();
    await versions.getByRole('button', { name: 'Show version 1' }).click();
    await versions
      .getByLabel('Version 1')
      .getByText(/Invoice/)
      .waitFor();
    await f.browser.screenshot('template-versions');

    await page.getByRole('link', { name: 'Templates' }).first().click();
    const row = page.getByRole('row', { name: /Slack message/ });
    await row.getByText('TEXT').waitFor();
    await row.getByRole('cell', { name: '2', exact: true }).waitFor();
    await f.browser.screenshot('template-list');
  });

  it('binds a pinned template version to an endpoint; the attempt shows the body as sent', async () => {
    const { page } = f;
    await page.goto(`${f.herald.url}/apps/hooli/endpoints/${endpointId}`);
    const card = page.getByRole('region', { name: 'Body format' });
    await card.getByLabel('Body', { exact: true }).selectOption({ label: 'Template: Slack message (TEXT)' });
    await card.getByLabel('Template version').selectOption({ label: 'Version 1 only (pinned)' });
    await card.getByRole('button', { name: 'Save body format' }).click();
    await card.getByText(/Saved: the next deliveries are shaped by Slack message, version 1/).waitFor();
    const endpoint = await f.setup('GET', `/app/hooli/endpoint/${endpointId}`);
    expect(endpoint).toMatchObject({ templateId, templateVersion: 1, conversion: 'none' });

    f.receiver.answer(() => ({ status: 200, body: 'ok' }));
    await page.getByRole('button', { name: 'Send test event' }).click();
    const result = page.locator('.test-result');
    await result.getByText(/HTTP 200/).waitFor();
    const [request] = await f.receiver.waitFor(1);
    expect(request!.body).toBe('{"text": "Invoice inv_42"}');
    await result.getByText('{"text": "Invoice inv_42"}').waitFor();

    const recent = page.getByRole('region', { name: 'Recent deliveries' });
    await recent
      .getByRole('button', { name: /Details/ })
      .first()
      .click();
    await recent.getByText(/Request body as sent \(application\/json/).waitFor();
    await recent
      .getByLabel(/Request body as sent/)
      .getByText('{"text": "Invoice inv_42"}')
      .waitFor();
    await f.browser.screenshot('attempt-templated-body');
  });

  it('fits a phone-sized screen without sideways scrolling', async () => {
    await checkPhoneScreens(f, [
      ['phone-templates', '/templates'],
      ['phone-template-editor', `/templates/${templateId}`],
      ['phone-template-new', '/templates/new'],
    ]);
  });
});
