/**
 * `shotscale classify` (and `log`) at the edges of what they read: an output
 * closed early (`| head -1`), pictures of one flat colour, files it may not
 * read or that are empty, a video sampled at a rate lower than its length,
 * and a still picture given to `log`.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClassifyLine } from '../../server/cli/classify-command.js';
import { CLI, runCli, type CliResult } from '../support/cli.js';
import { makeClip, tempDir } from '../support/media.js';
import { FIXTURE_MANIFEST, REPO_DIR, SHARED_DIR } from '../support/server-harness.js';

const IMAGES = ['cn_0001.jpg', 'cn_0002.jpg', 'cn_0003.jpg'].map((f) => path.join(SHARED_DIR, 'evalset', 'cinemanet', 'img', f));

/** A folder anyone may read, with the fixture classifier's config in it. */
function setup(): { dir: string; config: string } {
  const dir = tempDir();
  chmodSync(dir, 0o755);
  const config = path.join(dir, 'config.yaml');
  writeFileSync(config, `model: { manifest: ${FIXTURE_MANIFEST}, executionProviders: [cpu] }\n`, { mode: 0o644 });
  return { dir, config };
}

function ffmpeg(...args: string[]): void {
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args]);
}

const linesOf = (stdout: string): ClassifyLine[] => stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as ClassifyLine);

/** The CLI with its standard output closed before it writes a line, as `| head -1` leaves it once the line is read. */
function runWithOutputClosed(args: string[], timeoutMs = 60_000): Promise<CliResult & { ms: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [CLI, ...args], { cwd: REPO_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`shotscale ${args.join(' ')} went on for ${timeoutMs} ms with its output closed\n${stderr}`));
    }, timeoutMs);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: '', stderr, ms: Date.now() - started });
    });
  });
}

describe('shotscale classify: an output closed early', () => {
  test('images: stops quietly with exit 0, no stack trace', async () => {
    const { config } = setup();
    const res = await runWithOutputClosed(['classify', '--config', config, ...IMAGES, ...IMAGES]);
    assert.equal(res.code, 0, res.stderr);
    assert.doesNotMatch(res.stderr, /EPIPE|Unhandled|node:events|\n\s+at /);
    assert.match(res.stderr, /\nstopped after [01] of 6 files: the output was closed in /);
  });

  test('a long video: its decoding stops at once, not after every frame is read', async () => {
    const { dir, config } = setup();
    const long = path.join(dir, 'long.mp4');
    // 5 minutes at 10 fps, sampled at 10 fps: 3,000 frames to classify in a whole run.
    ffmpeg('-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=10', '-t', '300', '-pix_fmt', 'yuv420p', '-preset', 'ultrafast', long);
    const res = await runWithOutputClosed(['classify', '--config', config, '--fps', '10', long]);
    assert.equal(res.code, 0, res.stderr);
    assert.doesNotMatch(res.stderr, /EPIPE|Unhandled|\n\s+at /);
    assert.match(res.stderr, /\nstopped after 0 of 1 files: the output was closed in /);
    assert.ok(res.ms < 30_000, `took ${res.ms} ms`);
  });
});

describe('shotscale classify: no picture', () => {
  test('black, white and one-colour pictures and a black video say "no picture", as a feed does; a picture keeps its scale', async () => {
    const { dir, config } = setup();
    const black = path.join(dir, 'black.png');
    const white = path.join(dir, 'white.png');
    const dot = path.join(dir, 'dot.png');
    const strip = path.join(dir, 'strip.png');
    const blackClip = path.join(dir, 'black.mp4');
    ffmpeg('-f', 'lavfi', '-i', 'color=black:size=1920x1080', '-frames:v', '1', black);
    ffmpeg('-f', 'lavfi', '-i', 'color=white:size=1920x1080', '-frames:v', '1', white);
    ffmpeg('-f', 'lavfi', '-i', 'color=gray:size=2x2', '-vf', 'scale=1:1', '-frames:v', '1', dot);
    ffmpeg('-f', 'lavfi', '-i', 'color=gray:size=10000x10', '-frames:v', '1', strip);
    ffmpeg('-f', 'lavfi', '-i', 'color=black:size=320x240:rate=25', '-t', '3', '-pix_fmt', 'yuv420p', blackClip);
    const res = await runCli(['classify', '--config', config, black, white, dot, strip, blackClip, IMAGES[0]!]);
    assert.equal(res.code, 0, res.stderr);
    const lines = linesOf(res.stdout);
    const expected: [string, string, string][] = [
      [black, 'black', 'no picture (black)'],
      [white, 'white', 'no picture (white)'],
      [dot, 'plain', 'no picture (one plain colour)'],
      [strip, 'plain', 'no picture (one plain colour)'],
      [blackClip, 'black', 'no picture (black)'],
      [blackClip, 'black', 'no picture (black)'],
      [blackClip, 'black', 'no picture (black)'],
    ];
    assert.equal(lines.length, expected.length + 1, res.stdout);
    expected.forEach(([file, kind, reason], i) => {
      assert.deepEqual(
        { file: lines[i]!.file, label: lines[i]!.label, confidence: lines[i]!.confidence, probabilities: lines[i]!.probabilities, noPicture: lines[i]!.noPicture, reason: lines[i]!.reason },
        { file, label: null, confidence: null, probabilities: null, noPicture: kind, reason },
      );
    });
    const picture = lines.at(-1)!;
    assert.equal(picture.file, IMAGES[0]);
    assert.equal(typeof picture.label, 'string');
    assert.equal(picture.noPicture, undefined);
  });
});

describe('files that cannot be read: said so, in the same words by every command', () => {
  const setpriv = spawnSync('setpriv', ['--version']).status === 0;
  const asRoot = process.getuid?.() === 0;

  test('an empty image and an empty video are "empty file (0 bytes)" to classify and to log', async () => {
    const { dir, config } = setup();
    const emptyImage = path.join(dir, 'zero.png');
    const emptyVideo = path.join(dir, 'zero.mp4');
    writeFileSync(emptyImage, '');
    writeFileSync(emptyVideo, '');
    const res = await runCli(['classify', '--config', config, emptyImage, emptyVideo, IMAGES[0]!]);
    assert.equal(res.code, 1);
    assert.ok(res.stderr.includes(`skipped INPUT_UNREADABLE: ${emptyImage}: empty file (0 bytes)\n`), res.stderr);
    assert.ok(res.stderr.includes(`skipped INPUT_UNREADABLE: ${emptyVideo}: empty file (0 bytes)\n`), res.stderr);
    assert.equal(linesOf(res.stdout).length, 1);
    const logged = await runCli(['log', '--config', config, emptyVideo, '--out', path.join(dir, 'out')]);
    assert.equal(logged.code, 1);
    assert.ok(logged.stderr.includes(`error INPUT_UNREADABLE: ${emptyVideo}: empty file (0 bytes)\n  hint: the file was never written`), logged.stderr);
  });

  test('a picture and a video the user may not read are "permission denied" to classify and to log', { skip: asRoot && !setpriv ? 'runs as root without setpriv to drop to another user' : false }, async () => {
    const { dir, config } = setup();
    const lockedImage = path.join(dir, 'locked.jpg');
    const lockedVideo = path.join(dir, 'locked.mp4');
    copyFileSync(IMAGES[0]!, lockedImage);
    makeClip(dir, 'locked.mp4', 1);
    chmodSync(lockedImage, 0);
    chmodSync(lockedVideo, 0);
    // Root reads any file: the commands run as nobody (65534), as a user without the permission.
    const as = (args: string[]) => (asRoot ? runAs(args) : runCli(args));
    const res = await as(['classify', '--config', config, lockedImage, lockedVideo, IMAGES[0]!]);
    assert.equal(res.code, 1, res.stderr);
    assert.ok(res.stderr.includes(`skipped INPUT_UNREADABLE: ${lockedImage}: permission denied\n`), res.stderr);
    assert.ok(res.stderr.includes(`skipped INPUT_UNREADABLE: ${lockedVideo}: permission denied\n`), res.stderr);
    assert.equal(linesOf(res.stdout).length, 1);
    const logged = await as(['log', '--config', config, lockedVideo, '--out', path.join(dir, 'out')]);
    assert.equal(logged.code, 1);
    assert.ok(logged.stderr.includes(`error INPUT_UNREADABLE: ${lockedVideo}: permission denied\n  hint: make the file readable`), logged.stderr);
  });
});

/** The CLI as user and group 65534 (nobody), through setpriv. */
function runAs(args: string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, CLI, ...args], { cwd: REPO_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (t: string) => (stdout += t));
    child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`shotscale ${args.join(' ')} as nobody did not finish in 60 s\n${stderr}`));
    }, 60_000);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('a video sampled at a rate lower than its length', () => {
  test('classify reads its first frame at --fps 0.1 and 1e-9 (a 3 s clip)', async () => {
    const { dir, config } = setup();
    const clip = makeClip(dir, 'clip.mp4', 3);
    for (const fps of ['0.1', '1e-9']) {
      const res = await runCli(['classify', '--config', config, '--fps', fps, clip]);
      assert.equal(res.code, 0, `--fps ${fps}: ${res.stderr}`);
      const lines = linesOf(res.stdout);
      assert.deepEqual(lines.map((l) => [l.file, l.frame, l.timeS]), [[clip, 0, 0]], `--fps ${fps}`);
      assert.equal(typeof lines[0]!.label, 'string');
    }
  });

  test('log names --fps as the cause, and the rate that would do', async () => {
    const { dir, config } = setup();
    const clip = makeClip(dir, 'clip.mp4', 3);
    const res = await runCli(['log', '--config', config, '--fps', '0.1', clip, '--out', path.join(dir, 'out')]);
    assert.equal(res.code, 1);
    assert.ok(res.stderr.includes(`error INPUT_UNREADABLE: ${clip}: no frame to analyse at --fps 0.1 (one every 10 s) in its 75 frames (3.00 s)\n  hint: the rate is the cause: give --fps 0.17 or more`), res.stderr);
    assert.doesNotMatch(res.stderr, /a second or so/);
  });
});

describe('shotscale classify of a video cut short', () => {
  test("says so per file as log does, classifies every file, exits 3; a whole video's lines run to its end", { timeout: 120_000 }, async () => {
    const { dir, config } = setup();
    const whole = path.join(SHARED_DIR, 'fixtures', 'clips', 'openmpf_video_02_hikers_17s.mp4');
    // The first 900,000 bytes of 17.4 s: a copy that stopped part way, which ffmpeg reads to its break and exits 0 on.
    const cut = path.join(dir, 'truncated.mp4');
    writeFileSync(cut, readFileSync(whole).subarray(0, 900_000));
    const res = await runCli(['classify', '--config', config, '--fps', '0.5', cut, whole], { timeoutMs: 120_000 });
    assert.equal(res.code, 3, res.stderr);
    assert.match(res.stderr, new RegExp(`warning: ${cut.replaceAll('.', '\\.')}: decoded \\d+\\.\\d s of 17\\.4 s: the file ends early \\(cut short\\?\\); ffmpeg: .+; its lines cover the \\d+\\.\\d s decoded \\(exit status 3\\)\n`));
    assert.doesNotMatch(res.stderr, new RegExp(`warning: ${whole.replaceAll('.', '\\.')}`));
    assert.match(res.stderr, /2 of 2 files classified with .+; 1 ended early \(truncated\)/);
    const lines = linesOf(res.stdout);
    const times = (file: string) => lines.filter((l) => l.file === file).map((l) => l.timeS);
    assert.ok(times(cut).length > 0 && Math.max(...times(cut)) < 12, `the cut copy's lines stop early: ${times(cut).join(', ')}`);
    assert.deepEqual(times(whole), [0, 2, 4, 6, 8, 10, 12, 14, 16], "the whole video's lines, unaffected");

    const alone = await runCli(['classify', '--config', config, '--fps', '0.5', whole], { timeoutMs: 120_000 });
    assert.equal(alone.code, 0, alone.stderr);
    assert.doesNotMatch(alone.stderr, /ends early|truncated/);
  });
});

describe('shotscale log of a still picture', () => {
  test('is refused before anything is written, pointing at classify', async () => {
    const { dir, config } = setup();
    const still = path.join(dir, 'still.jpg');
    copyFileSync(IMAGES[0]!, still);
    const out = path.join(dir, 'out');
    const res = await runCli(['log', '--config', config, still, '--out', out]);
    assert.equal(res.code, 1);
    assert.ok(res.stderr.includes(`error INPUT_UNREADABLE: ${still}: a still picture, not a video: there are no shots to log in it\n  hint: shotscale classify ${still} reads the scale of a still picture`), res.stderr);
    assert.equal(existsSync(out), false, 'no folder made');
  });
});
