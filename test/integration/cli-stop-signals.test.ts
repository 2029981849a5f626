/**
 * Ctrl-C on a command that has no stopping of its own (classify, eval,
 * calibrate): it said nothing and exited 130. Now it says it was stopped
 * (classify how far it got), and still dies of the signal.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { CLI } from '../support/cli.js';
import { makeClip, tempDir } from '../support/media.js';
import { REPO_DIR } from '../support/server-harness.js';
import { execFileSync } from 'node:child_process';

/** The CLI stopped by SIGINT once `ready` holds of what it wrote: how it ended, and its stderr. */
async function stoppedByCtrlC(args: string[], ready: (out: { stdout: string; stderr: string }) => boolean): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: REPO_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '' };
  child.stdout!.setEncoding('utf8').on('data', (t: string) => (out.stdout += t));
  child.stderr!.setEncoding('utf8').on('data', (t: string) => (out.stderr += t));
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
  const deadline = Date.now() + 60_000;
  while (!ready(out) && child.exitCode === null && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  // Not ready when it ended or the wait ran out: the test is wrong, not the command; said rather than read as its fault.
  assert.ok(ready(out), `never ready to be stopped (exit ${child.exitCode}): ${out.stderr.slice(-500)}`);
  child.kill('SIGINT');
  return { ...(await closed), ...out };
}

describe('Ctrl-C on classify, eval and calibrate', () => {
  test('classify says how many files it got through and how many lines it wrote, then dies of SIGINT (130)', { timeout: 120_000 }, async () => {
    const dir = tempDir();
    const videos = path.join(dir, 'videos');
    mkdirSync(videos);
    const clip = makeClip(dir, 'clip.mp4', 2);
    for (let i = 1; i <= 6; i += 1) copyFileSync(clip, path.join(videos, `c${i}.mp4`));
    const res = await stoppedByCtrlC(['classify', videos, '--fps', '25', '--batch', '1'], ({ stdout }) => stdout.includes('\n'));
    assert.equal(res.signal, 'SIGINT', res.stderr);
    const lines = res.stdout.split('\n').filter(Boolean).length;
    const said = /shotscale classify: stopped by SIGINT after (\d) of 6 files \((\d+) lines? written\)\n$/.exec(res.stderr);
    assert.ok(said, res.stderr);
    assert.ok(Number(said[1]) < 6, 'stopped part way');
    assert.equal(Number(said[2]), lines, 'the lines it says are the lines on stdout');
  });

  test('eval and calibrate say they were stopped, then die of SIGINT', { timeout: 180_000 }, async () => {
    const dir = tempDir();
    const images = path.join(dir, 'images');
    mkdirSync(images);
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=25', '-t', '8', path.join(images, 'i%03d.jpg')]);
    const labels = path.join(dir, 'labels.csv');
    const rows = Array.from({ length: 200 }, (_, i) => `i${String(i + 1).padStart(3, '0')}.jpg,${['CU', 'MS', 'WS'][i % 3]}`);
    writeFileSync(labels, ['file,label', ...rows].join('\n') + '\n');
    // A progress line ("[#...] 8/200 images ..." in eval, "8/200 SET images ..." in calibrate): the images are being read.
    const started = ({ stderr }: { stderr: string }) => /\b\d+\/200 /.test(stderr);
    const evaluated = await stoppedByCtrlC(['eval', '--labels', labels, '--images', images, '--taxonomy', 'canonical'], started);
    assert.equal(evaluated.signal, 'SIGINT', evaluated.stderr);
    assert.match(evaluated.stderr, /shotscale eval: stopped by SIGINT before it finished\n$/);
    const calibrated = await stoppedByCtrlC(['calibrate', '--labels', labels, '--images', images, '--taxonomy', 'canonical', '--out', path.join(dir, 'head.json')], started);
    assert.equal(calibrated.signal, 'SIGINT', calibrated.stderr);
    assert.match(calibrated.stderr, /shotscale calibrate: stopped by SIGINT before it finished\n$/);
  });
});
