/**
 * Loads something from the API for a component: loading, error and data states, a reload, and optional
 * polling (paused while the tab is hidden) for screens that follow live changes.
 */
import { useCallback, useEffect, useRef, useState } from 'react';

export interface Resource<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  reload: () => Promise<void>;
}

/** `key` names what is loaded: when it changes, the resource loads afresh. */
export function useResource<T>(key: string, load: () => Promise<T>, pollMs?: number): Resource<T> {
  const [state, setState] = useState<{ key: string; data?: T; error?: Error; loading: boolean }>({
    key,
    loading: true,
  });
  const latest = useRef(load);
  latest.current = load;
  const generation = useRef(0);

  const run = useCallback(
    async (quiet: boolean) => {
      const mine = ++generation.current;
      if (!quiet) setState((s) => ({ key, data: s.key === key ? s.data : undefined, loading: true }));
      try {
        const data = await latest.current();
        if (mine === generation.current) setState({ key, data, loading: false });
      } catch (error) {
        if (mine === generation.current)
          setState((s) => ({
            key,
            data: s.key === key ? s.data : undefined,
            error: error as Error,
            loading: false,
          }));
      }
    },
    [key],
  );

  useEffect(() => {
    void run(false);
    if (!pollMs) return;
    const timer = window.setInterval(() => {
      if (!document.hidden) void run(true);
    }, pollMs);
    return () => window.clearInterval(timer);
  }, [run, pollMs]);

  const reload = useCallback(() => run(true), [run]);
  const current = state.key === key;
  return {
    data: current ? state.data : undefined,
    error: current ? state.error : undefined,
    loading: !current || state.loading,
    reload,
  };
}

/**
 * Reloads a resource, quietly, each time `version` goes up: a screen counts the changes it makes (a test event
 * sent, failed deliveries queued again), so that the parts showing their effects follow at once.
 */
export function useReloadOn(resource: Resource<unknown>, version: number): void {
  const { reload } = resource;
  useEffect(() => {
    if (version > 0) void reload();
  }, [version, reload]);
}
