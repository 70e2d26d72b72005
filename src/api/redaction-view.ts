/**
 * What application keys and portal users are shown: message payloads and attempt bodies with their application's
 * redaction rules (or the platform's) applied. Admin keys see what is stored.
 */
import type { FastifyRequest } from 'fastify';
import { redactorFor, type Redactor } from '../util/redaction.js';

export function viewerRedactor(request: FastifyRequest, defaultRules: readonly string[]): Redactor | null {
  const application = request.application;
  if (!request.principal || request.principal.appId === null || !application) return null;
  return redactorFor(application.redactionRules ?? defaultRules);
}
