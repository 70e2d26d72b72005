/**
 * The live preview: renders the editor's unsaved content on the server (`POST /template/render`, which saves
 * nothing) a moment after typing stops, so the preview and its problems are exactly what a delivery would get.
 */
import type { JsonObject, RenderResult, TemplateContent } from '../lib/types';
import { useLivePost } from '../lib/use-live-post';

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
  const { result, pending, error } = useLivePost<RenderResult>('/template/render', request);
  return { result, rendering: pending, error };
}
