/**
 * Where the commands write: files that belong together (a head and its base
 * knowledge) are written all or none, and two options naming one file are
 * refused before any work.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { checkDistinctFiles, checkOutputFile, makeOutputDir, writeOutputFiles } from '../../server/cli/output-files.js';
import { isShotscaleError } from '../../server/errors.js';
import { tempDir } from '../support/media.js';

test('files written together: one that cannot be written leaves every earlier one as it was, and no partial file', () => {
  const dir = tempDir();
  const base = path.join(dir, 'mine.base.json.gz');
  const head = path.join(dir, 'mine.head.json');
  writeFileSync(base, 'old base');
  writeFileSync(head, 'old head');
  // The head's folder is a file: its write fails after the base's is made.
  const blocked = path.join(dir, 'plain-file');
  writeFileSync(blocked, '');
  assert.throws(
    () => writeOutputFiles([{ option: '--out', file: base, body: 'new base' }, { option: '--out', file: path.join(blocked, 'mine.head.json'), body: 'new head' }]),
    (e) => isShotscaleError(e, 'OUTPUT_UNWRITABLE') && e.message.includes('plain-file'),
  );
  assert.equal(readFileSync(base, 'utf8'), 'old base');
  assert.deepEqual(readdirSync(dir).sort(), ['mine.base.json.gz', 'mine.head.json', 'plain-file']);

  writeOutputFiles([{ option: '--out', file: base, body: 'new base' }, { option: '--out', file: head, body: 'new head' }]);
  assert.deepEqual([readFileSync(base, 'utf8'), readFileSync(head, 'utf8')], ['new base', 'new head']);
});

test('a device or a link is written in place: its own write access counts, not its folder\'s', () => {
  assert.doesNotThrow(() => checkOutputFile('--csv', '/dev/null'));
  // A link to a file not made yet: the target's folder is where it is written.
  const dir = tempDir();
  const link = path.join(dir, 'report.json');
  symlinkSync(path.join(dir, 'later.json'), link);
  assert.doesNotThrow(() => checkOutputFile('--json', link));
  writeOutputFiles([{ option: '--json', file: link, body: 'through the link' }]);
  assert.equal(readFileSync(path.join(dir, 'later.json'), 'utf8'), 'through the link');
});

test('two options naming one file, however spelt, are a usage error naming both', () => {
  const dir = tempDir();
  mkdirSync(path.join(dir, 'real'));
  symlinkSync(path.join(dir, 'real'), path.join(dir, 'link'));
  const out = path.join(dir, 'real', 'head.json');
  assert.throws(() => checkDistinctFiles([['--out', out], ['--json', path.join(dir, 'link', '..', 'real', '.', 'head.json')]]), (e) => isShotscaleError(e, 'BAD_REQUEST') && /^--json .*: the same file as --out /.test(e.message));
  assert.throws(() => checkDistinctFiles([['--out', out], ['--json', path.join(dir, 'link', 'head.json')]]), (e) => isShotscaleError(e, 'BAD_REQUEST'), 'through a linked folder');
  writeFileSync(path.join(dir, 'labels.csv'), 'file,label\n');
  assert.throws(() => checkDistinctFiles([['--csv', path.join(dir, 'labels.csv')]], [['--labels', path.join(dir, 'labels.csv')]]), (e) => isShotscaleError(e, 'BAD_REQUEST') && /the same file as --labels/.test(e.message));
  assert.doesNotThrow(() => checkDistinctFiles([['--out', out], ['--json', path.join(dir, 'report.json')]]));
});

test('a folder a file system will not make (under /proc) is refused, not waited on; missing parents are made', () => {
  assert.throws(() => makeOutputDir('--out', '/proc/shotscale-out/a'), (e) => isShotscaleError(e, 'OUTPUT_UNWRITABLE') && /--out \/proc\/shotscale-out\/a/.test(e.message));
  assert.throws(() => checkOutputFile('--json', '/proc/shotscale-out/r.json'), (e) => isShotscaleError(e, 'OUTPUT_UNWRITABLE'));
  // /proc is there, and root passes its permission bits, but it takes no new file: found before the work, said without a temporary name.
  assert.throws(
    () => checkOutputFile('--json', '/proc/r.json'),
    (e) => isShotscaleError(e, 'OUTPUT_UNWRITABLE') && /^--json \/proc\/r\.json: cannot be written \(its folder \/proc: (the folder takes no new files|permission denied)\)$/.test(e.message),
  );
  const fine = path.join(tempDir('shotscale-probe-'), 'r.json');
  checkOutputFile('--json', fine);
  assert.deepEqual(readdirSync(path.dirname(fine)), [], 'no probe file left behind');
  const deep = path.join(tempDir('shotscale-folders-'), 'a', 'b', 'c');
  makeOutputDir('--out', deep);
  makeOutputDir('--out', deep);
  assert.deepEqual(readdirSync(path.dirname(deep)), ['c']);
});
