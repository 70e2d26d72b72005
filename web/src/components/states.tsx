/** Loading, empty and error states, the same on every screen. */
import type { ReactNode } from 'react';
import type { Resource } from '../lib/use-resource';

export function Loading({ what = 'Loading' }: { what?: string }) {
  return (
    <p className="muted loading" role="status">
      {what}…
    </p>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <p className="empty-title">{title}</p>
      {children}
    </div>
  );
}

/** Capitalised, unless it starts with a field name as the API spells it (`tokenUrl`, `channels[0]`). */
const sentenceCase = (text: string) =>
  /^[a-z]+[\s,;:]/.test(text) ? text.charAt(0).toUpperCase() + text.slice(1) : text;

/** An error with what to do about it; `retry` adds a button that tries again. */
export function ErrorMessage({ error, retry }: { error: Error | string; retry?: () => void }) {
  const text = typeof error === 'string' ? error : error.message;
  return (
    <div className="error" role="alert">
      <span>{sentenceCase(text)}</span>
      {retry && (
        <button type="button" className="small" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

/**
 * Where a resource stands before its data can be shown: its error, with a button that tries again, and until
 * its first data comes, a loading line (`loading` says what loads). Data already shown stays while a later
 * reload fails, so the error then shows above it.
 */
export function ResourceState({ resource, loading }: { resource: Resource<unknown>; loading?: string }) {
  return (
    <>
      {resource.error && <ErrorMessage error={resource.error} retry={resource.reload} />}
      {resource.loading && !resource.data && <Loading what={loading} />}
    </>
  );
}

/** A short confirmation of something that just worked, read out by screen readers. */
export function Notice({ children }: { children: ReactNode }) {
  return (
    <p className="notice" role="status">
      {children}
    </p>
  );
}
