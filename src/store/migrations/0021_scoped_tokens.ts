import { columnTypes, type Migration } from './types.js';

/**
 * Svix's authentication routes (docs/security.md, "Tokens"). An API key gets a `kind`: `key` (made under
 * /api-key or by the CLI), `portal` (app-portal-access and dashboard-access, the tokens expire-all ends),
 * `message` (create-message-token: may only create messages), `poller` (may only poll one endpoint, named by
 * `endpoint_id`) and `one_time` (a portal link's single-use token, exchanged for a portal token and good for
 * nothing else). `session_id` is the portal session a token was made for, so expire-all can end one session.
 * An application's alert email addresses (Svix's alert-email) are kept beside it.
 */
export const scopedTokens: Migration = {
  version: 21,
  name: 'scoped_tokens',
  statements(profile) {
    const { id } = columnTypes(profile);
    return [
      `alter table api_key add column kind text not null default 'key'`,
      `alter table api_key add column endpoint_id ${id} references endpoint (id) on delete cascade`,
      `alter table api_key add column session_id text`,
      `create index api_key_app_kind on api_key (app_id, kind)`,
      `create index api_key_endpoint on api_key (endpoint_id)`,
      `create table application_alert_email (
        app_id ${id} primary key references application (id) on delete cascade,
        emails text not null,
        updated_at bigint not null
      )`,
    ];
  },
};
