/** The store: the only place with SQL. One implementation on Kysely, with dialect differences as capabilities. */
import { sql } from 'kysely';
import { apiKeyQueries } from './api-keys.js';
import { applicationQueries } from './applications.js';
import { attemptQueries } from './attempts.js';
import { auditQueries } from './audit.js';
import { deliveryQueries } from './deliveries.js';
import { connect, type ConnectOptions } from './dialect.js';
import { endpointQueries } from './endpoints.js';
import { eventTypeQueries } from './event-types.js';
import { idempotencyQueries } from './idempotency.js';
import { messageQueries } from './messages.js';
import { migrate } from './migrator.js';
import { securityQueries } from './security.js';
import { templateQueries } from './templates.js';

export function openStore(options: ConnectOptions) {
  const connection = connect(options);
  return {
    dialect: connection.profile.name,
    profile: connection.profile,
    migrate: () => migrate(connection),
    async ping(): Promise<void> {
      await sql`select 1`.execute(connection.db);
    },
    close: () => connection.close(),
    ...applicationQueries(connection),
    ...eventTypeQueries(connection),
    ...endpointQueries(connection),
    ...templateQueries(connection),
    ...messageQueries(connection),
    ...attemptQueries(connection),
    ...deliveryQueries(connection),
    ...apiKeyQueries(connection),
    ...idempotencyQueries(connection),
    ...auditQueries(connection),
    ...securityQueries(connection),
  };
}

export type Store = ReturnType<typeof openStore>;
export { UniqueViolation, type Page } from './rows.js';
export type { ConnectOptions, DialectName } from './dialect.js';
export * from './types.js';
