/**
 * A template's versions, newest first. Each is immutable: it can be read, and loaded into the editor to save
 * it again as the next version (a rollback for every endpoint that follows the latest).
 */
import type { TemplateVersion } from '../lib/types';
import { enc } from '../lib/api';
import { formatTime } from '../lib/format';
import { useResource } from '../lib/use-resource';
import { useOpenItem } from '../lib/use-open-item';
import { useSession } from '../lib/session-context';
import { NumberedCode } from '../components/Code';
import { Badge } from '../components/StatusBadge';
import { ToggleButton } from '../components/ToggleButton';
import { ResourceState } from '../components/states';

interface Props {
  templateId: string;
  latestVersion: number;
  /** Absent for keys that cannot edit templates. */
  onLoad?: (version: TemplateVersion) => void;
}

export function TemplateVersions({ templateId, latestVersion, onLoad }: Props) {
  const { api } = useSession();
  const versions = useResource(`template-versions:${templateId}:${latestVersion}`, () =>
    api.all<TemplateVersion>(`/template/${enc(templateId)}/version`, { order: 'descending' }),
  );
  const { open, toggle } = useOpenItem<number>();
  return (
    <section className="card" aria-labelledby="versions-title">
      <h2 id="versions-title">Versions</h2>
      <p className="muted small">
        Every saved change of the content is a new version; earlier ones never change. Endpoints follow the
        latest version unless they pin one.
      </p>
      <ResourceState resource={versions} loading="Loading versions" />
      {versions.data && (
        <ol className="version-list">
          {versions.data.map((v) => (
            <li key={v.version}>
              <div className="version-row">
                <span>
                  <strong>Version {v.version}</strong>{' '}
                  {v.version === latestVersion && <Badge tone="info">Latest</Badge>}{' '}
                  <span className="muted small">
                    {v.contentType.toUpperCase()}
                    {v.eventType && ` · ${v.eventType}`}
                    {v.payloadVersion && ` (payload version ${v.payloadVersion})`} · {formatTime(v.createdAt)}
                  </span>
                </span>
                <span className="actions">
                  <ToggleButton
                    open={open === v.version}
                    onToggle={() => toggle(v.version)}
                    labels={['Show', 'Hide']}
                    of={` version ${v.version}`}
                  />
                  {onLoad && v.version !== latestVersion && (
                    <button type="button" className="small" onClick={() => onLoad(v)}>
                      Load into the editor<span className="sr-only"> (version {v.version})</span>
                    </button>
                  )}
                </span>
              </div>
              {open === v.version && <NumberedCode label={`Version ${v.version}`} text={v.body} />}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
