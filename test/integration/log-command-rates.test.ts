/**
 * File mode on files as phones and copies leave them: a 30 fps phone clip
 * that dropped frames (29.25 fps on average, 30 nominal) is logged at 30; a
 * variable-rate one has its cuts on the very frame they are in the file; a
 * file of no timecode rate is said to be logged at another; an MP4 cut short
 * before its index and an empty file are called so; and a Ctrl-C while the
 * model loads says that nothing was written and leaves nothing behind.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import type { LogSummary } from '../../server/cli/log-summary.js';
import { CLI, runCli } from '../support/cli.js';
import { timecodeRate, timecodeToFrames } from '../../server/shots/timecode.js';
import { parseAle, parseCsv, parseEdl } from '../support/export-parsers.js';
import { makeClip, tempDir } from '../support/media.js';
import { REPO_DIR } from '../support/server-harness.js';

const LOG_TIMEOUT = { timeoutMs: 120_000 };

/**
 * Two patterns cut together at 2 s (frame 60 of 30) in `seconds` of 30 fps,
 * then `retime` on the way (frames dropped, or their times moved), written as
 * a phone writes it: each frame's own time on a 1/600 s clock.
 */
function phoneClip(dir: string, name: string, retime: string, seconds = 4): string {
  const out = path.join(dir, name);
  execFileSync('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=30:duration=2',
    '-f', 'lavfi', '-i', 'mandelbrot=size=320x180:rate=30',
    '-filter_complex', `[1:v]trim=duration=${seconds - 2},setpts=PTS-STARTPTS[b];[0:v][b]concat=n=2:v=1,fps=30,${retime}[v]`,
    '-map', '[v]', '-fps_mode', 'passthrough', '-video_track_timescale', '600', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', out,
  ]);
  return out;
}

const readSummary = (dir: string) => JSON.parse(readFileSync(path.join(dir, 'summary.json'), 'utf8')) as LogSummary;

describe('shotscale log: the rate of a phone clip, and its frames', () => {
  test('a 30 fps clip that dropped one frame in 40 (29.25 fps average, 30 nominal) is logged at 30, the cut on its frame', async () => {
    const dir = tempDir();
    const film = phoneClip(dir, 'dropped.mp4', "select='not(eq(mod(n\\,40)\\,7))'");
    const header = spawnHeader(film);
    assert.match(header, /29\.25 fps, 30 tbr/, 'the clip is what a phone that drops frames writes');
    const out = path.join(dir, 'out');
    const res = await runCli(['log', film, '--out', out, '--fps', '2', '--formats', 'csv,edl,ale'], LOG_TIMEOUT);
    assert.equal(res.code, 0, res.stderr);
    assert.doesNotMatch(res.stderr, /INPUT_RATE_UNKNOWN/);
    assert.equal(readSummary(out).rate, '30');
    assert.equal(parseEdl(readFileSync(path.join(out, 'dropped.edl'), 'utf8')).fcm, 'NON-DROP FRAME');
    assert.equal(parseAle(readFileSync(path.join(out, 'dropped.ale'), 'utf8')).heading.FPS, '30');
    const rows = parseCsv(readFileSync(path.join(out, 'dropped.csv'), 'utf8'));
    assert.deepEqual(rows.map((row) => row.tc_in), ['00:00:00:00', '00:00:02:00'], 'one cut, at frame 60 of 30 fps');
    assert.equal(rows.at(-1)!.tc_out, '00:00:04:00');
  });

  test('a variable-rate clip: the cut on the frame it is at in the file, and the frames the file holds', async () => {
    const dir = tempDir();
    // Every frame's time moved by up to 6 ms, as a phone's clock does: on 1/30 s frames still, to the nearest.
    // 6 s: the bundled ffmpeg's extra frame (frame 7, before the cut) came with 6 s and more, not with 4.
    const film = phoneClip(dir, 'jitter.mp4', "setpts='(N/30+0.006*sin(N))/TB'", 6);
    const out = path.join(dir, 'out');
    const res = await runCli(['log', film, '--out', out, '--fps', '2', '--formats', 'csv'], LOG_TIMEOUT);
    assert.equal(res.code, 0, res.stderr);
    const rows = parseCsv(readFileSync(path.join(out, 'jitter.csv'), 'utf8'));
    assert.equal(rows[0]!.rate, '30');
    // Where ffmpeg's own fps filter puts the cut on the 30 fps grid (times to the nearest frame): frame 59 here,
    // where two moved frames fall on one.
    const reference = sceneChangeFrames(film, 30);
    assert.equal(reference.length, 1, `ffmpeg sees one cut: ${reference.join(', ')}`);
    assert.equal(rows.length, 2, `one cut: ${rows.map((row) => row.tc_in).join(', ')}`);
    assert.equal(timecodeToFrames(rows[1]!.tc_in!, timecodeRate('30')), reference[0], 'the cut on the frame ffmpeg has it at, not a frame off');
    assert.equal(rows.reduce((sum, row) => sum + Number(row.frames), 0), 180, "the file's 180 frames, none added");
    assert.equal(rows.at(-1)!.tc_out, '00:00:06:00');
  });

  test('a file at no timecode rate, and no --rate: a coded warning says which rate it is logged at and names --rate', async () => {
    const dir = tempDir();
    const film = path.join(dir, 'film12.mp4');
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=12:duration=2', '-pix_fmt', 'yuv420p', film]);
    const res = await runCli(['log', film, '--out', path.join(dir, 'out'), '--fps', '1', '--formats', 'csv'], LOG_TIMEOUT);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stderr, /^warning INPUT_RATE_UNKNOWN: .*film12\.mp4: its frame rate, 12 fps, is not a timecode rate: logged at 25 \(shots\.timecode\.rate\)/m);
    assert.match(res.stderr, /hint: .*--rate/);
    // Named, it is not warned about.
    const named = await runCli(['log', film, '--out', path.join(dir, 'named'), '--fps', '1', '--rate', '24', '--formats', 'csv'], LOG_TIMEOUT);
    assert.equal(named.code, 0, named.stderr);
    assert.doesNotMatch(named.stderr, /INPUT_RATE_UNKNOWN/);
  });
});

/** The frames, on a `rate` grid, that ffmpeg's scene detection starts a new scene at. */
function sceneChangeFrames(file: string, rate: number): number[] {
  const run = spawnSync('ffmpeg', ['-hide_banner', '-nostdin', '-i', file, '-vf', `fps=${rate},select='gt(scene,0.3)',showinfo`, '-f', 'null', '-'], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  // showinfo's pts is in the fps filter's time base, 1/rate: the frame's number on the grid.
  return [...run.stderr.matchAll(/Parsed_showinfo.* n: *\d+ pts: *(\d+)/g)].map((match) => Number(match[1]));
}

/** ffmpeg's header of a file (the stream line tells its average and nominal rates). */
function spawnHeader(file: string): string {
  return spawnSync('ffmpeg', ['-hide_banner', '-i', file], { encoding: 'utf8' }).stderr;
}

describe('shotscale log: files that are not whole', () => {
  test('an MP4 cut short before its index, and an empty file, are called so', async () => {
    const dir = tempDir();
    const whole = makeClip(dir, 'whole.mp4', 4);
    const cut = path.join(dir, 'cut.mp4');
    writeFileSync(cut, readFileSync(whole));
    // ffmpeg writes the index (moov) last: without -movflags +faststart, a copy cut short has none.
    truncateSync(cut, Math.round(statSync(cut).size / 2));
    const res = await runCli(['log', cut, '--out', path.join(dir, 'out-cut')], LOG_TIMEOUT);
    assert.equal(res.code, 1, res.stderr);
    assert.match(res.stderr, /^error INPUT_UNREADABLE: .*cut\.mp4 is not a readable video \(moov atom not found: an MP4 cut short, or still being written\)$/m);
    const empty = path.join(dir, 'empty.mp4');
    writeFileSync(empty, '');
    const none = await runCli(['log', empty, '--out', path.join(dir, 'out-empty')], LOG_TIMEOUT);
    assert.equal(none.code, 1, none.stderr);
    assert.match(none.stderr, /^error INPUT_UNREADABLE: .*empty\.mp4: empty file \(0 bytes\)$/m);
    assert.ok(!existsSync(path.join(dir, 'out-cut')) && !existsSync(path.join(dir, 'out-empty')), 'no folder made for a log that cannot be');
  });
});

/** `log` started in a child; resolves once it holds the lock in `out`, with a wait for its end. */
async function logUntilLocked(film: string, out: string): Promise<{ child: ReturnType<typeof spawn>; ended: Promise<[number | null, NodeJS.Signals | null]>; stderr: () => string }> {
  const child = spawn(process.execPath, [CLI, 'log', film, '--out', out, '--fps', '1', '--formats', 'csv'], { cwd: REPO_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (t: string) => (stderr += t));
  child.stdout!.resume();
  const ended = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('close', (code, signal) => resolve([code, signal])));
  const deadline = Date.now() + 60_000;
  // The lock is taken before the model loads, which takes seconds: the signal lands before any frame is read.
  while (!existsSync(path.join(out, 'shotscale.lock')) && child.exitCode === null && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.ok(existsSync(path.join(out, 'shotscale.lock')), `the log took its lock: ${stderr}`);
  return { child, ended, stderr: () => stderr };
}

describe('shotscale log: stopped before the first frame', () => {
  test('Ctrl-C while the model loads: said, nothing written, the folder as it was (or not made); a killed run leaves no journal behind', { timeout: 180_000 }, async () => {
    const dir = tempDir();
    const film = makeClip(dir, 'film.mp4', 2);

    const fresh = path.join(dir, 'fresh');
    const first = await logUntilLocked(film, fresh);
    first.child.kill('SIGINT');
    const [code, signal] = await first.ended;
    assert.ok(signal === 'SIGINT' || code === 130, `ended by ${signal ?? code}: ${first.stderr()}`);
    assert.match(first.stderr(), /film\.mp4: stopped by SIGINT before any frame was read \(the model was loading\): nothing written, .*fresh not made/);
    assert.ok(!existsSync(fresh), `the folder it made is gone: ${existsSync(fresh) ? readdirSync(fresh).join(', ') : ''}`);

    const kept = path.join(dir, 'kept');
    mkdirSync(kept);
    writeFileSync(path.join(kept, 'notes.txt'), 'mine');
    const second = await logUntilLocked(film, kept);
    second.child.kill('SIGTERM');
    const [code2, signal2] = await second.ended;
    assert.ok(signal2 === 'SIGTERM' || code2 === 143, `ended by ${signal2 ?? code2}: ${second.stderr()}`);
    assert.match(second.stderr(), /stopped by SIGTERM before any frame was read .*kept left as it was/);
    assert.deepEqual(readdirSync(kept), ['notes.txt']);

    // Killed outright (SIGKILL, power): its lock file stays, with no journal beside it; the next run takes it
    // and leaves neither.
    const killed = await logUntilLocked(film, kept);
    killed.child.kill('SIGKILL');
    await killed.ended;
    assert.deepEqual(readdirSync(kept).sort(), ['notes.txt', 'shotscale.lock']);
    const again = await runCli(['log', film, '--out', kept, '--fps', '1', '--formats', 'csv'], LOG_TIMEOUT);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(readdirSync(kept).sort(), ['film.csv', 'notes.txt', 'report.html', 'shotscale.sqlite', 'summary.json', 'thumbnails']);
  });
});
