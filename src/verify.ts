/**
 * `herald/verify`: what a webhook receiver needs to check Herald's signatures, with no dependency beyond
 * `node:crypto`. See docs/security.md for examples.
 */
export {
  DEFAULT_TOLERANCE_SECONDS,
  signWebhook,
  verifyWebhook,
  WebhookVerificationError,
  type VerifyOptions,
  type WebhookHeaders,
} from './signing/verify.js';
