/**
 * The shot log file under faults other than a full disk, with real processes:
 * a start while another process holds a lock on the file fails fast with
 * DATABASE_LOCKED (in-process and as `shotscale serve`), and `shotscale
 * export` only ever reads: it refuses a file that is not a shot log without
 * touching it, and exports an older shot log without migrating it.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { validateConfig } from '../../server/config/load-config.js';
import { isShotscaleError } from '../../server/errors.js';
import { silentLogger } from '../../server/shared/logger.js';
import { CANONICAL_SCALES } from '../../server/shared/scale.js';
import type { ShotRecord } from '../../server/shared/shots.js';
import { ShotLog } from '../../server/shots/shot-log.js';
import { timecodeAtRate } from '../../server/shots/timecode.js';
import { DATABASE_FILE, openDatabase } from '../../server/store/database.js';
import { MIGRATIONS } from '../../server/store/migrations.js';
import { ShotStore } from '../../server/store/shot-store.js';
import { runCli, writeServeConfig } from '../support/cli.js';
import { parseCsv } from '../support/export-parsers.js';
import { tempDir } from '../support/media.js';
import { REPO_DIR } from '../support/server-harness.js';

const CONFIG = validateConfig({}, '(test)');
const T0 = Date.UTC(2025, 8, 9, 8, 0, 0);
const noEvents = { shot: () => undefined, takes: () => undefined, coverage: () => undefined, alert: () => undefined };

/** Another process that opens `file` and holds BEGIN EXCLUSIVE until killed. */
async function lockHolder(file: string): Promise<ChildProcess> {
  const code = [
    "const Database = require('better-sqlite3');",
    `const db = new Database(${JSON.stringify(file)});`,
    "db.exec('BEGIN EXCLUSIVE');",
    "process.stdout.write('locked\\n');",
    'setInterval(() => {}, 60_000);',
  ].join('\n');
  const child = spawn(process.execPath, ['-e', code], { cwd: REPO_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (t: string) => (stderr += t));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', (exit) => reject(new Error(`the lock holder exited (${exit}): ${stderr}`)));
  });
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

/** A shot log as shotscale leaves it (WAL mode, every migration), closed. */
function shotLogFile(dir = tempDir()): string {
  const file = path.join(dir, DATABASE_FILE);
  openDatabase(file).close();
  return file;
}

function assertLocked(error: unknown, file: string): true {
  assert.ok(isShotscaleError(error, 'DATABASE_LOCKED'), String(error));
  assert.match(error.message, /^the shot log .* is locked: another process holds it \(SQLITE_BUSY: database is locked after 2 s\)$/);
  assert.ok(error.message.includes(file), error.message);
  assert.match(error.hint ?? '', /another shotscale on the same shots\.dataDir/);
  return true;
}

describe('a shot log locked by another process', () => {
  test('a shot log in use elsewhere (WAL, a writer holding it): the start fails within seconds with DATABASE_LOCKED; once let go it starts', async () => {
    const dir = tempDir();
    const file = shotLogFile(dir);
    const holder = await lockHolder(file);
    try {
      const started = performance.now();
      assert.throws(() => ShotLog.open(dir, CONFIG, () => T0, silentLogger, noEvents), (error: unknown) => assertLocked(error, file));
      const tookMs = performance.now() - started;
      assert.ok(tookMs >= 1500 && tookMs < 5000, `waited the busy timeout, not more: ${tookMs.toFixed(0)} ms`);
    } finally {
      await stop(holder);
    }
    const log = ShotLog.open(dir, CONFIG, () => T0, silentLogger, noEvents);
    log.close();
  });

  test('a file another program holds before shotscale ever made it WAL: DATABASE_LOCKED too (journal_mode waits, then fails)', async () => {
    const dir = tempDir();
    const file = path.join(dir, DATABASE_FILE);
    const holder = await lockHolder(file);
    try {
      const started = performance.now();
      assert.throws(() => openDatabase(file), (error: unknown) => assertLocked(error, file));
      assert.ok(performance.now() - started < 5000);
    } finally {
      await stop(holder);
    }
  });

  test('one server per data directory: a second shotscale on the same shots.dataDir is refused at once, even between writes', async () => {
    const dir = tempDir();
    const first = ShotLog.open(dir, CONFIG, () => T0, silentLogger, noEvents);
    try {
      // A second process, as a second `shotscale serve` would be.
      const code = [
        "import('./server/shots/shot-log.ts').then(({ ShotLog }) => {",
        `  try { ShotLog.open(${JSON.stringify(dir)}, { shots: { timecode: {}, cuts: {} }, coverage: { plans: [], alerts: {} } }, () => 0, { info() {}, warn() {}, error() {}, debug() {}, child() { return this; } }, {}); process.stdout.write('opened'); }`,
        "  catch (e) { process.stdout.write(String(e.code) + ': ' + e.message); }",
        '  process.exit(0);',
        '});',
      ].join('\n');
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: REPO_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout!.setEncoding('utf8').on('data', (t: string) => (out += t));
      await new Promise((resolve) => child.once('exit', resolve));
      assert.match(out, /^DATABASE_LOCKED: the data directory .* is in use by another shotscale/);
    } finally {
      first.close();
    }
    const again = ShotLog.open(dir, CONFIG, () => T0, silentLogger, noEvents);
    again.close();
  });

  test('shotscale serve on a locked shots.dataDir exits 1 with DATABASE_LOCKED and its hint', { timeout: 90_000 }, async () => {
    const dir = tempDir();
    const dataDir = path.join(dir, 'data');
    const file = shotLogFile(dataDir);
    const config = writeServeConfig(path.join(dir, 'config.yaml'), dataDir);
    const holder = await lockHolder(file);
    try {
      // A server that started would never exit: runCli would time out and fail the test.
      const run = await runCli(['serve', '--config', config], { timeoutMs: 60_000 });
      assert.equal(run.code, 1, run.stderr);
      assert.ok(run.stderr.includes(`error DATABASE_LOCKED: the shot log ${file} is locked: another process holds it`), run.stderr);
      assert.match(run.stderr, /hint: another shotscale on the same shots\.dataDir\?/);
      assert.doesNotMatch(run.stdout, /listening on/);
    } finally {
      await stop(holder);
    }
  });
});

// ---- export reads only ----

function shot(n: number): ShotRecord {
  const inTime = T0 + n * 2000;
  return {
    id: 0,
    cameraId: 'cam-1',
    status: 'closed',
    inTime,
    outTime: inTime + 2000,
    rate: '25',
    inFrame: 90000 + n * 50,
    outFrame: 90050 + n * 50,
    tcIn: '',
    tcOut: '',
    durationS: 2,
    startS: n * 2,
    scale: 'MS',
    scaleStart: null,
    scaleEnd: null,
    confidence: 0.8,
    probabilities: CANONICAL_SCALES.map((s) => (s === 'MS' ? 0.8 : 0.2 / 7)),
    readouts: 10,
    subjects: null,
    reason: null,
    cutIn: n === 0 ? 'start' : 'hard',
    cutOut: 'hard',
    scene: '4',
    take: '1',
    tags: [],
    note: null,
    hasThumbnail: false,
  };
}

/** A shot log with three shots, at the latest schema version or at `version`. */
/**
 * A shot log with three shots at schema `version`. An older one is written
 * with the columns that version had (today's store writes today's columns).
 */
function shotLogWithShots(version = MIGRATIONS.at(-1)!.version): string {
  const file = path.join(tempDir(), DATABASE_FILE);
  const db = openDatabase(file, MIGRATIONS.filter((m) => m.version <= version));
  if (version === MIGRATIONS.at(-1)!.version) {
    const store = new ShotStore(db, timecodeAtRate);
    for (let n = 0; n < 3; n++) store.add(shot(n), null);
  } else {
    const insert = db.prepare(`INSERT INTO shots (camera_id, status, in_time, out_time, rate, in_frame, out_frame, start_s, scale, confidence, probabilities, readouts, cut_in, cut_out, scene, take)
      VALUES (@cameraId, @status, @inTime, @outTime, @rate, @inFrame, @outFrame, @startS, @scale, @confidence, @probabilities, @readouts, @cutIn, @cutOut, @scene, @take)`);
    for (let n = 0; n < 3; n++) {
      const s = shot(n);
      insert.run({ ...s, probabilities: JSON.stringify(s.probabilities) });
    }
  }
  db.close();
  return file;
}

/** The file's bytes and the names in its directory (a journal or WAL made by a writer would show). */
function snapshot(file: string): { bytes: Buffer; names: string[] } {
  return { bytes: readFileSync(file), names: readdirSync(path.dirname(file)).sort() };
}

function exportCsv(file: string) {
  return runCli(['export', '--db', file, '--format', 'csv']);
}

describe('shotscale export --db reads only', () => {
  test('a SQLite file that is not a shot log is refused with DATABASE_FOREIGN and left byte for byte as it was', async () => {
    const dir = tempDir();
    const cases: [string, (db: Database.Database) => void, RegExp][] = [
      ['notes.sqlite', (db) => db.exec("CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('keep me')"), /it has no schema version$/m],
      ['other-app.db', (db) => db.exec('CREATE TABLE things (id INTEGER PRIMARY KEY); PRAGMA user_version = 2'), /it has no shots table$/m],
    ];
    for (const [name, make, why] of cases) {
      const file = path.join(dir, name);
      const db = new Database(file);
      make(db);
      db.close();
      const before = snapshot(file);
      const run = await exportCsv(file);
      assert.equal(run.code, 1, run.stderr);
      assert.ok(run.stderr.includes(`error DATABASE_FOREIGN: ${file} is not a shotscale shot log: `), run.stderr);
      assert.match(run.stderr, why);
      assert.equal(run.stdout, '');
      assert.deepEqual(snapshot(file), before, `${name} is untouched, and no journal was made beside it`);
    }
  });

  test('a file that is not SQLite at all is DATABASE_FOREIGN, untouched', async () => {
    const file = path.join(tempDir(), 'shotscale.sqlite');
    writeFileSync(file, 'scene,take\n12,3\n'.repeat(300));
    const before = snapshot(file);
    const run = await exportCsv(file);
    assert.equal(run.code, 1, run.stderr);
    assert.ok(run.stderr.includes(`error DATABASE_FOREIGN: ${file} is not a shotscale shot log: file is not a database`), run.stderr);
    assert.deepEqual(snapshot(file), before);
  });

  test('a shot log exports; one at an older schema version too, migrated in memory only', async () => {
    const current = shotLogWithShots();
    const run = await exportCsv(current);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(parseCsv(run.stdout).map((r) => [r.tc_in, r.scale, r.scene]), [
      ['01:00:00:00', 'MS', '4'],
      ['01:00:02:00', 'MS', '4'],
      ['01:00:04:00', 'MS', '4'],
    ]);

    const older = shotLogWithShots(1);
    const before = readFileSync(older);
    const oldRun = await exportCsv(older);
    assert.equal(oldRun.code, 0, oldRun.stderr);
    assert.equal(parseCsv(oldRun.stdout).length, 3);
    assert.ok(readFileSync(older).equals(before), 'the older shot log is byte for byte as it was');
    const check = new Database(older, { readonly: true });
    assert.equal(check.pragma('user_version', { simple: true }), 1);
    assert.equal(check.prepare("SELECT COUNT(*) FROM sqlite_master WHERE name = 'plans'").pluck().get(), 0, 'not migrated');
    check.close();
  });

  test('a shot log from a newer shotscale is still refused, untouched', async () => {
    const file = shotLogWithShots();
    const db = new Database(file);
    db.pragma('user_version = 99');
    db.close();
    const before = readFileSync(file);
    const run = await exportCsv(file);
    assert.equal(run.code, 1, run.stderr);
    assert.ok(run.stderr.includes(`error DATABASE_FAILED: the shot log ${file} is at schema version 99, newer than this shotscale knows`), run.stderr);
    assert.ok(readFileSync(file).equals(before));
  });
});
