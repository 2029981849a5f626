/**
 * A calibration head path may come from an API request: only a regular file
 * of a head's size is read, and nothing of a file that is not a head reaches
 * an error message (so neither the answer nor the log).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadHead, MAX_HEAD_BYTES, saveHead, type FramingHead } from '../../server/calibration/framing-head.js';
import { isShotscaleError } from '../../server/errors.js';
import { TINY_HEAD_FEATURES, tinyHead } from '../support/tiny-head.js';
import { tempDir } from '../support/media.js';

const FEATURES = TINY_HEAD_FEATURES;

/** Asserts loadHead refuses `file` with `code`, a message matching `pattern` and none of `secrets`; resolves within the test's time (a FIFO must not block). */
function refused(file: string, code: string, pattern: RegExp, secrets: string[] = []): void {
  assert.throws(
    () => loadHead(file, FEATURES),
    (error: unknown) => {
      assert.ok(isShotscaleError(error), `not a coded error: ${String(error)}`);
      assert.equal(error.code, code, error.message);
      assert.match(error.message, pattern);
      assert.ok(error.message.includes(file), `the message names the path: ${error.message}`);
      for (const secret of secrets) assert.ok(!error.message.includes(secret), `the message quotes the file: ${error.message}`);
      return true;
    },
  );
}

describe('calibration head files', () => {
  const dir = tempDir('shotscale-head-file-');

  test('a head written by saveHead loads', () => {
    const file = path.join(dir, 'good.head.json');
    saveHead(tinyHead(), file);
    assert.equal(loadHead(file, FEATURES).taxonomy, 'two');
  });

  test('a FIFO is refused at once, without waiting for a writer', { timeout: 5000 }, () => {
    const fifo = path.join(dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    refused(fifo, 'MODEL_MANIFEST_INVALID', /is not a regular file/);
  });

  test('a device or a directory is not read', () => {
    refused('/dev/zero', 'MODEL_MANIFEST_INVALID', /is not a regular file/);
    refused(dir, 'MODEL_MANIFEST_INVALID', /is not a regular file/);
  });

  test('a file over the size cap is refused before it is read', () => {
    const big = path.join(dir, 'big.json');
    writeFileSync(big, '');
    truncateSync(big, MAX_HEAD_BYTES + 1); // sparse: no disk is written
    refused(big, 'MODEL_MANIFEST_INVALID', /larger than 16 MB/);
  });

  test('a missing file says so', () => {
    refused(path.join(dir, 'missing.json'), 'MODEL_FILE_NOT_FOUND', /not found/);
  });

  test('a file that is not JSON is refused without a word of what is in it', () => {
    const passwd = path.join(dir, 'passwd');
    writeFileSync(passwd, 'root:x-secret-hash:0:0:root:/root:/bin/bash\n');
    refused(passwd, 'MODEL_MANIFEST_INVALID', /is not JSON/, ['root', 'secret', 'bash']);
  });

  test('a rules-residual head of the wrong shape says what it holds against what it should', () => {
    /** A rules-residual head over the tiny features, with `model` changed. */
    const residual = (name: string, model: Partial<FramingHead['model']>): string => {
      const file = path.join(dir, name);
      const layer = { weights: Array.from({ length: 8 }, () => [0, 0]), bias: Array<number>(8).fill(0) };
      saveHead({ ...tinyHead(), output: 'rules-residual', model: { mean: [0, 0], std: [1, 1], layers: [layer], ...model } }, file);
      return file;
    };
    assert.equal(loadHead(residual('residual.head.json', {}), FEATURES).output, 'rules-residual');
    const shape = /a rules-residual head has one layer of 8 outputs over its 2 features/;
    refused(residual('short-mean.head.json', { mean: [0] }), 'MODEL_MANIFEST_INVALID', new RegExp(`: its mean has 1 value for its 2 feature names; ${shape.source}`));
    refused(residual('five-outputs.head.json', { layers: [{ weights: [[0, 0]], bias: [0, 0, 0, 0, 0] }] }), 'MODEL_MANIFEST_INVALID', new RegExp(`: its layer has 5 outputs; ${shape.source}`));
    const layer = { weights: [[0, 0]], bias: [0] };
    refused(residual('two-layers.head.json', { layers: [layer, layer] }), 'MODEL_MANIFEST_INVALID', new RegExp(`: it has 2 layers, its last layer has 1 output; ${shape.source}`));
  });

  test('a JSON file that is not a head is refused as a whole, its keys and values unquoted', () => {
    const other = path.join(dir, 'settings.json');
    writeFileSync(other, JSON.stringify({ databasePassword: 'hunter2', schemaVersion: 1 }));
    refused(other, 'MODEL_MANIFEST_INVALID', /is not a calibration head/, ['databasePassword', 'hunter2']);
  });
});
