/** The `herald listen` command: its options, and starting and stopping the listener (`listen.ts`). */
import { Command } from 'commander';
import { defaultName, Listener, ListenError } from './listen.js';

interface ListenFlags {
  url: string;
  key?: string;
  forwardTo: string;
  app?: string;
  name: string;
  events?: string;
  channels?: string;
}

/** `a,b, c` as a list; an empty list as null (no filter). */
function list(text: string | undefined): string[] | null {
  if (text === undefined) return null;
  const items = text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  return items.length === 0 ? null : items;
}

export function listenCommand(): Command {
  return new Command('listen')
    .description(
      "receive an application's webhooks on this machine: a relay endpoint in Herald, forwarded to a local URL",
    )
    .option('--url <url>', 'where Herald serves its API', process.env.HERALD_URL ?? 'http://localhost:8071')
    .option('--key <key>', 'an API key scoped to the application, or a portal key; default: $HERALD_KEY')
    .requiredOption(
      '--forward-to <url>',
      'the local URL that gets each webhook, such as http://localhost:3000/webhooks',
    )
    .option('--app <app>', 'the application (id or uid); default: the one the key is scoped to')
    .option(
      '--name <name>',
      'names the relay endpoint; the same name reuses it across restarts',
      defaultName(),
    )
    .option('--events <types>', 'only these event types, comma-separated')
    .option('--channels <channels>', 'only messages on these channels, comma-separated')
    .addHelpText(
      'after',
      '\nEach delivery prints one line: time, event type, message id, local status and milliseconds.\n' +
        'Herald records what the local handler answered as the attempt, and retries as for any endpoint.',
    )
    .action(async (flags: ListenFlags) => {
      const key = flags.key ?? process.env.HERALD_KEY;
      if (key === undefined || key === '') throw new ListenError('pass --key <key> or set HERALD_KEY');
      let forwardTo: URL;
      try {
        forwardTo = new URL(flags.forwardTo);
      } catch {
        throw new ListenError(
          `--forward-to "${flags.forwardTo}" is not a URL; write it like http://localhost:3000/webhooks`,
        );
      }
      if (forwardTo.protocol !== 'http:' && forwardTo.protocol !== 'https:')
        throw new ListenError('--forward-to must be an http:// or https:// URL');
      if (!/^[a-z0-9.-]{1,100}$/.test(flags.name))
        throw new ListenError(`--name "${flags.name}" may hold only a-z, 0-9, "." and "-" (at most 100)`);
      const listener = new Listener({
        url: flags.url,
        key,
        forwardTo: forwardTo.toString(),
        app: flags.app ?? null,
        name: flags.name,
        eventTypes: list(flags.events),
        channels: list(flags.channels),
        print: (line) => process.stdout.write(`${line}\n`),
      });
      let stopping = false;
      const stop = () => {
        if (stopping) return;
        stopping = true;
        void listener.stop().then(() => {
          process.stdout.write('Stopped.\n');
          process.exit(0);
        });
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      await listener.start();
      await listener.run();
    });
}
