/**
 * The one JSON body every throughput figure sends: an object that serialises to exactly 1 KiB. Herald sends a
 * message's payload as `JSON.stringify(payload)`, so a message with this payload reaches the receiver as the same
 * 1 KiB the raw ceiling posts.
 */
export const PAYLOAD_BYTES = 1024;

function buildPayload(): Record<string, unknown> {
  const base = { type: 'invoice.paid', invoiceId: 'inv_0000000042', amount: 4200, currency: 'EUR', note: '' };
  const padding = PAYLOAD_BYTES - JSON.stringify(base).length;
  return { ...base, note: 'x'.repeat(padding) };
}

export const PAYLOAD = buildPayload();
export const PAYLOAD_JSON = JSON.stringify(PAYLOAD);
if (Buffer.byteLength(PAYLOAD_JSON) !== PAYLOAD_BYTES) throw new Error('the bench payload is not 1 KiB');

/** Channels spread messages over endpoints: endpoint i listens on channel `c<i>`. */
export const channelOf = (index: number) => `c${index}`;
