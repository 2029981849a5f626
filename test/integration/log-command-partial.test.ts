/**
 * File mode, what a log says of itself: a log stopped by a signal or cut
 * short by the file says so in summary.json and report.html; a video in
 * --out that a written file would replace is refused, not overwritten; a
 * mistake on the command line is coded; one shot is "1 shot". And `samples
 * export` of no samples writes a folder `samples import` reads.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, readdirSync, readFileSync, renameSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import type { LogSummary } from '../../server/cli/log-summary.js';
import { openDatabase } from '../../server/store/database.js';
import { CLI, runCli } from '../support/cli.js';
import { makeClip, tempDir } from '../support/media.js';
import { REPO_DIR } from '../support/server-harness.js';

const LOG_TIMEOUT = { timeoutMs: 120_000 };

const readSummary = (dir: string) => JSON.parse(readFileSync(path.join(dir, 'summary.json'), 'utf8')) as LogSummary;
const reportMeta = (dir: string) => /<p class="meta">([^<]*)<\/p>/.exec(readFileSync(path.join(dir, 'report.html'), 'utf8'))?.[1] ?? '';

describe('shotscale log: a video a written file would replace', () => {
  test('a video named as an export in --out is refused before anything is written, through a linked folder too', async () => {
    const dir = tempDir();
    const video = path.join(dir, 'tc.json');
    renameSync(makeClip(dir, 'clip.mp4', 1), video);
    const before = readFileSync(video);
    const res = await runCli(['log', video, '--out', dir], LOG_TIMEOUT);
    assert.equal(res.code, 2, res.stderr);
    assert.match(res.stderr, /^error BAD_REQUEST: --out .*: its tc\.json would be written over the video \(.*tc\.json\)\n {2}hint: name another folder/);
    // Not written this run (csv only), but an earlier log's tc.json would be removed: refused as well.
    const csvOnly = await runCli(['log', video, '--out', dir, '--formats', 'csv'], LOG_TIMEOUT);
    assert.equal(csvOnly.code, 2, csvOnly.stderr);
    const linked = path.join(tempDir(), 'linked');
    symlinkSync(dir, linked);
    const viaLink = await runCli(['log', video, '--out', linked], LOG_TIMEOUT);
    assert.equal(viaLink.code, 2, viaLink.stderr);
    assert.match(viaLink.stderr, /^error BAD_REQUEST: --out .*linked: its tc\.json would be written over the video/);
    assert.deepEqual(readFileSync(video), before, 'the video is as it was');
    assert.deepEqual(readdirSync(dir).sort(), ['tc.json'], 'nothing written beside it');

    for (const name of ['summary.json', 'report.html', 'shotscale.sqlite']) {
      const named = path.join(dir, name);
      copyFileSync(video, named);
      const refused = await runCli(['log', named, '--out', dir], LOG_TIMEOUT);
      assert.equal(refused.code, 2, refused.stderr);
      assert.match(refused.stderr, new RegExp(`^error BAD_REQUEST: --out .*: its ${name.replace('.', '\\.')} would be written over the video`));
      assert.deepEqual(readFileSync(named), before, `${name} is as it was`);
    }

    // Another folder: logged as usual.
    const ok = await runCli(['log', video, '--out', path.join(dir, 'log'), '--formats', 'json'], LOG_TIMEOUT);
    assert.equal(ok.code, 0, ok.stderr);
    assert.deepEqual(readFileSync(video), before);
  });
});

describe('shotscale log: how far a log got', () => {
  test('a whole file: complete, the file’s length, no note in the report; one shot is "1 shot"', async () => {
    const dir = tempDir();
    const clip = makeClip(dir, 'one.mp4', 2);
    const out = path.join(dir, 'out');
    const res = await runCli(['log', clip, '--out', out, '--fps', '2', '--formats', 'csv'], LOG_TIMEOUT);
    assert.equal(res.code, 0, res.stderr);
    const summary = readSummary(out);
    assert.equal(summary.shots, 1);
    assert.deepEqual([summary.complete, summary.stoppedBy, summary.fileDurationS, summary.durationS], [true, null, 2, 2]);
    assert.match(res.stdout, /^one\.mp4: 1 shot in 2\.0 s,/);
    assert.match(res.stderr, /1 shot logged from one\.mp4/);
    assert.doesNotMatch(res.stdout + res.stderr, /\b1 shots\b/);
    assert.match(readFileSync(path.join(out, 'report.html'), 'utf8'), /<b>1<\/b>shot</);
    assert.match(reportMeta(out), /^shot report made /);
  });

  test('a file cut short: not complete, "truncated", the container’s length; the report says the file ends early', async () => {
    const dir = tempDir();
    const film = path.join(dir, 'short.mp4');
    execFileSync('ffmpeg', [
      '-hide_banner', '-loglevel', 'error', '-y',
      '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=25:duration=12',
      '-movflags', '+faststart', '-g', '25', '-pix_fmt', 'yuv420p', film,
    ]);
    truncateSync(film, Math.round(statSync(film).size / 3));
    const out = path.join(dir, 'out');
    const res = await runCli(['log', film, '--out', out, '--fps', '1', '--formats', 'csv'], LOG_TIMEOUT);
    assert.equal(res.code, 3, res.stderr);
    const summary = readSummary(out);
    assert.deepEqual([summary.complete, summary.stoppedBy, summary.fileDurationS], [false, 'truncated', 12]);
    assert.ok(summary.durationS > 0 && summary.durationS < 12, `the log covers what was decoded: ${summary.durationS}`);
    assert.match(reportMeta(out), new RegExp(`^the file ends early: decoded ${summary.durationS.toFixed(1).replace('.', '\\.')} s of 12\\.0 s · shot report made `));
  });

  test('Ctrl-C: not complete, stopped by SIGINT at how far it got of the file’s length, in the summary and the report', { timeout: 120_000 }, async () => {
    const dir = tempDir();
    const film = makeClip(dir, 'long.mp4', 60);
    const out = path.join(dir, 'out');
    const child = spawn(process.execPath, [CLI, 'log', film, '--out', out, '--fps', '5', '--formats', 'csv'], { cwd: REPO_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (t: string) => (stderr += t));
    child.stdout!.resume();
    const deadline = Date.now() + 60_000;
    while (!/[1-9]\d*\/1500 frames/.test(stderr) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    assert.equal(code, 130, stderr);
    const summary = readSummary(out);
    assert.deepEqual([summary.complete, summary.stoppedBy, summary.fileDurationS], [false, 'SIGINT', 60]);
    assert.ok(summary.durationS > 0 && summary.durationS < 60, `the log covers what was read: ${summary.durationS}`);
    assert.match(reportMeta(out), new RegExp(`^stopped by SIGINT at ${summary.durationS.toFixed(1).replace('.', '\\.')} s of 60\\.0 s · shot report made `));
  });
});

/** `shotscale log` stopped by SIGINT once it has read frames of `totalFrames`: its exit status and stderr. */
async function logStoppedByCtrlC(args: string[], totalFrames: number): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [CLI, 'log', ...args], { cwd: REPO_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (t: string) => (stderr += t));
  child.stdout!.resume();
  const deadline = Date.now() + 60_000;
  while (!new RegExp(`[1-9]\\d*/${totalFrames} frames`).test(stderr) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  child.kill('SIGINT');
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  return { code, stderr };
}

/** Every file in DIR (thumbnails/ too) with its bytes. */
function filesIn(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const entry of readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort()) {
    const file = path.join(dir, entry);
    if (statSync(file).isFile()) files.set(entry, readFileSync(file));
  }
  return files;
}

const shotsInLog = (dir: string) => {
  const db = openDatabase(path.join(dir, 'shotscale.sqlite'));
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM shots').get() as { n: number }).n;
  } finally {
    db.close();
  }
};

describe('shotscale log: a re-run stopped by a signal', () => {
  test('keeps the earlier complete log, every file of it as it was, and says so; exit 130', { timeout: 180_000 }, async () => {
    const dir = tempDir();
    const film = makeClip(dir, 'long.mp4', 60);
    const out = path.join(dir, 'out');
    const whole = await runCli(['log', film, '--out', out, '--fps', '1', '--formats', 'csv,edl'], LOG_TIMEOUT);
    assert.equal(whole.code, 0, whole.stderr);
    const summary = readSummary(out);
    assert.equal(summary.complete, true);
    const before = filesIn(out);
    assert.ok(before.has('long.csv') && before.has('shotscale.sqlite') && before.has('summary.json'), [...before.keys()].join(', '));

    const stopped = await logStoppedByCtrlC([film, '--out', out, '--fps', '5', '--formats', 'csv'], 1500);
    assert.equal(stopped.code, 130, stopped.stderr);
    const shots = `${summary.shots} shot${summary.shots === 1 ? '' : 's'}`;
    assert.ok(stopped.stderr.includes(`stopped by SIGINT: the earlier complete log in ${out} (${shots}) is kept; this run's `), stopped.stderr);
    assert.match(stopped.stderr, /is kept; this run's \d+ shots? (is|are) not written\n/);
    const after = filesIn(out);
    assert.deepEqual([...after.keys()], [...before.keys()], 'the same files, no lock or work folder left');
    for (const [name, bytes] of before) assert.ok(after.get(name)!.equals(bytes), `${name} is as it was`);
  });

  test('a stopped run still writes its partial log where DIR held only an incomplete one', { timeout: 180_000 }, async () => {
    const dir = tempDir();
    const film = makeClip(dir, 'long.mp4', 60);
    const out = path.join(dir, 'out');
    const first = await logStoppedByCtrlC([film, '--out', out, '--fps', '5', '--formats', 'csv'], 1500);
    assert.equal(first.code, 130, first.stderr);
    assert.equal(readSummary(out).complete, false);
    const firstSummary = readFileSync(path.join(out, 'summary.json'), 'utf8');

    const second = await logStoppedByCtrlC([film, '--out', out, '--fps', '4', '--formats', 'csv'], 1500);
    assert.equal(second.code, 130, second.stderr);
    assert.doesNotMatch(second.stderr, /is kept/);
    const summary = readSummary(out);
    assert.notEqual(readFileSync(path.join(out, 'summary.json'), 'utf8'), firstSummary, "the second run's summary");
    assert.deepEqual([summary.complete, summary.stoppedBy, summary.analysisFps], [false, 'SIGINT', 4]);
    assert.equal(shotsInLog(out), summary.shots, "the shot log is the second run's");
  });
});

describe('shotscale log: mistakes on the command line', () => {
  test('no video, two videos, no --out: a coded line, then the usage, exit 2', async () => {
    const dir = tempDir();
    const cases: [string[], RegExp][] = [
      [['log'], /^error BAD_REQUEST: a VIDEO is required\n/],
      [['log', '--out', dir], /^error BAD_REQUEST: a VIDEO is required\n/],
      [['log', 'a.mp4'], /^error BAD_REQUEST: --out DIR is required\n/],
      [['log', 'a.mp4', 'b.mp4', '--out', dir], /^error BAD_REQUEST: one VIDEO only \(got 2: "a\.mp4", "b\.mp4"\)\n/],
    ];
    for (const [args, line] of cases) {
      const res = await runCli(args);
      assert.equal(res.code, 2, `${args.join(' ')}: ${res.stderr}`);
      assert.match(res.stderr, line, args.join(' '));
      assert.match(res.stderr, /\n\nusage: shotscale log VIDEO --out DIR/, args.join(' '));
    }
    assert.deepEqual(readdirSync(dir), [], 'nothing written');
  });
});

describe('shotscale samples export of no samples', () => {
  test('writes a labels.csv of its header alone, which samples import reads as 0 samples', async () => {
    const dir = tempDir();
    const db = path.join(dir, 'shotscale.sqlite');
    openDatabase(db).close();
    const out = path.join(dir, 'export');
    const exported = await runCli(['samples', 'export', '--db', db, '--out', out]);
    assert.equal(exported.code, 0, exported.stderr);
    assert.match(exported.stderr, /^0 samples written to .*export \(labels\.csv: its header alone\)\n$/);
    assert.deepEqual(readdirSync(out).sort(), ['img', 'labels.csv']);
    assert.equal(readFileSync(path.join(out, 'labels.csv'), 'utf8'), 'file,label,taxonomy,camera,captured_at,shown,source,shot_id\n');

    const dataDir = path.join(dir, 'data');
    const config = path.join(dir, 'config.yaml');
    writeFileSync(config, `shots:\n  dataDir: ${JSON.stringify(dataDir)}\ncameras: []\n`);
    const imported = await runCli(['samples', 'import', out, '--config', config]);
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stderr, /^0 samples imported: .*export\/labels\.csv lists none/);
  });
});
