/**
 * Mistakes on the command line as a user makes them: an export over the shot
 * log it reads, an inverted --from/--to, --db with --config, an unknown
 * command, a port out of range, doctor on a config it cannot load and
 * `cameras reset` of a camera that is nowhere. Each is refused (or warned of)
 * with its code, naming what was given, and nothing is overwritten.
 */
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase } from '../../server/store/database.js';
import { MediaSourceStore } from '../../server/store/media-source-store.js';
import { MIGRATIONS } from '../../server/store/migrations.js';
import { runCli, writeServeConfig } from '../support/cli.js';
import { tempDir } from '../support/media.js';
import { REPO_DIR } from '../support/server-harness.js';

const VERSION = (JSON.parse(readFileSync(path.join(REPO_DIR, 'package.json'), 'utf8')) as { version: string }).version;

/** A shot log of camera "cam" with three shots, 0-4 s, 4-10 s and 10-12 s into the day's first second. */
function shotLog(file: string): string {
  const db = openDatabase(file, MIGRATIONS);
  const base = Date.UTC(2026, 11, 5, 9, 0, 0);
  const insert = db.prepare(
    `INSERT INTO shots (camera_id, status, in_time, out_time, rate, in_frame, out_frame, start_s, scale, confidence, probabilities, readouts, cut_in)
     VALUES ('cam', 'closed', @inTime, @outTime, '25', @inFrame, @outFrame, @startS, 'MS', 0.9, '[0,0,0,1,0,0,0,0]', 4, 'start')`,
  );
  for (const [fromS, toS] of [[0, 4], [4, 10], [10, 12]] as const) {
    insert.run({ inTime: base + fromS * 1000, outTime: base + toS * 1000, inFrame: fromS * 25, outFrame: toS * 25, startS: fromS });
  }
  db.close();
  return file;
}

describe('shotscale export: an output over its own input', () => {
  test('--out naming the log read (by --db, a link, its -wal, or through --config) is refused before anything is written', async () => {
    const dir = tempDir();
    const log = shotLog(path.join(dir, 'LOG.sqlite'));
    const before = readFileSync(log);
    const same = await runCli(['export', '--format', 'csv', '--db', log, '--out', log]);
    assert.equal(same.code, 2, same.stderr);
    assert.ok(same.stderr.startsWith(`error BAD_REQUEST: --out ${log}: the same file as --db ${log}, which would be overwritten`), same.stderr);
    assert.match(same.stderr, /usage: shotscale export --format FORMAT/);
    assert.deepEqual(readFileSync(log), before, 'the shot log is untouched');

    const link = path.join(dir, 'link.sqlite');
    symlinkSync(log, link);
    const dotted = path.join(dir, 'sub', '..', 'link.sqlite');
    const viaLink = await runCli(['export', '--format', 'csv', '--db', log, '--out', dotted]);
    assert.equal(viaLink.code, 2, viaLink.stderr);
    assert.match(viaLink.stderr, /^error BAD_REQUEST: --out .*link\.sqlite: the same file as --db /);
    assert.deepEqual(readFileSync(log), before);

    const wal = await runCli(['export', '--format', 'csv', '--db', log, '--out', `${log}-wal`]);
    assert.equal(wal.code, 2, wal.stderr);
    assert.ok(wal.stderr.startsWith(`error BAD_REQUEST: --out ${log}-wal: the write-ahead log of --db ${log}`), wal.stderr);
    const shm = await runCli(['export', '--format', 'csv', '--db', log, '--out', `${log}-shm`]);
    assert.equal(shm.code, 2, shm.stderr);
    assert.match(shm.stderr, /the shared-memory file of --db /);

    const dataDir = path.join(dir, 'data');
    const config = writeServeConfig(path.join(dir, 'config.yaml'), dataDir);
    const served = path.join(dataDir, 'shotscale.sqlite');
    mkdirSync(dataDir);
    shotLog(served);
    const servedBefore = readFileSync(served);
    const viaConfig = await runCli(['export', '--format', 'json', '--config', config, '--out', served]);
    assert.equal(viaConfig.code, 2, viaConfig.stderr);
    assert.ok(viaConfig.stderr.startsWith(`error BAD_REQUEST: --out ${served}: the same file as the shot log of --config ${config} (${served})`), viaConfig.stderr);
    assert.deepEqual(readFileSync(served), servedBefore);

    // Another file is written as before.
    const other = path.join(dir, 'shots.csv');
    const fine = await runCli(['export', '--format', 'csv', '--db', log, '--out', other]);
    assert.equal(fine.code, 0, fine.stderr);
    assert.match(readFileSync(other, 'utf8'), /^\uFEFFid,/);
  });

  test('an inverted --from/--to, and --db with --config: refused with both named', async () => {
    const dir = tempDir();
    const log = shotLog(path.join(dir, 'LOG.sqlite'));
    const inverted = await runCli(['export', '--format', 'csv', '--db', log, '--from', '2026-12-05T10:00:00Z', '--to', '2026-12-05T09:00:00Z']);
    assert.equal(inverted.code, 2, inverted.stderr);
    assert.match(inverted.stderr, /^error BAD_REQUEST: --from 2026-12-05T10:00:00Z is after --to 2026-12-05T09:00:00Z/);
    assert.match(inverted.stderr, /usage: shotscale export/);
    const config = writeServeConfig(path.join(dir, 'config.yaml'), path.join(dir, 'data'));
    const both = await runCli(['export', '--format', 'csv', '--db', log, '--config', config]);
    assert.equal(both.code, 2, both.stderr);
    assert.ok(both.stderr.startsWith(`error BAD_REQUEST: --db ${log} and --config ${config}: give one`), both.stderr);
    const equal = await runCli(['export', '--format', 'csv', '--db', log, '--from', String(Date.UTC(2026, 11, 5, 9, 0, 5)), '--to', String(Date.UTC(2026, 11, 5, 9, 0, 5))]);
    assert.equal(equal.code, 0, `one instant is a range: ${equal.stderr}`);
  });

  test('--from 10s --to 5s on the log of a file', async () => {
    const dir = tempDir();
    const log = shotLog(path.join(dir, 'film.sqlite'));
    const db = openDatabase(log, MIGRATIONS);
    new MediaSourceStore(db).save({ cameraId: 'cam', path: '/films/a.mov', title: 'a.mov', rate: '25', width: 1280, height: 720, audio: null });
    db.close();
    const res = await runCli(['export', '--format', 'csv', '--db', log, '--from', '10s', '--to', '5s']);
    assert.equal(res.code, 2, res.stderr);
    assert.match(res.stderr, /^error BAD_REQUEST: --from 10s is after --to 5s/);
    // A time that is none of them names every form this log takes, the film's too.
    const banana = await runCli(['export', '--format', 'csv', '--db', log, '--from', 'banana']);
    assert.equal(banana.code, 2, banana.stderr);
    assert.match(banana.stderr, /^error BAD_REQUEST: --from: "banana" is neither epoch milliseconds nor an ISO 8601 date \(2026-12-05 or 2026-12-05T14:30:00Z\), nor, on this log of a file, a timecode \(00:01:30:00\) or seconds into it \(90s\)\n/);
  });
});

describe('shotscale: commands and options it does not take', () => {
  test('an unknown command is coded like every other mistake, then the usage; --version prints the version', async () => {
    const bogus = await runCli(['bogus']);
    assert.equal(bogus.code, 2);
    assert.match(bogus.stderr, /^error BAD_REQUEST: unknown command "bogus"\n {2}hint: shotscale --help lists every command\n\nusage: shotscale <command>/);
    // No command at all, and a command's missing action: the same, saying what is missing.
    const none = await runCli([]);
    assert.equal(none.code, 2);
    assert.equal(none.stdout, '');
    assert.match(none.stderr, /^error BAD_REQUEST: no command given\n {2}hint: shotscale serve runs the server; shotscale --help lists every command\n\nusage: shotscale <command>/);
    const cameras = await runCli(['cameras']);
    assert.equal(cameras.code, 2);
    assert.match(cameras.stderr, /^error BAD_REQUEST: no action given: shotscale cameras reset \[ID\.\.\.\]\n/);
    const version = await runCli(['--version']);
    assert.equal(version.code, 0, version.stderr);
    assert.equal(version.stdout, `shotscale ${VERSION}\n`);
  });

  test('serve and doctor --port out of range or given twice: BAD_REQUEST naming the value, exit 2 with the usage', async () => {
    const serve = await runCli(['serve', '--port', '99999']);
    assert.equal(serve.code, 2, serve.stderr);
    assert.match(serve.stderr, /^error BAD_REQUEST: --port "99999": a port is 1 to 65535 \(or 0: any free one\)/);
    assert.match(serve.stderr, /usage: shotscale serve/);
    const word = await runCli(['serve', '--port', 'eighty']);
    assert.equal(word.code, 2, word.stderr);
    assert.match(word.stderr, /^error BAD_REQUEST: --port "eighty": a port is/);
    const doctor = await runCli(['doctor', '--port', '99999']);
    assert.equal(doctor.code, 2, doctor.stderr);
    assert.match(doctor.stderr, /^error BAD_REQUEST: --port "99999": a port is 1 to 65535/);
    assert.match(doctor.stderr, /usage: shotscale doctor/);
    assert.equal(doctor.stdout, '', 'no report on a mistake in the command');
    // Two different ports: which one was meant is not guessed (the last used to win, silently).
    for (const command of ['serve', 'doctor']) {
      const twice = await runCli([command, '--port', '8421', '--port', '8422']);
      assert.equal(twice.code, 2, twice.stderr);
      assert.match(twice.stderr, /^error BAD_REQUEST: --port given 2 times \("8421", "8422"\): it takes one value/);
    }
  });
});

describe('shotscale doctor and cameras reset on what is not there', () => {
  test('doctor on a config it cannot load reports that config, not a model missing from the current directory', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'typo.yaml');
    writeFileSync(file, 'server: { port: 0 }\nsevrer: { host: 127.0.0.1 }\n');
    const res = await runCli(['doctor', '--config', file, '--json']);
    assert.equal(res.code, 1, res.stderr);
    const report = JSON.parse(res.stdout) as { problems: number; findings: { check: string; status: string; detail: string }[] };
    const problems = report.findings.filter((f) => f.status === 'problem');
    assert.deepEqual(problems.map((f) => f.check), ['config'], res.stdout);
    assert.match(problems[0]!.detail, /unknown key "sevrer"/);
    const model = report.findings.find((f) => f.check === 'model');
    assert.equal(model?.status, 'note', res.stdout);
    assert.match(model!.detail, /not checked: the model is named in the config, which cannot be loaded/);
  });

  test('cameras reset of a camera neither in the config file nor kept: a warning naming the cameras there', async () => {
    const dir = tempDir();
    const dataDir = path.join(dir, 'data');
    mkdirSync(dataDir);
    openDatabase(path.join(dataDir, 'shotscale.sqlite'), MIGRATIONS).close();
    const config = writeServeConfig(path.join(dir, 'config.yaml'), dataDir, ['{ id: cam-a, source: { kind: testsrc } }']);
    const res = await runCli(['cameras', 'reset', 'nosuchcam', 'cam-a', '--config', config]);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stderr, /^warning: camera "nosuchcam": no camera of that id is in the config file or kept \(the config file's cameras: cam-a\)\n/);
    assert.match(res.stderr, /\ncamera "cam-a": no change kept\n/);
  });
});
