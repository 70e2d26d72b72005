/**
 * Herald: an application's privacy settings: the default retention of its payloads, whether attempt response
 * bodies are stored, and its redaction rules.
 */
import type { Application } from '../../store/index.js';
import { redactionRuleProblem } from '../../util/redaction.js';
import { unprocessable } from '../errors.js';
import type { Loc } from '../problems.js';
import { findApplication } from '../lookups.js';
import { routeModule } from '../route-group.js';
import { AppParams } from '../schemas/common.js';
import { PrivacyIn, PrivacyOut } from '../schemas/privacy.js';

/** The rules, or a 422 naming the first that is not one. */
export function checkRedactionRules(rules: string[], field: Loc): string[] {
  rules.forEach((rule, index) => {
    const problem = redactionRuleProblem(rule);
    if (problem !== null) throw unprocessable([...field, String(index)], `"${rule.slice(0, 64)}" ${problem}`);
  });
  return rules;
}

export const privacyRoutes = routeModule({ tags: ['Herald'] }, (route, context) => {
  const { store, audit, config } = context;
  const privacyOut = (application: Application) => ({
    payloadRetentionHours: application.payloadRetentionHours,
    storeResponseBodies: application.storeResponseBodies,
    redactionRules: application.redactionRules,
    effectiveRedactionRules: [...(application.redactionRules ?? config.redactionRules)],
  });

  route.get(
    '/app/:app_id/privacy',
    {
      access: 'app',
      summary: "Get an application's privacy settings",
      params: AppParams,
      response: { 200: PrivacyOut },
    },
    async (request) => privacyOut(request.application),
  );

  route.put(
    '/app/:app_id/privacy',
    {
      access: 'admin',
      summary: "Set an application's privacy settings",
      description:
        'Herald: replaces the settings (an omitted field takes its default: `null`, `true`, `null`). Admin keys ' +
        'only, so that an application key cannot lift what its platform hides. Redaction applies to attempts ' +
        'recorded from then on (workers pick a change up within 5 seconds) and at once to what application ' +
        'keys are shown; a retention applies to messages sent from then on.',
      params: AppParams,
      body: PrivacyIn,
      response: { 200: PrivacyOut },
    },
    async (request) => {
      const before = await findApplication(store, request.params.app_id);
      const rules = request.body.redactionRules ?? null;
      const changes = {
        payloadRetentionHours: request.body.payloadRetentionHours ?? null,
        storeResponseBodies: request.body.storeResponseBodies ?? true,
        redactionRules: rules === null ? null : checkRedactionRules(rules, ['body', 'redactionRules']),
      };
      const after = (await store.applicationUpdate(before.id, changes)) ?? { ...before, ...changes };
      await audit.record(request, {
        action: 'application.privacy.changed',
        targetType: 'application',
        targetId: before.id,
        appId: before.id,
        before: {
          payloadRetentionHours: before.payloadRetentionHours,
          storeResponseBodies: before.storeResponseBodies,
          redactionRules: before.redactionRules,
        },
        after: changes,
      });
      return privacyOut(after);
    },
  );
});
