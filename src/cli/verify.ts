/**
 * `herald verify`: checks a saved webhook request's signature, as a receiver would, and says why it does not
 * hold. Exit codes: 0 the signature holds, 1 it does not, 2 the input or a key could not be read.
 */
import { Command, Option } from 'commander';
import fs from 'node:fs';
import {
  DEFAULT_TOLERANCE_SECONDS,
  verifyWebhookBody,
  webhookIdentity,
  WebhookVerificationError,
  type WebhookIdentity,
} from '../signing/verify.js';
import {
  parseHeadersFile,
  parseSavedRequest,
  SavedRequestError,
  type SavedRequest,
} from './saved-request.js';
import { collect, usageErrorsExitWith } from './options.js';

export const EXIT_VERIFIED = 0;
export const EXIT_NOT_VERIFIED = 1;
export const EXIT_BAD_INPUT = 2;

interface VerifyFlags {
  secret?: string[];
  headersFile?: string;
  bodyFile?: string;
  tolerance: string;
  ignoreTimestamp?: boolean;
}

class InputError extends Error {}

function readInput(path: string): Buffer {
  try {
    return fs.readFileSync(path === '-' ? 0 : path);
  } catch (error) {
    throw new InputError(
      `cannot read ${path === '-' ? 'standard input' : path}: ${(error as Error).message}`,
    );
  }
}

function loadRequest(file: string | undefined, flags: VerifyFlags): SavedRequest {
  if (flags.headersFile !== undefined || flags.bodyFile !== undefined) {
    if (file !== undefined)
      throw new InputError('pass either a request file or --headers-file and --body-file');
    if (flags.headersFile === undefined || flags.bodyFile === undefined)
      throw new InputError('--headers-file and --body-file go together');
    if (flags.headersFile === '-' && flags.bodyFile === '-')
      throw new InputError('only one of --headers-file and --body-file can be standard input');
    return { headers: parseHeadersFile(readInput(flags.headersFile)), body: readInput(flags.bodyFile) };
  }
  return parseSavedRequest(readInput(file ?? '-'));
}

function keysFrom(flags: VerifyFlags): string[] {
  const keys = flags.secret ?? (process.env.WEBHOOK_SECRET ? [process.env.WEBHOOK_SECRET] : []);
  if (keys.length === 0)
    throw new InputError(
      "no key: pass --secret whsec_… (the endpoint's signing secret) or a whpk_ public key, or set WEBHOOK_SECRET",
    );
  for (const key of keys)
    if (!/^(whsec_|whpk_)?[A-Za-z0-9+/=]+$/.test(key))
      throw new InputError(`${key.slice(0, 10)}… is not a key: expected whsec_<base64> or whpk_<base64>`);
  return keys;
}

function age(seconds: number, now: number): string {
  const delta = Math.round(now / 1000) - seconds;
  const magnitude = Math.abs(delta);
  const amount =
    magnitude < 120
      ? `${magnitude} s`
      : magnitude < 7200
        ? `${Math.round(magnitude / 60)} min`
        : magnitude < 172_800
          ? `${Math.round(magnitude / 3600)} h`
          : `${Math.round(magnitude / 86_400)} days`;
  return delta >= 0 ? `${amount} ago` : `${amount} in the future`;
}

/** Which key, if any, made one of the signatures (the timestamp aside). */
function matchingKey(keys: string[], request: SavedRequest): number {
  return keys.findIndex((key) => {
    try {
      verifyWebhookBody(key, request.headers, request.body, { toleranceSeconds: Infinity });
      return true;
    } catch (error) {
      if (error instanceof WebhookVerificationError) return false;
      throw new InputError(`key ${key.slice(0, 10)}… cannot be used: ${(error as Error).message}`);
    }
  });
}

/** Why no key matched, as far as the request shows it: the most likely cause first. */
function diagnose(keys: string[], request: SavedRequest, identity: WebhookIdentity): string[] {
  const versions = new Set(identity.signatures.split(' ').map((entry) => entry.split(',')[0]));
  const secrets = keys.filter((key) => !key.startsWith('whpk_'));
  const publicKeys = keys.filter((key) => key.startsWith('whpk_'));
  if (!versions.has('v1') && !versions.has('v1a'))
    return [
      `the webhook-signature header holds no v1 or v1a signature: ${JSON.stringify(identity.signatures)}`,
    ];
  if (!versions.has('v1') && publicKeys.length === 0)
    return [
      "the request carries only v1a (Ed25519) signatures: pass the endpoint's whpk_ public key " +
        '(GET …/endpoint/{endpoint_id}/public-key), not its whsec_ secret',
    ];
  if (!versions.has('v1a') && secrets.length === 0)
    return ["the request carries only v1 (HMAC) signatures: pass the endpoint's whsec_ secret"];
  const altered = (body: Buffer, what: string) =>
    matchingKey(keys, { headers: request.headers, body }) >= 0 ? [what] : [];
  const text = request.body.toString('utf8');
  const hints = [
    ...(/\r?\n$/.test(text)
      ? altered(
          Buffer.from(text.replace(/\r?\n$/, ''), 'utf8'),
          'it holds for the body without its final line break: the saved body gained one (an editor or echo adds ' +
            'it); the signature covers the bytes as sent',
        )
      : []),
    ...(() => {
      try {
        return altered(
          Buffer.from(JSON.stringify(JSON.parse(text)), 'utf8'),
          'it holds for the same JSON written compactly: the body was parsed and serialised again before ' +
            'verifying; verify the raw body',
        );
      } catch {
        return [];
      }
    })(),
  ];
  if (hints.length > 0) return hints;
  return [
    `no ${[...versions].filter((v) => v === 'v1' || v === 'v1a').join(' or ')} signature matches the ` +
      `${keys.length === 1 ? 'key' : `${keys.length} keys`}: either the key is not the one that signed (another ` +
      "endpoint's secret, or one rotated out), or the body or webhook-id differ from what was signed",
  ];
}

function run(file: string | undefined, flags: VerifyFlags): number {
  const tolerance = Number(flags.tolerance);
  if (!Number.isInteger(tolerance) || tolerance < 0)
    throw new InputError(`--tolerance must be a whole number of seconds, got ${flags.tolerance}`);
  const keys = keysFrom(flags);
  const request = loadRequest(file, flags);
  const out = (line: string) => process.stdout.write(`${line}\n`);
  let identity: WebhookIdentity;
  try {
    identity = webhookIdentity(request.headers);
  } catch (error) {
    if (!(error instanceof WebhookVerificationError)) throw error;
    out(`not verified (${error.reason}): ${error.message}`);
    out(`  headers present: ${Object.keys(request.headers).sort().join(', ') || 'none'}`);
    return EXIT_NOT_VERIFIED;
  }
  const now = Date.now();
  const contentType = request.headers['content-type'] ?? 'no content-type';
  const details = [
    `  webhook-id         ${identity.id}`,
    `  webhook-timestamp  ${identity.timestamp} (${new Date(identity.timestamp * 1000).toISOString()}, ${age(identity.timestamp, now)})`,
    `  body               ${request.body.length} bytes, ${contentType}`,
  ];
  const matched = matchingKey(keys, request);
  if (matched < 0) {
    out('not verified (no_matching_signature): no signature matches');
    for (const hint of diagnose(keys, request, identity)) out(`  ${hint}`);
    details.forEach(out);
    return EXIT_NOT_VERIFIED;
  }
  const which = keys.length > 1 ? ` with key ${matched + 1} of ${keys.length}` : '';
  const kind = keys[matched]!.startsWith('whpk_') ? 'v1a (Ed25519)' : 'v1 (HMAC-SHA256)';
  if (!flags.ignoreTimestamp) {
    try {
      verifyWebhookBody(keys[matched]!, request.headers, request.body, { toleranceSeconds: tolerance, now });
    } catch (error) {
      if (!(error instanceof WebhookVerificationError)) throw error;
      out(
        `not verified (${error.reason}): the ${kind} signature holds${which}, but the timestamp is ` +
          (error.reason === 'timestamp_too_new' ? 'too new' : 'too old'),
      );
      out(
        `  a receiver accepts a timestamp within ${tolerance} s of now; this one is ${age(identity.timestamp, now)} ` +
          '(pass --ignore-timestamp to check only the signature of an old request)',
      );
      details.forEach(out);
      return EXIT_NOT_VERIFIED;
    }
  }
  out(`verified: the ${kind} signature holds${which}`);
  details.forEach(out);
  return EXIT_VERIFIED;
}

export function verifyCommand(): Command {
  return usageErrorsExitWith(new Command('verify'), EXIT_BAD_INPUT)
    .description("check a saved webhook request's signature and say why it does not hold")
    .argument(
      '[request-file]',
      'a raw HTTP request or a JSON {"headers", "body"} file; "-" or nothing reads standard input',
    )
    .addOption(
      new Option(
        '--secret <key>',
        "the endpoint's whsec_ secret or whpk_ public key (repeat for several)",
      ).argParser(collect),
    )
    .option('--headers-file <file>', 'the headers alone: "Name: value" lines or a JSON object')
    .option('--body-file <file>', 'the body alone, byte for byte')
    .option(
      '--tolerance <seconds>',
      'how far the timestamp may be from now',
      String(DEFAULT_TOLERANCE_SECONDS),
    )
    .option('--ignore-timestamp', 'check the signature only, not the age of the request')
    .addHelpText(
      'after',
      '\nExit status: 0 the signature holds, 1 it does not (the reason is printed), 2 the input cannot be read.\n' +
        'The key can also come from the WEBHOOK_SECRET environment variable.',
    )
    .action((file: string | undefined, flags: VerifyFlags) => {
      try {
        process.exitCode = run(file, flags);
      } catch (error) {
        if (!(error instanceof InputError || error instanceof SavedRequestError)) throw error;
        process.stderr.write(`herald verify: ${error.message}\n`);
        process.exitCode = EXIT_BAD_INPUT;
      }
    });
}
