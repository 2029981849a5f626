/**
 * File mode's refusals a reviewer found missing: --batch past the server's
 * own bound (every decoded frame was held until the file's end), a negative
 * --fps in node's words instead of the range, an MKV cut before its first
 * frame called undecodable in ffmpeg's last (useless) line, and a user's own
 * report.html or summary.json overwritten in a folder with no earlier log.
 */
import assert from 'node:assert/strict';
import { existsSync, openSync, readFileSync, readSync, closeSync, writeFileSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { runCli } from '../support/cli.js';
import { makeClip, tempDir } from '../support/media.js';
import { SHARED_DIR } from '../support/server-harness.js';

const LOG_TIMEOUT = { timeoutMs: 120_000 };
const MARATHON = path.join(SHARED_DIR, 'fixtures', 'clips', 'openmpf_five_second_marathon_5s.mkv');

/** The first `bytes` of `file`, as `head -c` copies them: a download that stopped part way. */
function cutCopy(file: string, bytes: number, dir: string): string {
  const buffer = Buffer.alloc(bytes);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, buffer, 0, bytes, 0);
  } finally {
    closeSync(fd);
  }
  const out = path.join(dir, path.basename(file));
  writeFileSync(out, buffer);
  return out;
}

describe('shotscale log and classify: --batch and --fps ranges', () => {
  test('--batch above 64 (pipeline.batch.maxSize\'s bound) is refused with the range, log and classify alike', async () => {
    const dir = tempDir();
    const clip = makeClip(dir, 'clip.mp4', 1);
    for (const batch of ['1000000000', '1e12', '65']) {
      const log = await runCli(['log', clip, '--out', path.join(dir, 'out'), '--batch', batch], LOG_TIMEOUT);
      assert.equal(log.code, 2, log.stderr);
      assert.match(log.stderr, new RegExp(`^error BAD_REQUEST: --batch "${batch}": a whole number from 1 to 64\\n\\nusage: shotscale log `));
      const classify = await runCli(['classify', clip, '--batch', batch], LOG_TIMEOUT);
      assert.equal(classify.code, 2, classify.stderr);
      assert.match(classify.stderr, new RegExp(`^error BAD_REQUEST: --batch "${batch}": a whole number from 1 to 64\\n\\nusage: shotscale classify `));
      assert.equal(classify.stdout, '');
    }
    assert.ok(!existsSync(path.join(dir, 'out')), 'refused before --out is made');
  });

  test('a negative --fps after a space is read as the value and refused by the range, not by node as ambiguous', async () => {
    const dir = tempDir();
    const clip = makeClip(dir, 'clip.mp4', 1);
    for (const fps of ['-1', '-0.5']) {
      const log = await runCli(['log', clip, '--out', path.join(dir, 'out'), '--fps', fps], LOG_TIMEOUT);
      assert.equal(log.code, 2, log.stderr);
      assert.match(log.stderr, new RegExp(`^error BAD_REQUEST: --fps ${fps}: analysed frames per second, more than 0 and at most 60\\n\\nusage: shotscale log `));
      assert.doesNotMatch(log.stderr, /ambiguous|XYZ/);
      const classify = await runCli(['classify', clip, '--fps', fps], LOG_TIMEOUT);
      assert.equal(classify.code, 2, classify.stderr);
      assert.match(classify.stderr, new RegExp(`^error BAD_REQUEST: --fps "${fps}": frames a second to sample a video at, more than 0 and at most 60`));
    }
  });
});

describe('shotscale log: an MKV cut before its first frame', () => {
  test('says the file ends early, quoting ffmpeg\'s line that says so, not its last', { timeout: 120_000 }, async () => {
    const dir = tempDir();
    const cut = cutCopy(MARATHON, 100_000, dir);
    const out = path.join(dir, 'out');
    const res = await runCli(['log', cut, '--out', out], LOG_TIMEOUT);
    assert.equal(res.code, 1, res.stderr);
    assert.match(res.stderr, /^error INPUT_UNREADABLE: .*openmpf_five_second_marathon_5s\.mkv: the file ends early \(cut short\?\), before a frame could be decoded; ffmpeg: \[matroska,webm\] (File ended prematurely|Read error)\n/);
    assert.doesNotMatch(res.stderr, /Error marking filters|@ 0x/);
    // classify reads it through the same decoder, and says it in the same words.
    const classify = await runCli(['classify', cut], LOG_TIMEOUT);
    assert.equal(classify.code, 1, classify.stderr);
    assert.match(classify.stderr, /skipped INPUT_UNREADABLE: .*\.mkv: the file ends early \(cut short\?\), before a frame could be decoded; ffmpeg: \[matroska,webm\]/);
  });
});

describe('shotscale log: a folder with the user\'s own files and no earlier log', () => {
  test('a report.html or summary.json there is refused, named, and left as it was; the other files too', { timeout: 180_000 }, async () => {
    const dir = tempDir();
    const clip = makeClip(dir, 'clip.mp4', 1);
    for (const name of ['report.html', 'summary.json']) {
      const out = path.join(dir, `out-${name}`);
      mkdirSync(out);
      writeFileSync(path.join(out, name), 'my own notes\n');
      writeFileSync(path.join(out, 'notes.txt'), 'kept\n');
      const res = await runCli(['log', clip, '--out', out, '--formats', 'csv'], LOG_TIMEOUT);
      assert.equal(res.code, 1, res.stderr);
      assert.match(res.stderr, new RegExp(`^error OUTPUT_UNWRITABLE: --out ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: its ${name.replace('.', '\\.')} is not of an earlier log there \\(no shotscale\\.sqlite beside it\\); this log would write over it\\n  hint: `));
      assert.equal(readFileSync(path.join(out, name), 'utf8'), 'my own notes\n');
      assert.deepEqual(readdirSync(out).sort(), [name, 'notes.txt'].sort(), 'nothing written, no lock left');
    }
  });

  test('an export by the video\'s name that no earlier log of it wrote is refused; an earlier log\'s own files are replaced', { timeout: 180_000 }, async () => {
    const dir = tempDir();
    const clip = makeClip(dir, 'clip.mp4', 1);
    const out = path.join(dir, 'out');
    mkdirSync(out);
    writeFileSync(path.join(out, 'clip.csv'), 'my own spreadsheet\n');
    const refused = await runCli(['log', clip, '--out', out, '--formats', 'json'], LOG_TIMEOUT);
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(refused.stderr, /^error OUTPUT_UNWRITABLE: --out .*: its clip\.csv is not of an earlier log there/);
    assert.equal(readFileSync(path.join(out, 'clip.csv'), 'utf8'), 'my own spreadsheet\n');

    // Moved away, the log runs; run again, its own report, summary and exports are replaced, as before.
    const other = path.join(dir, 'other');
    mkdirSync(other);
    const first = await runCli(['log', clip, '--out', other, '--formats', 'csv'], LOG_TIMEOUT);
    assert.equal(first.code, 0, first.stderr);
    const again = await runCli(['log', clip, '--out', other, '--formats', 'csv'], LOG_TIMEOUT);
    assert.equal(again.code, 0, again.stderr);
    assert.ok(existsSync(path.join(other, 'report.html')) && existsSync(path.join(other, 'summary.json')));
  });
});
