/**
 * An event type's own retry schedule, set on its page in the catalogue and read back through the API as Svix
 * durations; the page says that an endpoint's own schedule comes first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn, webFixture, type WebFixture } from './fixture.js';

describe('dashboard: event type retry schedule', () => {
  let f: WebFixture;
  beforeAll(async () => {
    f = await webFixture();
    await f.setup('POST', '/event-type', { name: 'invoice.paid', description: 'An invoice was paid' });
    await signIn(f.page, f.herald.url, f.herald.token);
  });
  afterAll(async () => f?.close());

  const read = async () =>
    (await f.setup('GET', '/event-type/invoice.paid/retry-schedule')).retrySchedule as unknown;

  it('sets, clears and turns off retries for an event type', async () => {
    const { page } = f;
    await page.goto(`${f.herald.url}/event-types/invoice.paid`);
    const card = page.getByRole('region', { name: 'Retry schedule' });
    await card.getByText('None: endpoints use their own schedule, or the default.').waitFor();
    expect(await card.innerText()).toContain("An endpoint's own retry schedule");

    const input = card.getByLabel('Waits before each retry (seconds)');
    const save = card.getByRole('button', { name: 'Save retry schedule' });
    await input.fill('5, abc');
    await card.getByText('"abc" is not a number of seconds').waitFor();
    expect(await save.isDisabled()).toBe(true);

    await input.fill('5, 0.5, 3600');
    await save.click();
    await card.getByText('Saved. Retried after 5 s, 0.5 s, 3600 s.').waitFor();
    expect(await read()).toEqual([
      { secs: 5, nanos: 0 },
      { secs: 0, nanos: 500_000_000 },
      { secs: 3600, nanos: 0 },
    ]);
    await f.browser.screenshot('event-type-retry-schedule');

    await card.getByLabel('Never retry (one attempt only)').check();
    await save.click();
    await card.getByText('Saved. Never retried').waitFor();
    expect(await read()).toEqual([]);

    await card.getByLabel('Never retry (one attempt only)').uncheck();
    await input.fill('');
    await save.click();
    await card.getByText('Saved. None:').waitFor();
    expect(await read()).toBeNull();
  });

  it('shows the schedule set through the API after a reload', async () => {
    const { page } = f;
    await f.setup('PUT', '/event-type/invoice.paid/retry-schedule', {
      retrySchedule: [{ secs: 60, nanos: 0 }],
    });
    await page.reload();
    const card = page.getByRole('region', { name: 'Retry schedule' });
    await card.getByText('Retried after 60 s.').waitFor();
    expect(await card.getByLabel('Waits before each retry (seconds)').inputValue()).toBe('60');
  });
});
