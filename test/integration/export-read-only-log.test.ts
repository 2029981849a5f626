/**
 * `shotscale export --db` of a shot log it may only read, with the real CLI
 * and real SQLite files: a log in a read-only folder (an archive on a
 * write-protected drive) exports, and no log is left with a -shm or -wal
 * beside it that it did not have; a server's shots still in its -wal are
 * exported, whether the server runs or crashed; a failed write of standard
 * output is OUTPUT_UNWRITABLE.
 *
 * Root ignores file permissions, so the read-only folder is tried as the
 * user nobody when the tests run as root (and as the user running them
 * otherwise); where nobody cannot run the CLI from this checkout, that test
 * is skipped, and the copy that makes it work is still checked by the tests
 * of what is left beside the log.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess, type StdioOptions } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { ShotRecord } from '../../server/shared/shots.js';
import { timecodeAtRate } from '../../server/shots/timecode.js';
import { DATABASE_FILE, openDatabase } from '../../server/store/database.js';
import { ShotStore } from '../../server/store/shot-store.js';
import { CLI, type CliResult } from '../support/cli.js';
import { parseCsv } from '../support/export-parsers.js';
import { tempDir } from '../support/media.js';
import { REPO_DIR } from '../support/server-harness.js';
import { shotLog } from '../support/shot-records.js';

/** The user nobody on Linux: one who may write none of the test's files. */
const NOBODY = 65534;
const asRoot = process.getuid?.() === 0;

/** Runs the CLI with its stdout on `stdout` (a pipe read here, or a file descriptor), as `uid` when given. */
function runExport(args: string[], options: { uid?: number; stdout?: number } = {}): Promise<CliResult> {
  const stdio: StdioOptions = ['ignore', options.stdout ?? 'pipe', 'pipe'];
  const ids = options.uid === undefined ? {} : { uid: options.uid, gid: options.uid };
  const child = spawn(process.execPath, [CLI, 'export', '--format', 'csv', ...args], { cwd: REPO_DIR, stdio, ...ids });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (t: string) => (stdout += t));
  child.stderr!.setEncoding('utf8').on('data', (t: string) => (stderr += t));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

/** A shot log as a server leaves it when it stops: WAL mode, every shot in the file, no -wal or -shm. */
function closedLog(dir: string, shots: ShotRecord[]): string {
  const file = path.join(dir, DATABASE_FILE);
  const db = openDatabase(file);
  const store = new ShotStore(db, timecodeAtRate);
  for (const shot of shots) store.add(shot, null);
  db.close();
  return file;
}

/**
 * Another process that opens `file` as the server does, adds `shots` (they
 * stay in the -wal: far fewer pages than a checkpoint waits for) and then
 * crashes (SIGKILL) or stays open, a running server, until killed.
 */
async function writer(file: string, shots: ShotRecord[], then: 'crash' | 'stay'): Promise<ChildProcess> {
  const code = `
    const [{ openDatabase }, { ShotStore }, { timecodeAtRate }] = await Promise.all([
      import('./server/store/database.ts'), import('./server/store/shot-store.ts'), import('./server/shots/timecode.ts'),
    ]);
    const store = new ShotStore(openDatabase(${JSON.stringify(file)}), timecodeAtRate);
    for (const shot of ${JSON.stringify(shots)}) store.add(shot, null);
    process.stdout.write('written\\n');
    if (${JSON.stringify(then)} === 'crash') process.kill(process.pid, 'SIGKILL');
    setInterval(() => {}, 60_000);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: REPO_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (t: string) => (err += t));
  const said = new Promise<void>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (t: string) => t.includes('written') && resolve());
    child.once('exit', (exitCode, signal) => signal !== 'SIGKILL' && reject(new Error(`writer exited ${exitCode}: ${err}`)));
  });
  await said;
  if (then === 'crash') await new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(null) : child.once('exit', resolve)));
  return child;
}

function names(dir: string): string[] {
  return readdirSync(dir).sort();
}

function scales(run: CliResult): string[] {
  assert.equal(run.code, 0, run.stderr);
  return parseCsv(run.stdout).map((row) => row.scale!);
}

const shot = shotLog();
const threeMedium = () => [shot('MS', 2), shot('MS', 2), shot('MS', 2)];
const twoCloseUps = () => [shot('CU', 2), shot('CU', 2)];

/** Whether `uid` can run the CLI from this checkout (it must read the repository and node_modules). */
function canRunAs(uid: number): boolean {
  return spawnSync(process.execPath, [CLI, '--version'], { cwd: REPO_DIR, uid, gid: uid, stdio: 'ignore', timeout: 60_000 }).status === 0;
}

describe('shotscale export --db leaves nothing beside the log', () => {
  test('a closed shot log exports, and no -shm or -wal is made beside it', async () => {
    const dir = tempDir();
    const file = closedLog(dir, threeMedium());
    const before = { names: names(dir), bytes: readFileSync(file) };
    assert.deepEqual(before.names, [DATABASE_FILE], 'a WAL log as a stopped server leaves it');
    assert.deepEqual(scales(await runExport(['--db', file])), ['MS', 'MS', 'MS']);
    assert.deepEqual(names(dir), before.names, 'nothing made beside the log');
    assert.ok(readFileSync(file).equals(before.bytes));
  });

  test('a server that crashed: the shots only its -wal holds are exported, with or without its -shm, and nothing is added', async () => {
    for (const keepShm of [true, false]) {
      const dir = tempDir();
      const file = closedLog(dir, threeMedium());
      await writer(file, twoCloseUps(), 'crash');
      assert.ok(readFileSync(`${file}-wal`).length > 0, 'the crash left shots in the -wal');
      // Copied away without its -shm (it is only an index of the -wal), or left as the crash left it.
      if (!keepShm) rmSync(`${file}-shm`);
      const before = names(dir);
      assert.deepEqual(scales(await runExport(['--db', file])), ['MS', 'MS', 'MS', 'CU', 'CU'], keepShm ? 'with its -shm' : 'without its -shm');
      assert.deepEqual(names(dir), before, keepShm ? 'with its -shm' : 'no -shm made');
    }
  });

  test('a running server: its latest shots, still in its -wal, are exported beside it', async () => {
    const dir = tempDir();
    const file = closedLog(dir, threeMedium());
    const server = await writer(file, twoCloseUps(), 'stay');
    try {
      assert.deepEqual(scales(await runExport(['--db', file])), ['MS', 'MS', 'MS', 'CU', 'CU']);
    } finally {
      server.kill('SIGKILL');
    }
  });

  test('a WAL-mode SQLite file of another program is still DATABASE_FOREIGN, and left alone', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'notes.sqlite');
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.exec("CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('keep me')");
    db.close();
    const before = { names: names(dir), bytes: readFileSync(file) };
    const run = await runExport(['--db', file]);
    assert.equal(run.code, 1, run.stderr);
    assert.ok(run.stderr.includes(`error DATABASE_FOREIGN: ${file} is not a shotscale shot log: it has no schema version`), run.stderr);
    assert.deepEqual(names(dir), before.names);
    assert.ok(readFileSync(file).equals(before.bytes));
  });
});

describe('shotscale export --db of a log in a read-only folder', () => {
  const uid = asRoot ? NOBODY : undefined;
  const runnable = uid === undefined || canRunAs(uid);
  const skip = runnable ? false : `the user nobody (uid ${NOBODY}) cannot run ${CLI} from this checkout`;

  test('exports as a user who may not write there (a closed log, and a crashed one with only its -wal); an unreadable log is INPUT_UNREADABLE', { skip }, async () => {
    const dir = tempDir();
    chmodSync(dir, 0o755); // for nobody to reach the folders below
    const archive = path.join(dir, 'archive');
    const crashed = path.join(dir, 'crashed');
    const locked = path.join(dir, 'locked');
    for (const folder of [archive, crashed, locked]) mkdirSync(folder);
    closedLog(archive, threeMedium());
    const crashedLog = closedLog(crashed, threeMedium());
    await writer(crashedLog, twoCloseUps(), 'crash');
    rmSync(`${crashedLog}-shm`);
    closedLog(locked, threeMedium());
    const modes: [string, number, number][] = [
      [archive, 0o555, 0o444],
      [crashed, 0o555, 0o444],
      [locked, 0o755, 0o000],
    ];
    for (const [folder, folderMode, fileMode] of modes) {
      for (const name of names(folder)) chmodSync(path.join(folder, name), fileMode);
      chmodSync(folder, folderMode);
    }
    try {
      assert.deepEqual(scales(await runExport(['--db', path.join(archive, DATABASE_FILE)], { uid })), ['MS', 'MS', 'MS']);
      assert.deepEqual(names(archive), [DATABASE_FILE]);
      assert.deepEqual(scales(await runExport(['--db', crashedLog], { uid })), ['MS', 'MS', 'MS', 'CU', 'CU']);
      assert.deepEqual(names(crashed), [DATABASE_FILE, `${DATABASE_FILE}-wal`]);
      const unreadable = path.join(locked, DATABASE_FILE);
      const run = await runExport(['--db', unreadable], { uid });
      assert.equal(run.code, 1, run.stderr);
      assert.ok(run.stderr.includes(`error INPUT_UNREADABLE: cannot read ${unreadable}: permission denied`), run.stderr);
    } finally {
      // For the temporary folders to be removed (as a user other than root).
      for (const folder of [archive, crashed, locked]) chmodSync(folder, 0o755);
    }
  });
});

describe('shotscale export to standard output', () => {
  test('a write that fails (> /dev/full) is OUTPUT_UNWRITABLE, exit 1', { skip: existsSync('/dev/full') ? false : 'no /dev/full here' }, async () => {
    const file = closedLog(tempDir(), threeMedium());
    const full = openSync('/dev/full', 'w');
    try {
      const run = await runExport(['--db', file], { stdout: full });
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stderr, /^error OUTPUT_UNWRITABLE: standard output or error: ENOSPC/m);
    } finally {
      closeSync(full);
    }
  });

  test('a reader that has gone (| head -1 done) stops it quietly, as it does classify', async () => {
    const file = closedLog(tempDir(), threeMedium());
    const child = spawn(process.execPath, [CLI, 'export', '--format', 'csv', '--db', file], { cwd: REPO_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.destroy(); // closed before the CLI writes: its write fails with EPIPE
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (t: string) => (stderr += t));
    const code = await new Promise((resolve) => child.once('close', resolve));
    assert.equal(code, 0, stderr);
    assert.equal(stderr, '');
  });
});
