/**
 * The live preview: renders the editor's unsaved content on the server (`POST /template/render`, which saves
 * nothing) a moment after typing stops, so the preview and its problems are exactly what a delivery would get.
 */
import { useEffect, useState } from 'react';
import type { JsonObject, RenderResult, TemplateContent } from '../lib/types';
import { useSession } from '../lib/session-context';

/** How long typing must pause before the preview renders. */
export const PREVIEW_DELAY_MS = 300;

export interface PreviewRequest extends TemplateContent {
  /** The event's data; the event type's example when omitted. */
  payload?: JsonObject;
}

export interface Preview {
  /** The newest result; while a newer render is on its way, the one before it. */
  result: RenderResult | null;
  rendering: boolean;
  /** Why the preview could not render, such as the server being unreachable. */
  error: string | null;
}

/** `request` null means there is nothing to render (an empty template, a payload that is not JSON). */
export function useLivePreview(request: PreviewRequest | null): Preview {
  const { api } = useSession();
  const key = request === null ? null : JSON.stringify(request);
  const [preview, setPreview] = useState<Preview>({ result: null, rendering: false, error: null });

  useEffect(() => {
    if (key === null) {
      setPreview((p) => ({ ...p, rendering: false }));
      return;
    }
    let current = true;
    setPreview((p) => ({ ...p, rendering: true }));
    const timer = window.setTimeout(async () => {
      try {
        const result = await api.post<RenderResult>('/template/render', JSON.parse(key));
        if (current) setPreview({ result, rendering: false, error: null });
      } catch (failure) {
        if (current) setPreview((p) => ({ ...p, rendering: false, error: (failure as Error).message }));
      }
    }, PREVIEW_DELAY_MS);
    // A newer request replaces this one: its timer is cancelled, or its answer ignored.
    return () => {
      current = false;
      window.clearTimeout(timer);
    };
  }, [api, key]);

  return preview;
}
