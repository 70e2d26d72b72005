/**
 * An application's security and limits: the networks every endpoint's deliveries may reach and its privacy
 * settings (admins set both, so an application key cannot lift a limit its platform set) and each endpoint's
 * rate-limit status.
 */
import { enc } from '../lib/api';
import { useSession } from '../lib/session-context';
import { AppHeader } from '../apps/AppHeader';
import { NetworksCard } from './NetworksCard';
import { PrivacyCard } from './PrivacyCard';
import { RateLimitTable } from './RateLimits';

export function AppSecurity({ appId }: { appId: string }) {
  const { session } = useSession();
  return (
    <>
      <AppHeader appId={appId} section="security" title="Security and limits" />
      <p className="muted">
        Each endpoint&apos;s outbound authentication and its own allowed networks are on the endpoint&apos;s
        page.
      </p>
      <NetworksCard
        path={`/app/${enc(appId)}/ip-restrictions`}
        scope="application"
        readOnlyReason={
          session.scoped
            ? 'Set by the platform: only an admin key can change the networks of the whole application.'
            : undefined
        }
      />
      <PrivacyCard
        path={`/app/${enc(appId)}/privacy`}
        readOnlyReason={
          session.scoped
            ? 'Set by the platform: only an admin key can change what is redacted and kept.'
            : undefined
        }
      />
      <RateLimitTable appId={appId} />
    </>
  );
}
