/**
 * The data directory's lock: one holder at a time; a server's lock file
 * stays in its data directory, `shotscale log`'s goes with its lock so that
 * its output folder holds only what it wrote.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { isShotscaleError } from '../../server/errors.js';
import { LOCK_FILE, lockDataDir } from '../../server/store/data-dir-lock.js';
import { tempDir } from '../support/media.js';

test('one holder at a time; the lock file stays unless asked to go with the lock', () => {
  const dir = tempDir();
  const lock = lockDataDir(dir);
  assert.throws(() => lockDataDir(dir), (error: unknown) => isShotscaleError(error, 'DATABASE_LOCKED'));
  lock.release();
  assert.ok(existsSync(path.join(dir, LOCK_FILE)), "a server's lock file stays (the lock is the OS's, not the file's)");

  const log = lockDataDir(dir, { removeOnRelease: true });
  assert.throws(() => lockDataDir(dir, { removeOnRelease: true }), (error: unknown) => isShotscaleError(error, 'DATABASE_LOCKED'));
  log.release();
  assert.ok(!existsSync(path.join(dir, LOCK_FILE)), 'removed with the lock');
  // Taken again at once on a new file.
  const again = lockDataDir(dir);
  assert.ok(existsSync(path.join(dir, LOCK_FILE)));
  again.release();
});

test('no journal beside the lock while it is held; one an earlier, killed run left goes with a log’s lock', () => {
  const dir = tempDir();
  const lock = lockDataDir(dir);
  assert.deepEqual(readdirSync(dir), [LOCK_FILE], 'the lock file alone, however long the lock is held');
  lock.release();
  // What a run killed while it held the lock left beside it (SQLite's journal, header zeroed).
  writeFileSync(path.join(dir, `${LOCK_FILE}-journal`), Buffer.alloc(512));
  const log = lockDataDir(dir, { removeOnRelease: true });
  log.release();
  assert.deepEqual(readdirSync(dir), []);
});
