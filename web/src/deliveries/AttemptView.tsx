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
  ip_restricted:
    'The host resolves only to addresses outside the allowed networks of the endpoint or its application.',
  template_error: 'The template could not render, so nothing was sent; fix it, then resend.',
  oauth_token: 'Herald could not get an OAuth access token from the token URL.',
  shutdown: 'Herald shut down before the receiver answered; the message is sent again after the restart.',
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
      <RequestBody attempt={attempt} message={message} />
      <h4>Response</h4>
      <HeaderTable headers={attempt.responseHeaders} caption="Response headers" />
      <Code label="Response body" text={prettyBody(attempt.response)} />
    </div>
  );
}

/** A header's value, whatever the case of its name. */
export function headerValue(headers: Record<string, string> | null, name: string): string | undefined {
  const found = Object.entries(headers ?? {}).find(([key]) => key.toLowerCase() === name);
  return found?.[1];
}

/**
 * The body as sent: the attempt's `requestBody` when a template or conversion shaped it (exactly as sent, with
 * its content type), or else the message payload, which went as the standard JSON body.
 */
export function RequestBody({ attempt, message }: { attempt: AttemptDetail; message?: Message | undefined }) {
  const type = headerValue(attempt.requestHeaders, 'content-type');
  if (typeof attempt.requestBody === 'string')
    return (
      <Code
        label={`Request body as sent (${type ? `${type}, ` : ''}shaped by the endpoint's template or conversion)`}
        text={attempt.requestBody}
      />
    );
  if (!message) return null;
  return <Code label={`Request body${type ? ` (${type})` : ''}`} text={pretty(message.payload)} />;
}
