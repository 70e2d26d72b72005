/** The frame around every signed-in screen: skip link, navigation, and the main region. */
import { useEffect, useRef, type ReactNode } from 'react';
import { Link, useLocation } from './lib/router';
import { useSession } from './lib/session-context';

export function Layout({ children }: { children: ReactNode }) {
  const { session, signOut } = useSession();
  const { path } = useLocation();
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);

  // After navigating, move focus to the new screen so keyboard and screen-reader users start there.
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const heading = main.current?.querySelector('h1');
    if (heading) {
      heading.setAttribute('tabindex', '-1');
      heading.focus();
    }
  }, [path]);

  const current = (prefix: string) =>
    (prefix === '/' ? path === '/' || path.startsWith('/apps') : path.startsWith(prefix))
      ? 'page'
      : undefined;

  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <Link to="/" className="brand">
          Herald{session.portal ? ' · Webhooks portal' : ''}
        </Link>
        <nav aria-label="Main">
          <Link to="/" aria-current={current('/')}>
            {session.scoped ? 'Endpoints' : 'Applications'}
          </Link>
          <Link to="/event-types" aria-current={current('/event-types')}>
            Event types
          </Link>
          <Link to="/templates" aria-current={current('/templates')}>
            Templates
          </Link>
          {!session.scoped && (
            <>
              <Link to="/slas" aria-current={current('/slas')}>
                SLAs at risk
              </Link>
              <Link to="/audit-log" aria-current={current('/audit-log')}>
                Audit log
              </Link>
              <Link to="/environment" aria-current={current('/environment')}>
                Export / Import
              </Link>
              <a href="/api/v1/docs" target="_blank" rel="noreferrer">
                API reference
              </a>
            </>
          )}
        </nav>
        <button type="button" className="small" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main id="main" ref={main}>
        {children}
      </main>
    </>
  );
}
