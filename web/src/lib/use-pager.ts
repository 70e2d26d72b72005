/**
 * Paging through a list the API hands out a page at a time, each page naming the `iterator` of the next. The
 * iterators walked so far are kept as a stack, so a pager can go on, one page back, or back to the first.
 */
import { useState } from 'react';
import type { Page } from './types';

/** One button under a list that shows another part of it. */
export interface PagerStep {
  label: string;
  go: () => void;
}

export interface PagerLabels {
  /** The button that goes back; shown on every page but the first. */
  back: string;
  /** The button that goes on to the next page; shown while there is one. */
  next: string;
  /** Where `back` goes: one page back, or straight to the first page. */
  backTo: 'previous' | 'first';
}

export interface Pager {
  /** The iterator of the page to load: undefined for the first page. */
  iterator: string | undefined;
  /** The steps under `page`, the page shown (undefined while it loads). */
  steps: (page: Page<unknown> | undefined) => PagerStep[];
}

/** `scope` names the list and its filters: when it changes, paging starts again from the first page. */
export function usePager(scope: string, labels: PagerLabels): Pager {
  const [state, setState] = useState<{ scope: string; stack: string[] }>({ scope, stack: [] });
  // Forgotten at once rather than after an effect, so the first render of a new scope already loads page one.
  if (state.scope !== scope) setState({ scope, stack: [] });
  const stack = state.scope === scope ? state.stack : [];

  const steps = (page: Page<unknown> | undefined): PagerStep[] => {
    const found: PagerStep[] = [];
    if (stack.length > 0)
      found.push({
        label: labels.back,
        go: () => setState({ scope, stack: labels.backTo === 'first' ? [] : stack.slice(0, -1) }),
      });
    const next = page && !page.done ? page.iterator : null;
    if (next) found.push({ label: labels.next, go: () => setState({ scope, stack: [...stack, next] }) });
    return found;
  };
  return { iterator: stack[stack.length - 1], steps };
}
