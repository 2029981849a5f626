/**
 * A configured calibration head (model.calibration) that cannot be used
 * stops `shotscale serve` at start with a coded error that says where it was
 * configured (the config file, the line, the key), as the config's own
 * errors do, and what is wrong with the file: for a head of the wrong shape,
 * what it holds against what it should.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/media.js';
import { REPO_DIR } from '../support/server-harness.js';

const MODELS = path.join(REPO_DIR, 'models');

/** A config for serve whose model.calibration (on line 4) is `head`, relative to the config's folder. */
function writeConfig(dir: string, head: string): string {
  const file = path.join(dir, 'cameras.yaml');
  writeFileSync(
    file,
    [
      'server: { port: 0 }',
      'model:',
      `  manifest: ${JSON.stringify(path.join(MODELS, 'framing-default.manifest.json'))}`,
      `  calibration: ${head}`,
      '  executionProviders: [cpu]',
      '  inferenceThread: false',
      `shots: { dataDir: ${JSON.stringify(path.join(dir, 'data'))} }`,
      'cameras: []',
      '',
    ].join('\n'),
  );
  return file;
}

/** `serve` on `config`: refused at start, with exit 1; its stderr. */
async function refusedServe(config: string): Promise<string> {
  const res = await runCli(['serve', '--config', config], { timeoutMs: 60_000 });
  assert.equal(res.code, 1, res.stderr);
  assert.doesNotMatch(res.stderr, /listening on/);
  assert.doesNotMatch(res.stderr, /^\s+at /m, 'no stack trace');
  return res.stderr;
}

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('a configured calibration head that cannot be used', () => {
  test('a corrupt head: MODEL_MANIFEST_INVALID naming the config file, line and key, then the head', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'corrupt.head.json'), '{"kind": "framing-head", "classes": [');
    const config = writeConfig(dir, 'corrupt.head.json');
    const stderr = await refusedServe(config);
    assert.match(stderr, new RegExp(`^error MODEL_MANIFEST_INVALID: ${escaped(config)}:4: model\\.calibration: calibration head ${escaped(path.join(dir, 'corrupt.head.json'))} is not JSON`, 'm'));
    assert.match(stderr, /\n  hint: .*model\.calibration: null/);
  });

  test('a head of the wrong shape: what its file holds against what it should, and where it is configured', async () => {
    const dir = tempDir();
    const head = JSON.parse(readFileSync(path.join(MODELS, 'framing-default.head.json'), 'utf8')) as { output: string; featureNames: string[]; model: { mean: number[] } };
    assert.equal(head.output, 'rules-residual');
    head.model.mean = head.model.mean.slice(0, 3);
    writeFileSync(path.join(dir, 'short.head.json'), JSON.stringify(head));
    const config = writeConfig(dir, 'short.head.json');
    const stderr = await refusedServe(config);
    const names = head.featureNames.length;
    assert.match(
      stderr,
      new RegExp(`^error MODEL_MANIFEST_INVALID: ${escaped(config)}:4: model\\.calibration: calibration head .*short\\.head\\.json: its mean has 3 values for its ${names} feature names; a rules-residual head has one layer of 8 outputs over its ${names} features`, 'm'),
    );
  });

  test('a missing head: MODEL_FILE_NOT_FOUND, said the same way', async () => {
    const dir = tempDir();
    const config = writeConfig(dir, 'nowhere.head.json');
    const stderr = await refusedServe(config);
    assert.match(stderr, new RegExp(`^error MODEL_FILE_NOT_FOUND: ${escaped(config)}:4: model\\.calibration: calibration head not found: ${escaped(path.join(dir, 'nowhere.head.json'))}\\n  hint: `, 'm'));
  });
});
