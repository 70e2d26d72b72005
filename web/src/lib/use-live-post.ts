/**
 * Asks the server about what is being typed: POSTs `body` to `path` a moment after typing stops, and keeps the
 * newest answer. Used where the server's answer is the truth a form must show as you type (a template's live
 * preview, a filter tried on a sample), from routes that save nothing.
 */
import { useEffect, useState } from 'react';
import { useSession } from './session-context';

/** How long typing must pause before the server is asked. */
export const LIVE_DELAY_MS = 300;

export interface LiveAnswer<T> {
  /** The newest answer; while a newer request is on its way, or after it failed, the one before it. */
  result: T | null;
  pending: boolean;
  /** Why the newest request failed (the server's reason, or that it cannot be reached). */
  error: string | null;
}

/** `body` null means there is nothing to ask (the input is not ready); the last answer stays. */
export function useLivePost<T>(path: string, body: unknown): LiveAnswer<T> {
  const { api } = useSession();
  const key = body === null ? null : JSON.stringify(body);
  const [answer, setAnswer] = useState<LiveAnswer<T>>({ result: null, pending: false, error: null });

  useEffect(() => {
    if (key === null) {
      setAnswer((a) => ({ ...a, pending: false }));
      return;
    }
    let current = true;
    setAnswer((a) => ({ ...a, pending: true }));
    const timer = window.setTimeout(async () => {
      try {
        const result = await api.post<T>(path, JSON.parse(key));
        if (current) setAnswer({ result, pending: false, error: null });
      } catch (failure) {
        if (current) setAnswer((a) => ({ ...a, pending: false, error: (failure as Error).message }));
      }
    }, LIVE_DELAY_MS);
    // A newer request replaces this one: its timer is cancelled, or its answer ignored.
    return () => {
      current = false;
      window.clearTimeout(timer);
    };
  }, [api, path, key]);

  return answer;
}
