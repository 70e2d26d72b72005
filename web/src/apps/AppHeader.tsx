/** The application's name and its sections, at the top of each of its screens. */
import { useEffect, useRef, type ReactNode } from 'react';
import type { Application } from '../lib/types';
import { enc } from '../lib/api';
import { Link } from '../lib/router';
import { useResource } from '../lib/use-resource';
import { useSession } from '../lib/session-context';
import { ErrorMessage } from '../components/states';

export type AppSection = 'endpoints' | 'deliveries' | 'messages' | 'dead-letters' | 'security';

export function useApplication(appId: string) {
  const { api } = useSession();
  return useResource(`app:${appId}`, () => api.get<Application>(`/app/${enc(appId)}`));
}

interface Props {
  appId: string;
  section: AppSection;
  /** The screen's own title; the application's name when omitted. */
  title?: ReactNode;
  actions?: ReactNode;
}

export function AppHeader({ appId, section, title, actions }: Props) {
  const app = useApplication(appId);
  const base = `/apps/${enc(appId)}`;
  const tabs = useRef<HTMLElement>(null);
  // On a narrow screen the tabs scroll sideways: bring the current one into view.
  useEffect(() => {
    const nav = tabs.current;
    const current = nav?.querySelector<HTMLElement>('[aria-current="page"]');
    if (!nav || !current) return;
    const overflow = current.getBoundingClientRect().right - nav.getBoundingClientRect().right;
    if (overflow > 0) nav.scrollLeft += overflow;
  }, [section]);
  const tab = (to: string, name: AppSection, label: string) => (
    <Link to={to} aria-current={section === name ? 'page' : undefined}>
      {label}
    </Link>
  );
  return (
    <>
      {app.error && <ErrorMessage error={app.error} retry={app.reload} />}
      <div className="page-head">
        <div>
          <p className="eyebrow">
            Application{' '}
            {app.data && (
              <>
                <Link to={base}>{app.data.name}</Link> · <code>{app.data.uid ?? app.data.id}</code>
              </>
            )}
          </p>
          <h1>{title ?? app.data?.name ?? 'Application'}</h1>
        </div>
        {actions && <div className="actions">{actions}</div>}
      </div>
      <nav className="tabs" aria-label="Application sections" ref={tabs}>
        {tab(base, 'endpoints', 'Endpoints')}
        {tab(`${base}/deliveries`, 'deliveries', 'Deliveries')}
        {tab(`${base}/messages`, 'messages', 'Messages')}
        {tab(`${base}/dead-letters`, 'dead-letters', 'Dead letters')}
        {tab(`${base}/security`, 'security', 'Security')}
      </nav>
    </>
  );
}
