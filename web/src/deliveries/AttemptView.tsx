/** Everything about one attempt: the request as sent, the response as received, timing and the error. */
import type { AttemptDetail, Message } from '../lib/types';
import { duration, formatTime, pretty, prettyBody } from '../lib/format';
import { StatusBadge } from '../components/StatusBadge';
import { Code, HeaderTable } from '../components/Code';

const ERROR_HELP: Record<string, string> = {
  http_status: 'The receiver answered with a status that is not 2xx.',
  timeout: 'The receiver did not answer within the timeout; make it answer faster, or raise the timeout.',
  dns: 'The host name could not be resolved; check the URL.',
  connect: 'The connection was refused; check that the receiver is running and reachable.',
  connection_reset: 'The receiver closed the connection before answering.',
  tls: 'The TLS handshake failed; check the receiver’s certificate.',
  ssrf_blocked:
    'The host resolves to a private address, which Herald does not send to unless the operator allows it.',
};

export const isSignatureHeader = (name: string) => /^(webhook|svix)-(id|timestamp|signature)$/i.test(name);

interface Props {
  attempt: AttemptDetail;
  message?: Message | undefined;
  nextAttempt?: string | null | undefined;
}

export function AttemptView({ attempt, message, nextAttempt }: Props) {
  const status = attempt.responseStatusCode === 0 ? 'no response' : `HTTP ${attempt.responseStatusCode}`;
  return (
    <div className="attempt" aria-label={`Attempt ${attempt.id}`}>
      <dl className="facts">
        <div>
          <dt>Result</dt>
          <dd>
            <StatusBadge status={attempt.statusText} /> {status}
          </dd>
        </div>
        <div>
          <dt>Duration</dt>
          <dd>{duration(attempt.responseDurationMs)}</dd>
        </div>
        <div>
          <dt>Sent</dt>
          <dd>
            {formatTime(attempt.timestamp)} · {attempt.triggerType === 1 ? 'manual' : 'scheduled'}
          </dd>
        </div>
        {attempt.errorClass && (
          <div>
            <dt>Error</dt>
            <dd>
              <code>{attempt.errorClass}</code> {ERROR_HELP[attempt.errorClass] ?? ''}
              {attempt.errorDetail && <span className="block muted small">{attempt.errorDetail}</span>}
            </dd>
          </div>
        )}
        {nextAttempt !== undefined && (
          <div>
            <dt>Next retry</dt>
            <dd>{nextAttempt ? formatTime(nextAttempt) : 'none scheduled'}</dd>
          </div>
        )}
      </dl>
      <h4>Request</h4>
      <p className="mono small break">POST {attempt.url}</p>
      <HeaderTable headers={attempt.requestHeaders} caption="Request headers" />
      {message && <Code label="Request body" text={pretty(message.payload)} />}
      <h4>Response</h4>
      <HeaderTable headers={attempt.responseHeaders} caption="Response headers" />
      <Code label="Response body" text={prettyBody(attempt.response)} />
    </div>
  );
}
