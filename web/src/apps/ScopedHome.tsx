/** An application key reaches one application: go straight to it. */
import { useEffect } from 'react';
import type { Application, Page } from '../lib/types';
import { navigate } from '../lib/router';
import { useResource } from '../lib/use-resource';
import { useSession } from '../lib/session-context';
import { Empty, ErrorMessage, Loading } from '../components/states';
import { enc } from '../lib/api';

export function ScopedHome() {
  const { api } = useSession();
  const apps = useResource('scoped-apps', () => api.get<Page<Application>>('/app', { limit: 1 }));
  const only = apps.data?.data[0];
  useEffect(() => {
    if (only) navigate(`/apps/${enc(only.id)}`, { replace: true });
  }, [only]);
  if (apps.error) return <ErrorMessage error={apps.error} retry={apps.reload} />;
  if (apps.data && !only)
    return (
      <Empty title="This key's application no longer exists. Ask whoever gave you the link for a new one." />
    );
  return <Loading what="Opening your application" />;
}
