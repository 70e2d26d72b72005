/**
 * `herald simulate events` and `herald simulate receiver`: realistic traffic into Herald, and a local endpoint
 * with faults out of it. See docs/simulate.md.
 */
import { Command, Option } from 'commander';
import {
  collect,
  parseDuration,
  usageErrorsExitWith,
  parseLatency,
  parseProbability,
  parseRate,
  parseWhole,
} from './options.js';
import { formatSummary, simulateEvents, SimulateError } from './simulate-events.js';
import { formatTotals, startSimulatedReceiver } from './simulate-receiver.js';

interface EventsFlags {
  url: string;
  key?: string;
  app: string;
  eventType?: string[];
  rate: number;
  duration: number;
  payloads: 'generated' | 'examples';
  seed?: number;
  progress: boolean;
}

interface ReceiverFlags {
  host: string;
  port: number;
  secret?: string[];
  failRate?: number;
  latency?: { minMs: number; maxMs: number };
  hangRate: number;
  status?: number;
  retryAfter?: number;
  goneAfter?: number;
  seed?: number;
  quiet?: boolean;
}

const seedOption = () =>
  new Option('--seed <n>', 'seed of the random choices, to repeat a run exactly').argParser(
    parseWhole(0, 2 ** 31 - 1),
  );

function eventsCommand(): Command {
  return usageErrorsExitWith(new Command('events'), 2)
    .description(
      "send events from the catalogue to an application, with payloads that pass each type's schema",
    )
    .option('--url <url>', 'where Herald serves its API', process.env.HERALD_URL ?? 'http://localhost:8071')
    .option('--key <key>', 'an API key (admin, or scoped to the application); default: $HERALD_KEY')
    .requiredOption('--app <app>', 'the application (id or uid) to send to')
    .option(
      '--event-type <name>',
      'an event type to send (repeat for several); default: every live one',
      collect,
    )
    .addOption(
      new Option('--rate <rate>', 'events per second, as 50/s or 300/min')
        .default(50, '50/s')
        .argParser(parseRate),
    )
    .addOption(
      new Option('--duration <duration>', 'how long to send, as 60s, 2m or 500ms')
        .default(60_000, '60s')
        .argParser(parseDuration),
    )
    .addOption(
      new Option('--payloads <source>', 'generate from each schema, or take its examples')
        .choices(['generated', 'examples'])
        .default('generated'),
    )
    .addOption(seedOption())
    .option('--no-progress', 'no progress bar on standard error')
    .addHelpText(
      'after',
      '\nExit status: 0 when every event was accepted, 1 when some were rejected, 2 when the run could not start.',
    )
    .action(async (flags: EventsFlags) => {
      const key = flags.key ?? process.env.HERALD_KEY;
      if (!key) {
        process.stderr.write('herald simulate events: pass --key hk_… or set HERALD_KEY\n');
        process.exitCode = 2;
        return;
      }
      const options = {
        url: flags.url,
        key,
        app: flags.app,
        eventTypes: flags.eventType ?? null,
        ratePerSecond: flags.rate,
        durationMs: flags.duration,
        payloads: flags.payloads,
        seed: flags.seed,
        progress: flags.progress,
      };
      try {
        const summary = await simulateEvents(options);
        process.stdout.write(formatSummary(summary, options));
        process.exitCode = summary.accepted === summary.sent ? 0 : 1;
      } catch (error) {
        if (!(error instanceof SimulateError)) throw error;
        process.stderr.write(`herald simulate events: ${error.message}\n`);
        process.exitCode = 2;
      }
    });
}

function receiverCommand(): Command {
  return usageErrorsExitWith(new Command('receiver'), 2)
    .description('run a local webhook endpoint with a fault profile, and print each delivery')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .addOption(
      new Option('--port <port>', 'port to listen on (0: any free one)')
        .default(4000)
        .argParser(parseWhole(0, 65_535)),
    )
    .option(
      '--secret <key>',
      "check every signature with the endpoint's whsec_ secret or whpk_ key (repeatable)",
      collect,
    )
    .addOption(
      new Option('--fail-rate <p>', 'share of requests answered with --status (0 to 1, or 20%)').argParser(
        parseProbability,
      ),
    )
    .addOption(
      new Option('--latency <range>', 'wait this long before answering, as 50-500ms or 100ms').argParser(
        parseLatency,
      ),
    )
    .addOption(
      new Option('--hang-rate <p>', 'share of requests never answered')
        .default(0)
        .argParser(parseProbability),
    )
    .addOption(
      new Option(
        '--status <code>',
        'the status of failed requests (default 500); alone, every request fails with it',
      ).argParser(parseWhole(400, 599)),
    )
    .addOption(
      new Option('--retry-after <seconds>', 'send Retry-After with failed requests').argParser(
        parseWhole(0, 86_400),
      ),
    )
    .addOption(
      new Option('--gone-after <n>', 'answer 410 Gone to every request after the first n').argParser(
        parseWhole(0, Number.MAX_SAFE_INTEGER),
      ),
    )
    .addOption(seedOption())
    .option('--quiet', 'print the totals only, not each delivery')
    .action(async (flags: ReceiverFlags) => {
      const receiver = await startSimulatedReceiver(
        {
          host: flags.host,
          port: flags.port,
          secrets: flags.secret ?? [],
          // --status alone makes every request fail with it.
          failRate: flags.failRate ?? (flags.status !== undefined ? 1 : 0),
          failStatus: flags.status ?? 500,
          retryAfterSeconds: flags.retryAfter ?? null,
          latency: flags.latency ?? null,
          hangRate: flags.hangRate,
          goneAfter: flags.goneAfter ?? null,
          seed: flags.seed,
        },
        (line) => {
          if (!flags.quiet) process.stdout.write(`${line}\n`);
        },
      ).catch((error: NodeJS.ErrnoException) => {
        process.stderr.write(
          `herald simulate receiver: cannot listen on ${flags.host}:${flags.port}: ${error.code ?? error.message}\n`,
        );
        process.exit(2);
      });
      process.stdout.write(
        `Simulated receiver listening on ${receiver.url} (seed ${receiver.seed}; ` +
          `signatures ${flags.secret ? 'checked' : 'not checked'}). Ctrl-C prints the totals.\n`,
      );
      const stop = () => {
        process.stdout.write(`\n${formatTotals(receiver.totals)}`);
        void receiver.close().then(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}

export function simulateCommands(): Command {
  return new Command('simulate')
    .description('simulate traffic into Herald, or a faulty endpoint out of it')
    .addCommand(eventsCommand())
    .addCommand(receiverCommand());
}
