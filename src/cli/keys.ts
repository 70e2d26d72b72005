/** `herald keys create|list|revoke`: manage API keys from the command line. */
import { Command, type Option } from 'commander';
import { loadConfig, type ConfigFlags } from '../config/config.js';
import { storeFor } from '../herald.js';
import { generateApiKey } from '../security/api-keys.js';
import type { Store } from '../store/index.js';
import { newId } from '../util/ids.js';

async function withStore<T>(flags: ConfigFlags, work: (store: Store) => Promise<T>): Promise<T> {
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
    .addOption(dataDir)
    .addOption(databaseUrl)
    .action(async (flags: ConfigFlags & { name: string; app?: string }) => {
      await withStore(flags, async (store) => {
        let appId: string | null = null;
        if (flags.app !== undefined) {
          const application = await store.applicationGet(flags.app);
          if (!application) throw new Error(`there is no application "${flags.app}"`);
          appId = application.id;
        }
        const { key, token } = generateApiKey({ name: flags.name, appId });
        await store.apiKeyCreate(key);
        await audit(store, 'api_key.created', key.id, appId);
        console.log(`created ${key.id} (${appId === null ? 'admin' : `application ${appId}`})`);
        console.log(`token (shown only now): ${token}`);
      });
    });

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
