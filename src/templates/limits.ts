/**
 * Bounds on templates. Templates run on the delivery hot path and their authors may not be trusted, so each one
 * is bounded in source size, render time, allocations and output size. A template that hits a bound fails with
 * a message that names it; it never stalls a worker or sends a truncated body.
 */

/** The longest template source, in characters (liquidjs `parseLimit`). */
export const MAX_TEMPLATE_SOURCE = 64 * 1024;

/** How long one render may run, in milliseconds (liquidjs `renderLimit`). Rendering is synchronous. */
export const RENDER_TIME_LIMIT_MS = 200;

/** Characters that filters, ranges and captures may allocate during one render (liquidjs `memoryLimit`). */
export const RENDER_MEMORY_LIMIT = 16 * 1024 * 1024;

/** The largest body a template may produce, in characters. */
export const MAX_OUTPUT_CHARS = 1024 * 1024;

/** Compiled templates kept per process. Versions are immutable, so entries never go stale. */
export const COMPILED_CACHE_SIZE = 1000;
