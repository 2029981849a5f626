/**
 * `shotscale classify` inputs: a command line longer than the 14 KB that once
 * crashed the inference thread (exit 139, nothing printed), a list from a
 * file or stdin (--files-from), and folders (images and videos under them,
 * recursively, sorted by path).
 */
import { copyFileSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CLI, runCli } from '../support/cli.js';
import { makeClip, tempDir } from '../support/media.js';
import { FIXTURE_MANIFEST, SHARED_DIR } from '../support/server-harness.js';

const IMAGES = ['cn_0001.jpg', 'cn_0002.jpg', 'cn_0003.jpg'].map((f) => path.join(SHARED_DIR, 'evalset', 'cinemanet', 'img', f));

function fixtureConfig(): string {
  const file = path.join(tempDir(), 'config.yaml');
  writeFileSync(file, `model: { manifest: ${FIXTURE_MANIFEST}, executionProviders: [cpu] }\n`);
  return file;
}

const filesOf = (stdout: string) => stdout.trim().split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { file: string }).file);


describe('shotscale classify: a long command line', () => {
  // 40 paths of ~620 characters (symbolic links to 3 images): ~25 KB of
  // command line with 40 decodes, where 460 evalset paths (~17 KB) took 80 s.
  const links = () => {
    const dir = path.join(tempDir(), 'd'.repeat(200), 'e'.repeat(200));
    mkdirSync(dir, { recursive: true });
    return Array.from({ length: 40 }, (_, i) => {
      const link = path.join(dir, `${String(i).padStart(3, '0')}-${'f'.repeat(200)}.jpg`);
      symlinkSync(IMAGES[i % IMAGES.length]!, link);
      return link;
    });
  };

  test('exits 0 with one line per file, with telemetry off (the default) and on (a larger thread stack alone)', async () => {
    const files = links();
    const config = fixtureConfig();
    const args = ['classify', '--config', config, ...files];
    const cmdlineBytes = [process.execPath, CLI, ...args].reduce((n, a) => n + Buffer.byteLength(a) + 1, 0);
    assert.ok(cmdlineBytes > 20_000, `command line of ${cmdlineBytes} bytes`);
    // Unset (the CLI's default, off), then on: what the thread's stack alone must survive.
    for (const env of [{ ORT_DISABLE_TELEMETRY: undefined }, { ORT_DISABLE_TELEMETRY: '0', HOME: tempDir() }]) {
      const res = await runCli(args, { env, timeoutMs: 120_000 });
      assert.equal(res.code, 0, `${JSON.stringify(env)}: exit ${res.code}\n${res.stderr}`);
      assert.deepEqual(filesOf(res.stdout), files);
    }
  });
});

describe('shotscale classify: --files-from and folders', () => {
  test('--files-from - reads the list from stdin; blank lines and CRLF are fine', async () => {
    const res = await runCli(['classify', '--config', fixtureConfig(), '--files-from', '-'], { input: `${IMAGES[2]}\r\n\n${IMAGES[0]}\n` });
    assert.equal(res.code, 0, res.stderr);
    assert.deepEqual(filesOf(res.stdout), [IMAGES[2], IMAGES[0]]);
  });

  test('--files-from FILE, after the files on the command line; a missing list is INPUT_UNREADABLE', async () => {
    const list = path.join(tempDir(), 'list.txt');
    writeFileSync(list, `${IMAGES[1]}\n${IMAGES[2]}\n`);
    const config = fixtureConfig();
    const res = await runCli(['classify', '--config', config, IMAGES[0]!, '--files-from', list]);
    assert.equal(res.code, 0, res.stderr);
    assert.deepEqual(filesOf(res.stdout), IMAGES);

    const missing = await runCli(['classify', '--config', config, '--files-from', '/nonexistent/list.txt']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /error INPUT_UNREADABLE: --files-from \/nonexistent\/list\.txt: no such file\n  hint: name a file with one path per line/);

    const folder = tempDir();
    const notList = await runCli(['classify', '--config', config, '--files-from', folder]);
    assert.equal(notList.code, 1);
    assert.ok(notList.stderr.includes(`error INPUT_UNREADABLE: --files-from ${folder}: a folder, not a list of files`), notList.stderr);
    assert.match(notList.stderr, /hint: give the folder itself as an argument/);
  });

  test('a folder: its images and videos, in subfolders too, sorted by path; other and hidden files skipped', async () => {
    const dir = tempDir();
    copyFileSync(IMAGES[0]!, path.join(dir, 'b.jpg'));
    copyFileSync(IMAGES[1]!, path.join(dir, 'a.JPG'));
    mkdirSync(path.join(dir, 'take 2'));
    copyFileSync(IMAGES[2]!, path.join(dir, 'take 2', 'c.jpeg'));
    makeClip(path.join(dir, 'take 2'), 'clip.mp4', 2);
    writeFileSync(path.join(dir, 'notes.txt'), 'not a picture');
    copyFileSync(IMAGES[0]!, path.join(dir, '.hidden.jpg'));
    const empty = tempDir();
    const res = await runCli(['classify', '--config', fixtureConfig(), dir]);
    assert.equal(res.code, 0, res.stderr);
    const files = filesOf(res.stdout);
    assert.deepEqual([...new Set(files)], ['a.JPG', 'b.jpg', 'take 2/c.jpeg', 'take 2/clip.mp4'].map((f) => path.join(dir, f)));
    assert.equal(files.filter((f) => f.endsWith('clip.mp4')).length, 2, '2 s of video at 1 fps');

    const withEmpty = await runCli(['classify', '--config', fixtureConfig(), empty]);
    assert.equal(withEmpty.code, 1);
    assert.match(withEmpty.stderr, new RegExp(`no images or videos in ${empty}`));
  });
});
