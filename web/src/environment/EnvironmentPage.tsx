/** Export and import of the whole platform (docs/api.md), for admin keys. */
import { useSession } from '../lib/session-context';
import { Empty } from '../components/states';
import { ExportCard } from './ExportCard';
import { ImportCard } from './ImportCard';

export function EnvironmentPage() {
  const { session } = useSession();
  if (session.scoped)
    return (
      <>
        <h1>Export / Import</h1>
        <Empty title="Only an admin key can export or import the environment." />
      </>
    );
  return (
    <>
      <h1>Export / Import</h1>
      <p className="muted">
        Move this Herald’s event types, applications, endpoints and templates to another Herald (SQLite to
        PostgreSQL or back), or keep them as a backup.
      </p>
      <ExportCard />
      <ImportCard />
    </>
  );
}
