/** Herald's own OpenAPI document, as the API serves it at /api/v1/openapi.json, built without opening a port. */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildApi } from '../../src/api/server.js';
import { loadConfig } from '../../src/config/config.js';
import { Vault } from '../../src/security/vault.js';
import { openStore } from '../../src/store/index.js';
import type { OpenApiDocument } from './operations.js';

export async function heraldOpenApi(): Promise<OpenApiDocument> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-compat-doc-'));
  const store = openStore({ sqliteFile: path.join(dir, 'herald.db') });
  try {
    const config = loadConfig({ HERALD_DATA_DIR: dir, HERALD_LOG_LEVEL: 'silent' });
    const api = await buildApi({ config, store, vault: new Vault(randomBytes(32)) });
    try {
      const response = await api.inject({ method: 'GET', url: '/api/v1/openapi.json' });
      if (response.statusCode !== 200)
        throw new Error(`Herald's OpenAPI document answered ${response.statusCode}: ${response.body}`);
      return response.json<OpenApiDocument>();
    } finally {
      await api.close();
    }
  } finally {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
