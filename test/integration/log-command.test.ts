/**
 * File mode: `shotscale log VIDEO --out DIR` with the default classifier on
 * real footage with known cuts, then every file it writes read back; a
 * drop-frame file with its own timecode track; `shotscale export` from the
 * log it leaves; and the errors a user meets.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { CLI, runCli } from '../support/cli.js';
import { makeCutClip, type CutClip } from '../support/cut-clips.js';
import { parseAle, parseCsv, parseEdl, readOtio } from '../support/export-parsers.js';
import { makeClip, tempDir } from '../support/media.js';
import { REPO_DIR } from '../support/server-harness.js';
import type { LogSummary } from '../../server/cli/log-summary.js';
import { timecodeRate, timecodeToFrames } from '../../server/shots/timecode.js';

describe('shotscale log', () => {
  let clip: CutClip;
  let out: string;
  let stdout: string;

  before(async () => {
    clip = await makeCutClip('hard-cuts');
    out = tempDir();
    const run = await runCli(['log', clip.path, '--out', out, '--fps', '5'], { timeoutMs: 120_000 });
    assert.equal(run.code, 0, run.stderr);
    stdout = run.stdout;
  });

  test('writes the shot log, every export, thumbnails and a summary', () => {
    const base = path.basename(clip.path, path.extname(clip.path));
    for (const ext of ['.csv', '.json', '.edl', '.ale', '.otio', '.markers.edl']) assert.ok(existsSync(path.join(out, base + ext)), `${base}${ext} written`);
    assert.ok(existsSync(path.join(out, 'shotscale.sqlite')));
    assert.ok(readdirSync(path.join(out, 'thumbnails')).filter((f) => f.endsWith('.jpg')).length >= clip.hardCuts.length);
    assert.match(stdout, /average shot length \d+\.\d\d s/);
    assert.match(stdout, /scale distribution/);
  });

  test('the CSV has one row per shot with its start in seconds, cut at the known frames', () => {
    const base = path.basename(clip.path, path.extname(clip.path));
    const rows = parseCsv(readFileSync(path.join(out, `${base}.csv`), 'utf8'));
    assert.equal(rows.length, clip.hardCuts.length + 1, `one row per shot: ${rows.map((r) => r.start_s).join(', ')}`);
    assert.equal(Number(rows[0]!.start_s), 0);
    rows.slice(1).forEach((row, i) => {
      const frame = Number(row.start_s) * clip.fps;
      assert.ok(Math.abs(frame - clip.hardCuts[i]!) <= 2, `shot ${i + 1} starts at ${row.start_s} s, the cut is at frame ${clip.hardCuts[i]}`);
      assert.equal(row.cut_in, 'hard');
    });
    const total = rows.reduce((sum, row) => sum + Number(row.duration_s), 0);
    assert.ok(Math.abs(total - clip.frames / clip.fps) < 0.1, `shots cover the file (${total} s)`);
    for (const row of rows) assert.match(row.scale!, /^(ECU|CU|MCU|MS|MWS|FS|WS|EWS)$/);

    const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8')) as LogSummary;
    assert.equal(summary.shots, rows.length);
    assert.ok(Math.abs(summary.averageShotLengthS - total / rows.length) < 0.01);
    assert.ok(Math.abs(Object.values(summary.scaleShare).reduce((a, b) => a + b, 0) - 1) < 0.01);
    assert.ok(summary.speedX > 0);
  });

  test('the EDL, ALE, OTIO and marker EDL carry the same shots', () => {
    const base = path.join(out, path.basename(clip.path, path.extname(clip.path)));
    const rows = parseCsv(readFileSync(`${base}.csv`, 'utf8'));
    const edl = parseEdl(readFileSync(`${base}.edl`, 'utf8'));
    assert.deepEqual(
      edl.events.map((e) => [e.srcIn, e.srcOut]),
      rows.map((r) => [r.tc_in, r.tc_out]),
    );
    const ale = parseAle(readFileSync(`${base}.ale`, 'utf8'));
    assert.equal(ale.heading.FPS, '25');
    assert.deepEqual(
      ale.rows.map((r) => r.Start),
      rows.map((r) => r.tc_in),
    );
    const otio = readOtio(readFileSync(`${base}.otio`, 'utf8'));
    assert.equal(otio.tracks.length, 1);
    assert.equal(otio.tracks[0]!.items.filter((i) => i.schema.startsWith('Clip')).length, rows.length);
    const markers = parseEdl(readFileSync(`${base}.markers.edl`, 'utf8'));
    assert.equal(markers.events.length, rows.length);
  });

  test('shotscale export reads the log it left, with filters', async () => {
    const run = await runCli(['export', '--db', path.join(out, 'shotscale.sqlite'), '--format', 'edl']);
    assert.equal(run.code, 0, run.stderr);
    const rows = parseCsv(readFileSync(path.join(out, `${path.basename(clip.path, path.extname(clip.path))}.csv`), 'utf8'));
    assert.equal(parseEdl(run.stdout).events.length, rows.length);
    const none = await runCli(['export', '--db', path.join(out, 'shotscale.sqlite'), '--format', 'csv', '--camera', 'nobody']);
    assert.equal(none.code, 1, 'a camera the log does not have is refused');
    assert.match(none.stderr, /^error CAMERA_NOT_FOUND: --camera "nobody"/);
    assert.equal(none.stdout, '');
    const missing = await runCli(['export', '--db', path.join(out, 'nothing.sqlite'), '--format', 'csv']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /INPUT_UNREADABLE.*no shot log/);
  });

  test("a 29.97 file with a drop-frame timecode track is logged in its own timecode", async () => {
    const dir = tempDir();
    const video = path.join(dir, 'df.mov');
    // Two patterns cut together at frame 45, starting at 00:00:59;00 so the log crosses a minute whose ;00 and ;01 do not exist.
    execFileSync('ffmpeg', [
      '-hide_banner', '-loglevel', 'error', '-y',
      '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=30000/1001:duration=1.5015',
      '-f', 'lavfi', '-i', 'mandelbrot=size=320x180:rate=30000/1001',
      '-filter_complex', '[1:v]trim=end_frame=60,setpts=PTS-STARTPTS[b];[0:v][b]concat=n=2:v=1[v]',
      '-map', '[v]', '-timecode', '00:00:59;00', '-pix_fmt', 'yuv420p', video,
    ]);
    const logged = path.join(dir, 'out');
    const run = await runCli(['log', video, '--out', logged, '--formats', 'csv,edl'], { timeoutMs: 120_000 });
    assert.equal(run.code, 0, run.stderr);
    const rows = parseCsv(readFileSync(path.join(logged, 'df.csv'), 'utf8'));
    assert.equal(rows[0]!.tc_in, '00:00:59;00');
    assert.equal(rows[0]!.rate, '29.97DF');
    assert.equal(rows.length, 2, `one cut: ${rows.map((r) => r.tc_in).join(', ')}`);
    const rate = timecodeRate('29.97DF');
    const cutAt = timecodeToFrames(rows[1]!.tc_in!, rate) - timecodeToFrames('00:00:59;00', rate);
    assert.ok(Math.abs(cutAt - 45) <= 2, `cut at frame ${cutAt}`);
    assert.equal(rows[1]!.tc_out, '00:01:02;17', '105 frames after 00:00:59;00 is 00:01:02;17 (;00 and ;01 of minute 1 are skipped)');
    const edl = parseEdl(readFileSync(path.join(logged, 'df.edl'), 'utf8'));
    assert.equal(edl.fcm, 'DROP FRAME');
  });

  /** `log` of a two-minute clip, running: its stderr so far, and a wait for a line on it. */
  function startLongLog(): { child: ReturnType<typeof spawn>; logged: string; stderr: () => string; waitFor: (pattern: RegExp) => Promise<void> } {
    const dir = tempDir();
    const film = makeClip(dir, 'long.mp4', 120);
    const logged = path.join(dir, 'out');
    const child = spawn(process.execPath, [CLI, 'log', film, '--out', logged, '--fps', '5'], { cwd: REPO_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (t: string) => (stderr += t));
    child.stdout!.resume();
    const waitFor = async (pattern: RegExp) => {
      const deadline = Date.now() + 60_000;
      while (!pattern.test(stderr) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    };
    return { child, logged, stderr: () => stderr, waitFor };
  }

  test('Ctrl-C stops the decoding, not the log: the shots so far are closed and every file written for them', { timeout: 120_000 }, async () => {
    const { child, logged, stderr: output, waitFor } = startLongLog();
    // Once frames are being analysed (the progress line counts them), a Ctrl-C.
    await waitFor(/[1-9]\d*\/3000 frames/);
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    const stderr = output();
    assert.equal(code, 130, stderr);
    assert.match(stderr, /stopped by SIGINT [\d.]+ s into the file/);
    const summary = JSON.parse(readFileSync(path.join(logged, 'summary.json'), 'utf8')) as LogSummary;
    assert.ok(summary.durationS > 0 && summary.durationS < 120, `the log covers what was read: ${summary.durationS} s`);
    assert.ok(summary.shots >= 1);
    const rows = parseCsv(readFileSync(path.join(logged, 'long.csv'), 'utf8'));
    assert.equal(rows.length, summary.shots);
    assert.equal(parseEdl(readFileSync(path.join(logged, 'long.edl'), 'utf8')).events.length, summary.shots);
    const exported = await runCli(['export', '--db', path.join(logged, 'shotscale.sqlite'), '--format', 'json']);
    assert.equal(exported.code, 0, exported.stderr);
    const shots = (JSON.parse(exported.stdout) as { shots: { status: string }[] }).shots;
    assert.equal(shots.length, summary.shots);
    assert.ok(shots.every((shot) => shot.status === 'closed'), 'no shot left open');
  });

  test('a second Ctrl-C quits at once, of the signal, and the shot log in DIR holds what was logged', { timeout: 120_000 }, async () => {
    const { child, logged, stderr: output, waitFor } = startLongLog();
    await waitFor(/[1-9]\d*\/3000 frames/);
    const ended = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('close', (code, signal) => resolve([code, signal])));
    child.kill('SIGINT');
    await waitFor(/Ctrl-C again quits at once/);
    child.kill('SIGINT');
    const [code, signal] = await ended;
    const stderr = output();
    assert.ok(signal === 'SIGINT' || code === 130, `ended by ${signal ?? code}: ${stderr.slice(-400)}`);
    assert.doesNotMatch(stderr, /terminate called|Napi::Error|Aborted/);
    const exported = await runCli(['export', '--db', path.join(logged, 'shotscale.sqlite'), '--format', 'json']);
    assert.equal(exported.code, 0, exported.stderr);
  });

  test('errors a user meets: no such file, no --out, a bad format', async () => {
    const missing = await runCli(['log', '/nonexistent/film.mp4', '--out', tempDir()]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /INPUT_UNREADABLE.*film\.mp4/);
    const usage = await runCli(['log', clip.path]);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /--out DIR/);
    const format = await runCli(['log', clip.path, '--out', tempDir(), '--formats', 'csv,docx']);
    assert.equal(format.code, 2);
    assert.match(format.stderr, /error BAD_REQUEST: --formats: docx not known/);
    assert.match(format.stderr, /--out DIR/, "log's usage follows");
    const batch = await runCli(['log', clip.path, '--out', tempDir(), '--batch', '1.5']);
    assert.equal(batch.code, 2);
    assert.match(batch.stderr, /error BAD_REQUEST: --batch "1\.5": a whole number from 1 to 64/);
  });
});
