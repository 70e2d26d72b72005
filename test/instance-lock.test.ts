/** One embedded Herald per data directory: a second `serve` is refused while the first runs. */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lockDataDir } from '../src/util/instance-lock.js';
import { tempDir } from './helpers/env.js';
import { killAllServes, startServe } from './helpers/serve-process.js';

describe('data directory lock', () => {
  afterEach(async () => killAllServes());

  it('refuses a second serve on the same SQLite data directory, naming the first', async () => {
    const tmp = tempDir();
    try {
      const env = { HERALD_DATA_DIR: tmp.dir, HERALD_LOG_LEVEL: 'silent' };
      const first = await startServe([], env);
      const second = await startServe([], env, { waitForUrl: false });
      const { code } = await second.exited;
      expect(code).toBe(1);
      expect(second.output().stderr).toContain(`another Herald (pid ${first.child.pid})`);
      expect(first.child.exitCode).toBeNull();
    } finally {
      tmp.remove();
    }
  });

  it('takes over a lock left by a process that no longer runs', () => {
    const tmp = tempDir();
    try {
      const file = path.join(tmp.dir, 'herald.pid');
      // A pid far above any the system hands out stands for a crashed owner.
      fs.writeFileSync(file, '2147483646');
      const release = lockDataDir(tmp.dir);
      expect(fs.readFileSync(file, 'utf8')).toBe(String(process.pid));
      release();
      expect(fs.existsSync(file)).toBe(false);
    } finally {
      tmp.remove();
    }
  });
});
