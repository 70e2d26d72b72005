/**
 * Security screens: outbound authentication (credentials write-only: the method shows, the secret never does),
 * allowed destination networks for an endpoint and for its application, and the rate-limit status.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPhoneScreens, signIn, webFixture, type WebFixture } from './fixture.js';

describe('dashboard: endpoint security and limits', () => {
  let f: WebFixture;
  let endpointId: string;
  let slowId: string;
  beforeAll(async () => {
    f = await webFixture();
    await f.setup('POST', '/event-type', { name: 'order.created', description: 'An order was placed' });
    await f.setup('POST', '/app', { name: 'Pied Piper', uid: 'piedpiper' });
    endpointId = (await f.setup('POST', '/app/piedpiper/endpoint', { url: `${f.receiver.url}/secure` })).id;
    slowId = (
      await f.setup('POST', '/app/piedpiper/endpoint', { url: `${f.receiver.url}/slow`, throttleRate: 1 })
    ).id;
    await signIn(f.page, f.herald.url, f.herald.token);
  });
  afterAll(async () => f?.close());

  it('checks authentication fields as you type and shows the server’s reason for a refusal', async () => {
    const { page } = f;
    await page.goto(`${f.herald.url}/apps/piedpiper/endpoints/${endpointId}`);
    const card = page.getByRole('region', { name: 'Outbound authentication' });
    await card.getByText('None.').waitFor();
    await card.getByRole('button', { name: 'Set up authentication…' }).click();
    await card.getByLabel('Method').selectOption('oauth2');
    await card.getByLabel('Token URL').fill('auth.example.com/token');
    await card.getByText('enter a full URL, starting with https:// or http://').waitFor();
    // A private address passes the form's checks, but Herald refuses to connect to it, and says so.
    await card.getByLabel('Token URL').fill('http://10.0.0.1/token');
    await card.getByLabel('Client id').fill('herald');
    await card.getByRole('button', { name: 'Save authentication' }).click();
    await card.getByText('enter the client secret').waitFor();
    await card.getByLabel('Client secret').fill('client-secret-value');
    await card.getByRole('button', { name: 'Save authentication' }).click();
    await card
      .getByRole('alert')
      .getByText(/tokenUrl points at 10\.0\.0\.1 .*HERALD_SSRF_ALLOW_CIDRS/)
      .waitFor();
    await f.browser.screenshot('auth-form-refused');
    expect((await f.setup('GET', `/app/piedpiper/endpoint/${endpointId}/auth`)).type).toBe('none');

    // A JWT without a key: Herald generates an HS256 secret and shows it this once.
    await card.getByLabel('Method').selectOption('jwt');
    await card.getByLabel('Secret (optional)').fill('too short');
    await card.getByText(/an HS256 secret needs 32 characters or more/).waitFor();
    await card.getByLabel('Secret (optional)').fill('');
    await card.getByLabel('Issuer, iss (optional)').fill('herald.example');
    await card.getByRole('button', { name: 'Save authentication' }).click();
    const generated = await card.getByRole('textbox', { name: 'Generated secret' }).inputValue();
    expect(generated.length).toBeGreaterThanOrEqual(32);
    await card.getByText('JWT (a signed Bearer token on every request)', { exact: true }).waitFor();
    await card.getByText('herald.example').waitFor();
    await page.reload();
    await card.getByText('herald.example').waitFor();
    expect(await page.content()).not.toContain(generated);
  });

  it('sets Basic authentication: saved and sent, and the password never shown', async () => {
    const { page } = f;
    const card = page.getByRole('region', { name: 'Outbound authentication' });
    await card.getByRole('button', { name: 'Change…' }).click();
    await card.getByLabel('Method').selectOption('basic');
    await card.getByLabel('User name').fill('herald:ops');
    await card.getByText(/cannot contain ":"/).waitFor();
    await card.getByLabel('User name').fill('herald');
    await card.getByLabel('Password').fill('pa55-w0rd-value');
    await card.getByRole('button', { name: 'Save authentication' }).click();
    await card.getByText(/Saved: Herald authenticates with HTTP Basic/).waitFor();
    const facts = card.getByRole('definition');
    await expect.poll(() => facts.allTextContents()).toEqual(['herald', 'set (write-only)']);
    expect(await page.content()).not.toContain('pa55-w0rd-value');
    expect(await f.setup('GET', `/app/piedpiper/endpoint/${endpointId}/auth`)).toEqual({
      type: 'basic',
      username: 'herald',
    });
    await f.browser.screenshot('auth-basic-saved');

    await page.getByRole('button', { name: 'Send test event' }).click();
    await page
      .locator('.test-result')
      .getByText(/HTTP 200/)
      .waitFor();
    const request = f.receiver.received.find((r) => r.path === '/secure')!;
    expect(request.headers.authorization).toBe(`Basic ${btoa('herald:pa55-w0rd-value')}`);
  });

  it('restricts the endpoint’s destination networks, checking the list as you type', async () => {
    const { page } = f;
    const card = page.getByRole('region', { name: 'Allowed destination networks' });
    await card.getByText('No restriction.').waitFor();
    await card.getByRole('button', { name: 'Restrict networks…' }).click();
    const list = card.getByRole('textbox', { name: 'Allowed networks' });
    await list.fill('10.0.0.0/33');
    await card.getByText(/the prefix length after "\/" must be a whole number from 0 to 32/).waitFor();
    await list.fill('10.0.0.0/8\nexample.com');
    await card.getByText(/"example\.com" is not an IP address or CIDR/).waitFor();
    await list.fill('10.0.0.0/8');
    // The receiver is on 127.0.0.1: the form warns that this list would block it.
    await card.getByText(/points at 127\.0\.0\.1, which is outside these networks/).waitFor();
    await list.fill('127.0.0.0/8\n::1');
    await card.getByText('Saved as 127.0.0.0/8, ::1/128').waitFor();
    expect(await card.getByText(/outside these networks/).count()).toBe(0);
    await f.browser.screenshot('networks-form');
    await card.getByRole('button', { name: 'Save networks' }).click();
    await card.getByText('Allowed networks saved.').waitFor();
    const saved = card.getByRole('list', { name: 'Allowed networks' });
    await expect
      .poll(() => saved.getByRole('listitem').allTextContents())
      .toEqual(['127.0.0.0/8', '::1/128']);
    expect(await f.setup('GET', `/app/piedpiper/endpoint/${endpointId}/ip-restrictions`)).toEqual({
      allowedDestinationCidrs: ['127.0.0.0/8', '::1/128'],
    });
    await f.browser.screenshot('endpoint-security');
  });

  it('restricts the whole application’s networks from its Security tab', async () => {
    const { page } = f;
    await page.getByRole('link', { name: 'Security', exact: true }).click();
    await page.getByRole('heading', { name: 'Security and limits' }).waitFor();
    const card = page.getByRole('region', { name: 'Allowed networks for every endpoint' });
    await card.getByRole('button', { name: 'Restrict networks…' }).click();
    await card.getByRole('textbox', { name: 'Allowed networks' }).fill('127.0.0.1');
    await card.getByText('Saved as 127.0.0.1/32').waitFor();
    await card.getByRole('button', { name: 'Save networks' }).click();
    await card.getByRole('list', { name: 'Allowed networks' }).getByText('127.0.0.1/32').waitFor();
    expect(await f.setup('GET', '/app/piedpiper/ip-restrictions')).toEqual({
      allowedDestinationCidrs: ['127.0.0.1/32'],
    });
  });

  it('shows each endpoint’s rate limit: tokens, the next token and what waits', async () => {
    const { page } = f;
    f.receiver.answer(() => ({ status: 200 }));
    // One message a second: the first takes the only token, the rest wait their turn.
    const slow = await f.setup('GET', `/app/piedpiper/endpoint/${slowId}`);
    await f.setup('POST', '/app/piedpiper/msg/batch', {
      messages: Array.from({ length: 8 }, (_, i) => ({ eventType: 'order.created', payload: { i } })),
    });
    const table = page.getByRole('table', { name: 'Rate limits by endpoint' });
    const row = table.getByRole('row', { name: new RegExp(slow.url) });
    await row.getByText('1 a second').waitFor();
    await row.getByText('Throttled').waitFor();
    const waiting = Number(await row.getByRole('cell').nth(4).textContent());
    expect(waiting).toBeGreaterThan(0);
    await table
      .getByRole('row', { name: new RegExp(`${f.receiver.url}/secure`) })
      .getByText('none')
      .waitFor();
    await f.browser.screenshot('app-security');

    await row.getByRole('link').click();
    await page.getByText(/Rate limit 1 a second · .* tokens free/).waitFor();
  });

  it('fits a phone-sized screen without sideways scrolling', async () => {
    await checkPhoneScreens(
      f,
      [
        ['phone-endpoint-security', `/apps/piedpiper/endpoints/${endpointId}`],
        ['phone-app-security', '/apps/piedpiper/security'],
      ],
      async (phone, name) => {
        if (name !== 'phone-endpoint-security') return;
        await phone.getByRole('button', { name: 'Change…' }).click();
        await phone.getByRole('button', { name: 'Change networks…' }).click();
      },
    );
  });
});
