/** Which one item of a list is open (its details, its example, its version), if any. */
import { useCallback, useState } from 'react';

export interface OpenItem<K> {
  /** The key of the open item, or null while every item is closed. */
  open: K | null;
  /** Opens the item, closing any other, or closes it when it is the one open. */
  toggle: (key: K) => void;
}

export function useOpenItem<K>(): OpenItem<K> {
  const [open, setOpen] = useState<K | null>(null);
  const toggle = useCallback((key: K) => setOpen((current) => (current === key ? null : key)), []);
  return { open, toggle };
}
