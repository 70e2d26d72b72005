/**
 * Long lists come a page at a time: the applications and the audit log show 50 rows, with buttons to move on
 * and back, and a new filter starts again from the first page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn, webFixture, type WebFixture } from './fixture.js';

/** One more than a page, so that each list has a second page of one row. */
const COUNT = 51;

const name = (i: number) => `App ${String(i).padStart(2, '0')}`;

describe('dashboard: paging through long lists', () => {
  let f: WebFixture;
  beforeAll(async () => {
    f = await webFixture();
    // One at a time, so that the newest first order is the order of creation.
    for (let i = 1; i <= COUNT; i++) await f.setup('POST', '/app', { name: name(i), uid: `app-${i}` });
    const endpoint = await f.setup('POST', '/app/app-1/endpoint', { url: `${f.receiver.url}/paging` });
    // Each reveal of the secret is one audit record.
    for (let i = 0; i < COUNT; i++) await f.setup('GET', `/app/app-1/endpoint/${endpoint.id}/secret`);
    await signIn(f.page, f.herald.url, f.herald.token);
  });
  afterAll(async () => f?.close());

  it('pages through the applications, 50 at a time', async () => {
    const { page } = f;
    await page.getByRole('heading', { name: 'Applications' }).waitFor();
    const rows = page.locator('table tbody tr');
    await expect.poll(() => rows.count()).toBe(50);
    expect(await rows.first().innerText()).toContain(name(COUNT));
    expect(await page.getByRole('button', { name: 'First page' }).count()).toBe(0);

    await page.getByRole('button', { name: 'Next page' }).click();
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().innerText()).toContain(name(1));
    expect(await page.getByRole('button', { name: 'Next page' }).count()).toBe(0);

    await page.getByRole('button', { name: 'First page' }).click();
    await expect.poll(() => rows.count()).toBe(50);
    expect(await rows.first().innerText()).toContain(name(COUNT));
  });

  it('pages through the audit log to older records and back, and a new filter starts again', async () => {
    const { page } = f;
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    await page.getByLabel('Action').selectOption('endpoint.secret.');
    const rows = page.locator('table tbody tr');
    await expect.poll(() => rows.count()).toBe(50);
    expect(await page.getByRole('button', { name: 'Newer' }).count()).toBe(0);

    await page.getByRole('button', { name: 'Older' }).click();
    await expect.poll(() => rows.count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Older' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Newer' }).click();
    await expect.poll(() => rows.count()).toBe(50);
    expect(await page.getByRole('button', { name: 'Newer' }).count()).toBe(0);

    await page.getByRole('button', { name: 'Older' }).click();
    await expect.poll(() => rows.count()).toBe(1);
    await page.getByLabel('Application (id or uid)').fill('app-1');
    await expect.poll(() => rows.count()).toBe(50);
    expect(await page.getByRole('button', { name: 'Newer' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Older' }).waitFor();
  });
});
