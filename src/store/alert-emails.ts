import type { Connection } from './dialect.js';

export interface AlertEmailQueries {
  /** Sets an application's alert email addresses (Svix's comma-separated list); null removes them. */
  alertEmailSet(appId: string, emails: string | null, now?: number): Promise<void>;
  /** An application's alert email addresses, or null. */
  alertEmailGet(appId: string): Promise<string | null>;
}

export function alertEmailQueries({ db }: Connection): AlertEmailQueries {
  return {
    async alertEmailSet(appId, emails, now = Date.now()) {
      if (emails === null) {
        await db.deleteFrom('application_alert_email').where('app_id', '=', appId).execute();
        return;
      }
      await db
        .insertInto('application_alert_email')
        .values({ app_id: appId, emails, updated_at: now })
        .onConflict((oc) => oc.column('app_id').doUpdateSet({ emails, updated_at: now }))
        .execute();
    },

    async alertEmailGet(appId) {
      const row = await db
        .selectFrom('application_alert_email')
        .select('emails')
        .where('app_id', '=', appId)
        .executeTakeFirst();
      return row?.emails ?? null;
    },
  };
}
