/**
 * SQLite checkpoints on a background thread: a store opened with `checkpoints: 'background'` stops checkpointing
 * on commit, and its thread copies the write-ahead log into the database file instead; a thread that cannot run
 * reports it, so the store can checkpoint on commit again.
 */
import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, startCheckpointer } from '../../src/store/index.js';
import { tempDir } from '../helpers/env.js';
import { waitUntil } from '../helpers/tracking-receiver.js';

describe('SQLite background checkpoints', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** A second connection that writes about 6 MB without checkpointing itself, as the store's writers do. */
  function writeWithoutCheckpoints(file: string): void {
    const writer = new SqliteDatabase(file);
    writer.pragma('wal_autocheckpoint = 0');
    writer.exec('create table filler (v text)');
    const insert = writer.prepare('insert into filler (v) values (?)');
    writer.transaction(() => {
      for (let i = 0; i < 3000; i++) insert.run('x'.repeat(2000));
    })();
    writer.close();
  }

  it('copies the log into the database file from its own thread', async () => {
    const tmp = tempDir();
    cleanups.push(() => tmp.remove());
    const file = path.join(tmp.dir, 'herald.db');
    const store = openStore({ sqliteFile: file, checkpoints: 'background' });
    cleanups.push(() => store.close());
    await store.migrate();
    const before = fs.statSync(file).size;
    writeWithoutCheckpoints(file);
    expect(fs.statSync(`${file}-wal`).size).toBeGreaterThan(6_000_000);
    // Nobody else checkpoints here, so only the background thread can grow the database file.
    await waitUntil(() => fs.statSync(file).size > before + 6_000_000, 5_000, 'the log to be checkpointed');
  });

  it('leaves the log alone without the thread (the control for the test above)', async () => {
    const tmp = tempDir();
    cleanups.push(() => tmp.remove());
    const file = path.join(tmp.dir, 'herald.db');
    const store = openStore({ sqliteFile: file });
    cleanups.push(() => store.close());
    await store.migrate();
    const before = fs.statSync(file).size;
    writeWithoutCheckpoints(file);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(fs.statSync(file).size).toBe(before);
  });

  it('reports a thread that ended by itself, and not one that was stopped', async () => {
    const tmp = tempDir();
    cleanups.push(() => tmp.remove());
    let failed = 0;
    // The directory does not exist, so the thread's connection cannot open and the thread ends.
    startCheckpointer(path.join(tmp.dir, 'missing', 'herald.db'), () => failed++, 20);
    await waitUntil(() => failed === 1, 5_000, 'the failure to be reported');

    let stoppedReports = 0;
    const file = path.join(tmp.dir, 'herald.db');
    new SqliteDatabase(file).close();
    const running = startCheckpointer(file, () => stoppedReports++, 20);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await running.stop();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stoppedReports).toBe(0);
  });
});
