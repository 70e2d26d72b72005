/**
 * HERALD_OPERATOR_WEBHOOK_URL creates the first operational-webhook endpoint (uid `operator-webhook`), so
 * operational events reach it with signatures, retries and an attempt log; its signing secret is generated once
 * and read through `GET /api/v1/operational-webhook/endpoint/operator-webhook/secret`. Once it exists, a changed
 * URL moves it. Other operational-webhook endpoints are managed through the API; when some exist and this one
 * does not (it was deleted), the setting does not bring it back.
 */
import type { Vault } from '../security/vault.js';
import { EndpointSecrets } from '../signing/secrets.js';
import { UniqueViolation, type Store } from '../store/index.js';
import { newId } from '../util/ids.js';
import { OPERATOR_ENDPOINT_UID, type OperationalEvents } from './operational-events.js';

export async function ensureOperatorEndpoint(
  store: Store,
  vault: Vault,
  events: OperationalEvents,
  url: string,
): Promise<void> {
  const app = await events.application();
  const existing = await store.endpointGet(app.id, OPERATOR_ENDPOINT_UID);
  if (existing) {
    if (existing.url !== url) await store.endpointUpdate(app.id, existing.id, { url });
    return;
  }
  const others = await store.endpointList(app.id, { limit: 1, reverse: false, order: 'ascending' });
  if (others.data.length > 0) return;
  const secrets = new EndpointSecrets(vault);
  try {
    await store.endpointCreate({
      id: newId('endpoint'),
      appId: app.id,
      uid: OPERATOR_ENDPOINT_UID,
      url,
      description: 'The operator webhook (HERALD_OPERATOR_WEBHOOK_URL)',
      disabled: false,
      eventTypes: null,
      channels: null,
      metadata: {},
      throttleRate: null,
      headersSealed: secrets.sealHeaders({}),
      secretsSealed: secrets.sealNewSecret(),
    });
  } catch (error) {
    // Another process created it at the same moment.
    if (!(error instanceof UniqueViolation)) throw error;
  }
}
