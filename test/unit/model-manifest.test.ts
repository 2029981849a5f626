import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { canonicalMatrix, readManifest } from '../../server/inference/model-manifest.js';
import { isShotscaleError, type ErrorCode, type ShotscaleError } from '../../server/errors.js';
import { CANONICAL_SCALES } from '../../server/shared/scale.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const REPO_MANIFEST = path.join(ROOT, 'models/movieshots-mobilenetv3-small-random.manifest.json');
const REPO_ONNX = path.join(ROOT, 'models/movieshots-mobilenetv3-small-random.onnx');

const dir = mkdtempSync(path.join(os.tmpdir(), 'shotscale-manifest-'));
after(() => rmSync(dir, { recursive: true, force: true }));

type Json = Record<string, unknown>;

/** The repo manifest, pointing at the repo's onnx by absolute path, without sha256 unless given. */
function baseManifest(): Json {
  const m = JSON.parse(readFileSync(REPO_MANIFEST, 'utf8')) as Json;
  m.file = REPO_ONNX;
  delete m.sha256;
  return m;
}

let count = 0;
function writeManifest(content: Json | string): string {
  const file = path.join(dir, `m${count++}.manifest.json`);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return file;
}

function readError(file: string, code: ErrorCode): ShotscaleError {
  try {
    readManifest(file);
  } catch (error) {
    assert.ok(isShotscaleError(error), `expected a ShotscaleError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return error;
  }
  assert.fail(`expected ${code}, but ${file} was accepted`);
}

describe('readManifest', () => {
  test("the repo's manifest validates, its sha256 matches and the model path is resolved beside it", () => {
    const { manifest, modelPath } = readManifest(REPO_MANIFEST);
    assert.equal(modelPath, REPO_ONNX);
    assert.equal(manifest.kind, 'onnx-classifier');
    assert.equal(manifest.input.layout, 'NCHW');
    assert.equal(manifest.input.width, 224);
    assert.deepEqual(manifest.labels, ['ECS', 'CS', 'MS', 'FS', 'LS']);
    assert.match(manifest.sha256 ?? '', /^[0-9a-f]{64}$/);
    for (const label of manifest.labels) assert.ok(manifest.canonicalMapping[label], label);
  });

  test('a relative file is resolved against the manifest directory; defaults are filled', () => {
    const bytes = Buffer.from('not really onnx');
    writeFileSync(path.join(dir, 'tiny.onnx'), bytes);
    const m = baseManifest();
    m.file = 'tiny.onnx';
    m.sha256 = createHash('sha256').update(bytes).digest('hex');
    m.input = { name: 'x', layout: 'NHWC', width: 8, height: 8 };
    m.output = { name: 'y' };
    delete m.description;
    delete m.license;
    const { manifest, modelPath } = readManifest(writeManifest(m));
    assert.equal(modelPath, path.join(dir, 'tiny.onnx'));
    assert.equal(manifest.input.dtype, 'float32');
    assert.equal(manifest.input.colorOrder, 'RGB');
    assert.equal(manifest.input.resize, 'stretch');
    assert.equal(manifest.input.scale, 1 / 255);
    assert.deepEqual(manifest.input.mean, [0, 0, 0]);
    assert.deepEqual(manifest.input.std, [1, 1, 1]);
    assert.equal(manifest.output.activation, 'softmax');
    assert.equal(manifest.description, '');
    assert.equal(manifest.license, 'unknown');
  });

  test('without sha256 the file is not hashed and any existing file is accepted', () => {
    const { modelPath } = readManifest(writeManifest(baseManifest()));
    assert.equal(modelPath, REPO_ONNX);
  });

  test('a label without a canonical mapping: MODEL_MANIFEST_INVALID naming the label', () => {
    const m = baseManifest();
    delete (m.canonicalMapping as Json).LS;
    const file = writeManifest(m);
    const error = readError(file, 'MODEL_MANIFEST_INVALID');
    assert.ok(error.message.includes(file));
    assert.match(error.message, /canonicalMapping: label "LS" has no mapping/);
  });

  test('a mapping for a label that does not exist', () => {
    const m = baseManifest();
    (m.canonicalMapping as Json).XLS = { EWS: 1 };
    const error = readError(writeManifest(m), 'MODEL_MANIFEST_INVALID');
    assert.match(error.message, /canonicalMapping\.XLS: "XLS" is not one of labels/);
  });

  test('an unknown canonical class in a mapping', () => {
    const m = baseManifest();
    (m.canonicalMapping as Json).FS = { FS: 0.5, XWS: 0.5 };
    const error = readError(writeManifest(m), 'MODEL_MANIFEST_INVALID');
    assert.match(error.message, /canonicalMapping\.FS/);
    assert.match(error.message, /XWS/);
  });

  test('a mapping with no positive weight', () => {
    const m = baseManifest();
    (m.canonicalMapping as Json).FS = { FS: 0 };
    const error = readError(writeManifest(m), 'MODEL_MANIFEST_INVALID');
    assert.match(error.message, /canonicalMapping\.FS: at least one positive weight/);
  });

  test('other schema violations: unknown key, wrong layout, too few labels, bad std', () => {
    const cases: [string, (m: Json) => void, RegExp][] = [
      ['unknown key', (m) => (m.extra = 1), /unknown key "extra"/],
      ['layout', (m) => ((m.input as Json).layout = 'CHW'), /input\.layout/],
      ['labels', (m) => {
        m.labels = ['ECS'];
        m.canonicalMapping = { ECS: { ECU: 1 } };
      }, /labels/],
      ['std', (m) => ((m.input as Json).std = [1, 0, 1]), /input\.std\[1\]/],
      ['schemaVersion', (m) => (m.schemaVersion = 2), /schemaVersion/],
      ['sha256 format', (m) => (m.sha256 = 'ABC'), /sha256/],
    ];
    for (const [name, mutate, pattern] of cases) {
      const m = baseManifest();
      mutate(m);
      const error = readError(writeManifest(m), 'MODEL_MANIFEST_INVALID');
      assert.match(error.message, pattern, name);
    }
  });

  test('a wrong sha256: MODEL_MISMATCH naming both hashes', () => {
    const m = baseManifest();
    const wrong = '0'.repeat(64);
    m.sha256 = wrong;
    const file = writeManifest(m);
    const error = readError(file, 'MODEL_MISMATCH');
    assert.ok(error.message.includes(REPO_ONNX));
    assert.ok(error.message.includes(wrong));
    const actual = JSON.parse(readFileSync(REPO_MANIFEST, 'utf8')) as { sha256: string };
    assert.ok(error.message.includes(actual.sha256), 'the actual hash is reported');
    assert.ok(error.hint);
  });

  test('a missing model file: MODEL_FILE_NOT_FOUND naming the resolved path and the manifest', () => {
    const m = baseManifest();
    m.file = 'does-not-exist.onnx';
    const file = writeManifest(m);
    const error = readError(file, 'MODEL_FILE_NOT_FOUND');
    assert.ok(error.message.includes(path.join(dir, 'does-not-exist.onnx')), error.message);
    assert.ok(error.message.includes(file));
  });

  test('a missing manifest: MODEL_MANIFEST_NOT_FOUND', () => {
    const missing = path.join(dir, 'nope.manifest.json');
    const error = readError(missing, 'MODEL_MANIFEST_NOT_FOUND');
    assert.ok(error.message.includes(missing));
    assert.ok(error.hint);
  });

  test('invalid JSON: MODEL_MANIFEST_INVALID', () => {
    const file = writeManifest('{ "schemaVersion": 1, ');
    const error = readError(file, 'MODEL_MANIFEST_INVALID');
    assert.ok(error.message.includes(file));
    assert.match(error.message, /not valid JSON/);
  });

  test('valid JSON that is not an object: MODEL_MANIFEST_INVALID', () => {
    readError(writeManifest('[1, 2]'), 'MODEL_MANIFEST_INVALID');
    readError(writeManifest('null'), 'MODEL_MANIFEST_INVALID');
  });
});

describe('canonicalMatrix', () => {
  test('one row per label, in canonical order, each row normalised to sum 1', () => {
    const labels = ['A', 'B', 'C'];
    const rows = canonicalMatrix(labels, { A: { ECU: 1 }, B: { CU: 0.6, MCU: 0.4 }, C: { WS: 3, EWS: 1 } });
    assert.equal(rows.length, 3);
    for (const row of rows) {
      assert.equal(row.length, CANONICAL_SCALES.length);
      assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-12);
    }
    const at = (r: number, scale: (typeof CANONICAL_SCALES)[number]) => rows[r]![CANONICAL_SCALES.indexOf(scale)];
    assert.equal(at(0, 'ECU'), 1);
    assert.equal(at(0, 'CU'), 0);
    assert.ok(Math.abs(at(1, 'CU')! - 0.6) < 1e-12);
    assert.ok(Math.abs(at(1, 'MCU')! - 0.4) < 1e-12);
    assert.equal(at(2, 'WS'), 0.75);
    assert.equal(at(2, 'EWS'), 0.25);
    assert.equal(at(2, 'FS'), 0);
  });

  test('rows follow the order of labels, not of the mapping', () => {
    const rows = canonicalMatrix(['second', 'first'], { first: { ECU: 1 }, second: { EWS: 1 } });
    assert.equal(rows[0]![CANONICAL_SCALES.indexOf('EWS')], 1);
    assert.equal(rows[1]![CANONICAL_SCALES.indexOf('ECU')], 1);
  });

  test("the repo model's matrix maps a probability vector onto one that sums to 1", () => {
    const { manifest } = readManifest(writeManifest(baseManifest()));
    const rows = canonicalMatrix(manifest.labels, manifest.canonicalMapping);
    const p = [0.1, 0.2, 0.3, 0.15, 0.25];
    const canonical = new Array<number>(CANONICAL_SCALES.length).fill(0);
    p.forEach((pl, l) => rows[l]!.forEach((w, c) => (canonical[c]! += pl * w)));
    assert.ok(Math.abs(canonical.reduce((a, b) => a + b, 0) - 1) < 1e-12);
    assert.ok(Math.abs(canonical[CANONICAL_SCALES.indexOf('MS')]! - 0.18) < 1e-12);
  });
});
