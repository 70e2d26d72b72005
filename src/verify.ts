/**
 * `herald/verify`: what a webhook receiver needs to check Herald's signatures, with no dependency beyond
 * `node:crypto`. See docs/receiving.md for receivers in Express, Fastify and `node:http`.
 */
export {
  DEFAULT_TOLERANCE_SECONDS,
  signWebhook,
  verifyWebhook,
  verifyWebhookBody,
  verifyWebhookJson,
  webhookIdentity,
  WebhookVerificationError,
  type VerificationFailure,
  type VerifyOptions,
  type WebhookHeaders,
  type WebhookIdentity,
} from './signing/verify.js';
