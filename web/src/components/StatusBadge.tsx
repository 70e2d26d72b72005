/** A delivery or attempt status as a coloured label (with text, so colour is never the only signal). */
import type { StatusText } from '../lib/types';

const LABEL: Record<StatusText, string> = {
  success: 'Succeeded',
  pending: 'Pending',
  fail: 'Failed',
  sending: 'Sending',
  canceled: 'Canceled',
};

export function StatusBadge({ status }: { status: StatusText }) {
  return <span className={`badge badge-${status}`}>{LABEL[status]}</span>;
}

export function Badge({ tone, children }: { tone: 'ok' | 'warn' | 'bad' | 'info'; children: string }) {
  return <span className={`badge badge-${tone}`}>{children}</span>;
}
