#!/usr/bin/env node
/** The `herald` command. */
import { Command, Option } from 'commander';
import { ConfigError, DEFAULT_PORT, loadConfig, ROLES, type ConfigFlags } from '../config/config.js';
import { keyCommands } from './keys.js';
import { listenCommand } from './listen-command.js';
import { simulateCommands } from './simulate.js';
import { verifyCommand } from './verify.js';

function fail(error: unknown): never {
  if (error instanceof ConfigError) console.error(`herald: configuration error: ${error.message}`);
  else console.error(`herald: ${(error as Error).message ?? error}`);
  process.exit(1);
}

export function configFrom(flags: ConfigFlags) {
  try {
    return loadConfig(process.env, flags);
  } catch (error) {
    fail(error);
  }
}

/**
 * The server's modules, loaded by the commands that need them, so that the developer tools (`verify`,
 * `simulate`, `listen`) start without loading the API, the delivery engine and the database drivers.
 */
const loadHerald = () => import('../herald.js');

const program = new Command()
  .name('herald')
  .description('Herald: self-hosted webhook delivery with a Svix-compatible API')
  .showHelpAfterError();

const databaseUrlOption = new Option(
  '--database-url <url>',
  'PostgreSQL URL (default: SQLite under --data-dir)',
);
const dataDirOption = new Option(
  '--data-dir <dir>',
  'where the SQLite file and master key live (default: ./data)',
);

program
  .command('serve')
  .description('run the API and the delivery workers')
  .addOption(new Option('--role <role>', 'what this process runs').choices(ROLES))
  .option('--host <host>', 'address to listen on (default: localhost)')
  .option('--port <port>', `port to listen on (default: ${DEFAULT_PORT})`)
  .addOption(dataDirOption)
  .addOption(databaseUrlOption)
  .action(async (flags: ConfigFlags) => {
    const config = configFrom(flags);
    const { createLogger, startHerald } = await loadHerald();
    const logger = createLogger(config);
    // The first admin key is printed once, straight to the terminal, never through the log: after the server
    // listens, so the example has the real port (with --port 0), and also when the start fails after creating it.
    let firstAdminToken = null as string | null;
    const showFirstAdminKey = (url: string) => {
      if (firstAdminToken === null) return;
      const token = firstAdminToken;
      firstAdminToken = null;
      process.stdout.write(
        `\nHerald created its first admin API key. It is shown only now; keep it safe:\n\n  ${token}\n\n` +
          `Sign in to the dashboard at ${url}/ with it, or try:\n\n` +
          `  curl -H "Authorization: Bearer ${token}" ${url}/api/v1/app\n\n`,
      );
    };
    const herald = await startHerald(config, {
      logger,
      onFirstAdminKey: (token) => {
        firstAdminToken = token;
      },
    }).catch((error: unknown) => {
      showFirstAdminKey(config.publicUrl);
      return fail(error);
    });
    showFirstAdminKey(herald.url ?? config.publicUrl);
    if (herald.url)
      process.stdout.write(
        `Herald is serving ${herald.url}  (dashboard: ${herald.url}/, API docs: ${herald.url}/api/v1/docs)\n`,
      );
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'shutting down');
      herald.close().then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });

program
  .command('migrate')
  .description('bring the database schema up to date, then exit')
  .addOption(dataDirOption)
  .addOption(databaseUrlOption)
  .action(async (flags: ConfigFlags) => {
    const { storeFor } = await loadHerald();
    const store = storeFor(configFrom(flags));
    try {
      const result = await store.migrate();
      console.log(
        result.applied.length > 0
          ? `applied migrations ${result.applied.join(', ')}; the schema is at ${result.current}`
          : `the schema is up to date (${result.current})`,
      );
    } catch (error) {
      fail(error);
    } finally {
      await store.close();
    }
  });

program.addCommand(keyCommands(dataDirOption, databaseUrlOption));
program.addCommand(verifyCommand());
program.addCommand(simulateCommands());
program.addCommand(listenCommand());

await program.parseAsync(process.argv).catch(fail);
