/** Writes audit records for security-relevant actions, naming who acted, from where, and what changed. */
import type { FastifyRequest } from 'fastify';
import type { JsonObject, Store } from '../store/index.js';
import { newId } from '../util/ids.js';

export interface AuditEvent {
  action: string;
  targetType?: string;
  targetId?: string;
  appId?: string | null;
  before?: JsonObject | null;
  after?: JsonObject | null;
}

export class Audit {
  constructor(private readonly store: Store) {}

  async record(request: FastifyRequest | null, event: AuditEvent, actor?: string): Promise<void> {
    const now = Date.now();
    await this.store.auditAppend({
      id: newId('audit', now),
      createdAt: now,
      actor: actor ?? request?.principal?.keyId ?? 'anonymous',
      ip: request?.ip ?? null,
      action: event.action,
      targetType: event.targetType ?? null,
      targetId: event.targetId ?? null,
      appId: event.appId ?? null,
      before: event.before ?? null,
      after: event.after ?? null,
    });
  }

  /** Records an action on an endpoint, under its application. */
  async recordEndpoint(
    request: FastifyRequest | null,
    action: string,
    endpoint: { id: string; appId: string },
    change: Pick<AuditEvent, 'before' | 'after'> = {},
  ): Promise<void> {
    await this.record(request, {
      action,
      targetType: 'endpoint',
      targetId: endpoint.id,
      appId: endpoint.appId,
      ...change,
    });
  }
}
