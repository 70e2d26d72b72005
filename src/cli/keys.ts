/** `herald keys create|list|revoke`: manage API keys from the command line. */
import { Command, type Option } from 'commander';
import { loadConfig, type ConfigFlags } from '../config/config.js';
import { generateApiKey } from '../security/api-keys.js';
import { formatCidr, parseCidrList } from '../util/cidr.js';
import type { Store } from '../store/index.js';
import { newId } from '../util/ids.js';

async function withStore<T>(flags: ConfigFlags, work: (store: Store) => Promise<T>): Promise<T> {
  const { storeFor } = await import('../herald.js');
  const store = storeFor(loadConfig(process.env, flags));
  try {
    await store.migrate();
    return await work(store);
  } finally {
    await store.close();
  }
}

async function audit(store: Store, action: string, targetId: string, appId: string | null) {
  const now = Date.now();
  await store.auditAppend({
    id: newId('audit', now),
    createdAt: now,
    actor: 'cli',
    ip: null,
    action,
    targetType: 'api_key',
    targetId,
    appId,
    before: null,
    after: null,
  });
}

export function keyCommands(dataDir: Option, databaseUrl: Option): Command {
  const keys = new Command('keys').description('manage API keys');

  keys
    .command('create')
    .description('create an API key and print its token once')
    .option('--name <name>', 'a name to recognise the key by', 'cli key')
    .option('--app <app>', 'scope the key to one application (id or uid); default: an admin key')
    .option(
      '--allow-cidr <cidrs>',
      'client networks the key may be used from, comma-separated; default: anywhere',
    )
    .option('--rate-limit <n>', 'requests per second the key may make; default: HERALD_API_RATE_LIMIT')
    .addOption(dataDir)
    .addOption(databaseUrl)
    .action(
      async (flags: ConfigFlags & { name: string; app?: string; allowCidr?: string; rateLimit?: string }) => {
        let allowedClientCidrs: string[] | null = null;
        if (flags.allowCidr !== undefined) {
          try {
            allowedClientCidrs = parseCidrList(flags.allowCidr).map(formatCidr);
          } catch {
            throw new Error(
              `--allow-cidr must be CIDRs such as 203.0.113.0/24,2001:db8::/32, got "${flags.allowCidr}"`,
            );
          }
        }
        const rateLimit = flags.rateLimit === undefined ? null : Number(flags.rateLimit);
        if (rateLimit !== null && !(Number.isInteger(rateLimit) && rateLimit >= 1 && rateLimit <= 1_000_000))
          throw new Error(`--rate-limit must be a whole number from 1 to 1000000, got "${flags.rateLimit}"`);
        await withStore(flags, async (store) => {
          let appId: string | null = null;
          if (flags.app !== undefined) {
            const application = await store.applicationGet(flags.app);
            if (!application) throw new Error(`there is no application "${flags.app}"`);
            appId = application.id;
          }
          const { key, token } = generateApiKey({ name: flags.name, appId, allowedClientCidrs, rateLimit });
          await store.apiKeyCreate(key);
          await audit(store, 'api_key.created', key.id, appId);
          console.log(`created ${key.id} (${appId === null ? 'admin' : `application ${appId}`})`);
          console.log(`token (shown only now): ${token}`);
        });
      },
    );

  keys
    .command('list')
    .description('list API keys (never their tokens)')
    .addOption(dataDir)
    .addOption(databaseUrl)
    .action(async (flags: ConfigFlags) => {
      await withStore(flags, async (store) => {
        for (const key of await store.apiKeyList()) {
          const state = key.revokedAt !== null ? 'revoked' : 'active';
          const scope = key.appId ?? 'admin';
          console.log(`${key.id}\t${key.tokenPrefix}…\t${scope}\t${state}\t${key.name}`);
        }
      });
    });

  keys
    .command('revoke')
    .description('revoke an API key by its id')
    .argument('<id>', 'the key id (key_…)')
    .addOption(dataDir)
    .addOption(databaseUrl)
    .action(async (id: string, flags: ConfigFlags) => {
      await withStore(flags, async (store) => {
        const revoked = await store.apiKeyRevoke(id);
        if (!revoked) {
          const known = await store.apiKeyGet(id);
          throw new Error(
            known !== undefined && known.revokedAt !== null
              ? `key ${id} was already revoked (at ${new Date(known.revokedAt).toISOString()}); nothing to do`
              : `there is no key "${id}"; see the key ids with: herald keys list`,
          );
        }
        await audit(store, 'api_key.revoked', id, revoked.appId);
        console.log(`revoked ${id}`);
      });
    });

  return keys;
}
