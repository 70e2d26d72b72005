/**
 * The state around something a user starts (save, rotate, replay…): busy while it runs, then a notice of what
 * it did or the error that stopped it. Starting it again clears the last notice and error.
 */
import { useCallback, useState } from 'react';

export interface Action {
  busy: boolean;
  notice: string | null;
  error: string | null;
  setNotice: (notice: string | null) => void;
  /** Runs `work`; the text it returns, if any, becomes the notice, and what it throws, the error. */
  run: (work: () => Promise<string | void>) => Promise<void>;
}

export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const run = useCallback(async (work: () => Promise<string | void>) => {
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      const done = await work();
      if (typeof done === 'string') setNotice(done);
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, notice, error, setNotice, run };
}
