/**
 * What an application's privacy settings mean for the attempts its deliveries record: whether response bodies
 * are kept, and the redaction rules applied to the bodies stored for display (the endpoint still receives the
 * real body). Read per application and used for a few seconds, as the application's IP restrictions are.
 */
import type { Application, Store } from '../store/index.js';
import { redactorFor, type Redactor } from '../util/redaction.js';

/** How long an application's privacy settings are used before they are read again. */
export const PRIVACY_TTL_MS = 5_000;
const CACHE_LIMIT = 10_000;

export interface AttemptPrivacy {
  storeResponseBodies: boolean;
  /** Null when no rule applies. */
  redactor: Redactor | null;
}

/** The settings of an application that is gone (its deliveries go with it): the defaults of a new one. */
const UNKNOWN: AttemptPrivacy = { storeResponseBodies: true, redactor: null };

/** The privacy settings that apply to `application`: its own rules, else the platform's. */
export function attemptPrivacy(
  application: Pick<Application, 'storeResponseBodies' | 'redactionRules'>,
  defaultRules: readonly string[],
): AttemptPrivacy {
  return {
    storeResponseBodies: application.storeResponseBodies,
    redactor: redactorFor(application.redactionRules ?? defaultRules),
  };
}

export class PrivacySettings {
  readonly #cache = new Map<string, { privacy: AttemptPrivacy; at: number }>();

  constructor(
    private readonly store: Store,
    private readonly defaultRules: readonly string[],
  ) {}

  /** The settings of each of `appIds`, reading those not read in the last few seconds in one query. */
  async forApps(appIds: readonly string[]): Promise<Map<string, AttemptPrivacy>> {
    const now = Date.now();
    const out = new Map<string, AttemptPrivacy>();
    const stale: string[] = [];
    for (const id of new Set(appIds)) {
      const cached = this.#cache.get(id);
      if (cached && now - cached.at < PRIVACY_TTL_MS) out.set(id, cached.privacy);
      else stale.push(id);
    }
    if (stale.length === 0) return out;
    const applications = await this.store.applicationGetMany(stale);
    if (this.#cache.size + stale.length > CACHE_LIMIT) this.#cache.clear();
    for (const id of stale) {
      const application = applications.get(id);
      const privacy = application ? attemptPrivacy(application, this.defaultRules) : UNKNOWN;
      this.#cache.set(id, { privacy, at: now });
      out.set(id, privacy);
    }
    return out;
  }
}
