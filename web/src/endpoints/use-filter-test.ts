/**
 * Tries the filter being typed against the sample message on the server (`POST /app/{app_id}/filter/test`,
 * which saves nothing) a moment after typing stops, so the answer, and the reason a filter would be refused,
 * are exactly what saving and routing would give.
 */
import { enc } from '../lib/api';
import { useLivePost } from '../lib/use-live-post';

export interface FilterTestRequest {
  filter: Record<string, unknown> | null;
  eventType?: string;
  payload: Record<string, unknown>;
}

export interface FilterTest {
  /** Whether the sample matches; null until an answer came, or when the filter was refused. */
  matches: boolean | null;
  /** The server's reason for refusing the filter (a 422 naming the place), or why it could not be asked. */
  error: string | null;
  testing: boolean;
}

/** `request` null means there is nothing to try (the filter or the sample is not JSON yet). */
export function useFilterTest(appId: string, request: FilterTestRequest | null): FilterTest {
  const { result, pending, error } = useLivePost<{ matches: boolean }>(
    `/app/${enc(appId)}/filter/test`,
    request,
  );
  return { matches: error === null ? (result?.matches ?? null) : null, error, testing: pending };
}
