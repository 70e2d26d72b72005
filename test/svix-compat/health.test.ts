/** Port of Svix's e2e_health.rs: the ping route, with and without a trailing slash. */
import { it } from 'vitest';
import { describeSvix } from './support.js';

describeSvix('e2e_health', (h) => {
  it('ping_with_trailing_slash', async () => {
    await h.server().client.get('api/v1/health/ping/', 204);
  });

  it('ping_without_trailing_slash', async () => {
    await h.server().client.get('api/v1/health/ping', 204);
  });
});
