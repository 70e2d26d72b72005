/**
 * The ordered sequences of an endpoint that a given-up message holds (`orderingAfterGiveUp: block`), on its
 * health card: each sequence's head, with buttons to resend it (it goes first, then the rest in order) or skip
 * it (the sequence moves on; the message stays failed).
 */
import type { BlockedSequence, Ordering } from '../lib/types';
import { enc } from '../lib/api';
import { formatTime, timeAgo } from '../lib/format';
import { Link } from '../lib/router';
import { useAction } from '../lib/use-action';
import { useSession } from '../lib/session-context';
import { ErrorMessage, Notice } from '../components/states';

interface Props {
  appId: string;
  endpointId: string;
  ordering: Ordering;
  sequences: BlockedSequence[];
  /** Reloads the card after an action, whether it worked or not. */
  onChanged: () => Promise<void>;
}

type Action = 'resend' | 'skip';
const ACTIONS: Array<[Action, string]> = [
  ['resend', 'Resend'],
  ['skip', 'Skip'],
];

/** Shown where the list may be longer than the API lists. */
const BLOCKED_SHOWN = 50;

export function BlockedSequences({ appId, endpointId, ordering, sequences, onChanged }: Props) {
  const { api } = useSession();
  const { busy, notice, error, run } = useAction();
  // A key of '' is the endpoint's one sequence, or at `ordering: key` the messages sent without a key.
  const keyName = (key: string) => (key !== '' ? key : ordering === 'key' ? '(no key)' : '(whole endpoint)');

  const act = (sequence: BlockedSequence, action: Action) =>
    run(async () => {
      const path = `/app/${enc(appId)}/msg/${enc(sequence.msgId)}/endpoint/${enc(endpointId)}/${action}`;
      try {
        await api.post(path);
      } catch (failure) {
        // The head may have moved on meanwhile (sent again or skipped elsewhere): show the list as it is now.
        await onChanged();
        throw new Error(
          `Could not ${action} ${sequence.msgId}: ${(failure as Error).message}. The list shows the sequences blocked now.`,
        );
      }
      await onChanged();
      const behind = sequence.waiting;
      return action === 'resend'
        ? `${sequence.msgId} is sent again now` +
            (behind > 0 ? `; the ${behind} behind it follow in order once it succeeds.` : '.')
        : `${sequence.msgId} skipped: it stays failed` +
            (behind > 0 ? `, and the ${behind} behind it are sent in order.` : '.');
    });

  return (
    <div className="blocked" aria-labelledby="blocked-title" role="group">
      <h3 id="blocked-title">Blocked sequences</h3>
      <p className="muted small">
        A message given up holds its sequence: nothing behind it is sent until you resend it (it goes first)
        or skip it (it stays failed).
      </p>
      {sequences.length > 0 ? (
        <ul className="blocked-list" aria-label="Blocked sequences">
          {sequences.map((sequence) => (
            <li key={sequence.key}>
              <p>
                <code>{keyName(sequence.key)}</code> held by{' '}
                <Link
                  className="break"
                  to={`/apps/${enc(appId)}/deliveries?endpoint=${enc(endpointId)}&msg=${enc(sequence.msgId)}`}
                >
                  {sequence.msgId}
                </Link>
              </p>
              <p className="muted small">
                {sequence.attempts} {sequence.attempts === 1 ? 'attempt' : 'attempts'} · last{' '}
                <span title={formatTime(sequence.lastAttemptAt)}>{timeAgo(sequence.lastAttemptAt)}</span> ·{' '}
                {sequence.waiting} waiting behind it
              </p>
              <div className="actions">
                {ACTIONS.map(([action, label]) => (
                  <button
                    key={action}
                    type="button"
                    className="small"
                    disabled={busy}
                    aria-label={`${label} ${sequence.msgId}`}
                    onClick={() => void act(sequence, action)}
                  >
                    {label}
                  </button>
                ))}
              </div>
            </li>
          ))}
          {sequences.length >= BLOCKED_SHOWN && (
            <li className="muted small">Showing the first {BLOCKED_SHOWN}; more appear as these move on.</li>
          )}
        </ul>
      ) : (
        <p className="muted">No sequence is blocked now.</p>
      )}
      {notice && <Notice>{notice}</Notice>}
      {error && <ErrorMessage error={error} />}
    </div>
  );
}
