/**
 * A value to hand on, such as a secret or a link: read-only, selected whole when focused so it can be copied
 * by hand, with a button that copies it. `children` go at the end of the row, such as a button that hides it.
 */
import type { ReactNode } from 'react';
import { CopyButton } from './CopyButton';

export function CopyField({
  label,
  value,
  children,
}: {
  label: string;
  value: string;
  children?: ReactNode;
}) {
  return (
    <div className="secret-row">
      <input readOnly value={value} aria-label={label} className="mono" onFocus={(e) => e.target.select()} />
      <CopyButton value={value} />
      {children}
    </div>
  );
}
