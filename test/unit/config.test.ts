import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deepFreeze, formatKeyPath, loadConfig, resolveConfigPath, validateConfig } from '../../server/config/load-config.js';
import { configSchema } from '../../server/config/schema.js';
import { isShotscaleError, type ErrorCode, type ShotscaleError } from '../../server/errors.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DEFAULT_YAML = path.join(ROOT, 'config/default.yaml');

const dir = mkdtempSync(path.join(os.tmpdir(), 'shotscale-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let fileCount = 0;
function writeYaml(text: string, name = `c${fileCount++}.yaml`): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** Loads and expects a ShotscaleError with `code`; returns it for message checks. */
function loadError(file: string, code: ErrorCode, env: NodeJS.ProcessEnv = {}): ShotscaleError {
  try {
    loadConfig(file, env);
  } catch (error) {
    assert.ok(isShotscaleError(error), `expected a ShotscaleError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return error;
  }
  assert.fail(`expected ${code}, but ${file} loaded`);
}

function assertDeeplyFrozen(value: unknown, where = 'config'): void {
  if (value === null || typeof value !== 'object') return;
  assert.ok(Object.isFrozen(value), `${where} is not frozen`);
  for (const [k, v] of Object.entries(value)) assertDeeplyFrozen(v, `${where}.${k}`);
}

describe('loadConfig: the shipped default.yaml', () => {
  test('loads and validates, with the file and base dir', () => {
    const loaded = loadConfig(DEFAULT_YAML, {});
    assert.equal(loaded.file, DEFAULT_YAML);
    assert.equal(loaded.baseDir, path.join(ROOT, 'config'));
    const { config } = loaded;
    assert.equal(config.server.host, '127.0.0.1');
    assert.equal(config.server.port, 8420);
    assert.equal(config.server.accessToken, null);
    assert.deepEqual(config.cameras.map((c) => c.id), ['cam-1', 'cam-2', 'cam-3', 'cam-4']);
    // The demo reel: real footage in the repo, relative to the file.
    for (const camera of config.cameras) {
      assert.equal(camera.source.kind, 'file');
      if (camera.source.kind === 'file') assert.ok(existsSync(resolveConfigPath(loaded, camera.source.path)), camera.source.path);
    }
    // The model manifest it names exists relative to the file.
    assert.equal(resolveConfigPath(loaded, config.model.manifest), path.join(ROOT, 'models/framing-default.manifest.json'));
  });

  test('its values equal the schema defaults (the file documents the defaults)', () => {
    const { config } = loadConfig(DEFAULT_YAML, {});
    const defaults = validateConfig({}, '(defaults)');
    for (const key of ['server', 'ffmpeg', 'pipeline', 'supervisor'] as const) {
      assert.deepEqual(config[key], defaults[key], key);
    }
    // The one documented exception: the shipped file turns on the shipped
    // calibration head; without a config the rules alone run.
    assert.deepEqual({ ...config.model, calibration: null }, defaults.model);
    assert.equal(config.model.calibration, '../models/framing-default.head.json');
  });

  test('is deeply frozen', () => {
    const { config } = loadConfig(DEFAULT_YAML, {});
    assertDeeplyFrozen(config);
    assert.throws(() => {
      (config.server as { port: number }).port = 1;
    }, TypeError);
    assert.throws(() => {
      (config.cameras as unknown[]).push({});
    }, TypeError);
  });
});

describe('loadConfig: defaults', () => {
  test('null file gives the built-in defaults, frozen', () => {
    const loaded = loadConfig(null, {});
    assert.equal(loaded.file, null);
    assert.equal(loaded.baseDir, process.cwd());
    assertDeeplyFrozen(loaded.config);
    assert.deepEqual(loaded.config.cameras, []);
  });

  test('an empty file and a partial file get every default filled in', () => {
    const empty = loadConfig(writeYaml(''), {}).config;
    assert.deepEqual(empty, configSchema.parse({}));
    const partial = loadConfig(writeYaml('pipeline:\n  batch:\n    maxSize: 4\ncameras:\n  - id: x\n    source: { kind: rtsp, url: "rtsp://h/s" }\n'), {}).config;
    assert.equal(partial.pipeline.batch.maxSize, 4);
    assert.equal(partial.pipeline.batch.windowMs, 15);
    assert.equal(partial.pipeline.batch.staleMs, 1000);
    assert.equal(partial.pipeline.ringBufferSize, 2);
    assert.equal(partial.pipeline.smoothing.timeConstantS, 0.6);
    assert.equal(partial.server.port, 8420);
    assert.deepEqual(partial.model.executionProviders, ['cuda', 'cpu']);
    const cam = partial.cameras[0];
    assert.ok(cam);
    assert.equal(cam.enabled, true);
    assert.equal(cam.analysisFps, 5);
    assert.equal(cam.name, undefined);
    assert.deepEqual(cam.source, { kind: 'rtsp', url: 'rtsp://h/s', transport: 'tcp', timeoutS: 5 });
    assertDeeplyFrozen(partial);
  });

  test('source defaults per kind', () => {
    const text = [
      'cameras:',
      '  - { id: t, source: { kind: testsrc } }',
      '  - { id: f, source: { kind: file, path: a.mp4 } }',
      '  - { id: w, source: { kind: webcam, device: /dev/video0 } }',
      '  - { id: u, source: { kind: url, url: "srt://h:1" } }',
      '',
    ].join('\n');
    const [t, f, w, u] = loadConfig(writeYaml(text), {}).config.cameras;
    assert.deepEqual(t?.source, { kind: 'testsrc', pattern: 'testsrc2', width: 1280, height: 720, fps: 25 });
    assert.deepEqual(f?.source, { kind: 'file', path: 'a.mp4', loop: true, realtime: true });
    assert.deepEqual(w?.source, { kind: 'webcam', device: '/dev/video0', driver: 'auto' });
    assert.deepEqual(u?.source, { kind: 'url', url: 'srt://h:1', inputOptions: [] });
  });

  test('resolveConfigPath resolves relative paths against the config file directory', () => {
    const loaded = loadConfig(writeYaml('{}'), {});
    assert.equal(resolveConfigPath(loaded, 'clip.mp4'), path.join(dir, 'clip.mp4'));
    assert.equal(resolveConfigPath(loaded, '/abs/clip.mp4'), '/abs/clip.mp4');
  });
});

describe('loadConfig: errors', () => {
  test('missing file: CONFIG_NOT_FOUND naming the absolute path', () => {
    const missing = path.join(dir, 'nope.yaml');
    const error = loadError(missing, 'CONFIG_NOT_FOUND');
    assert.ok(error.message.includes(missing));
  });

  test('YAML syntax error: CONFIG_PARSE with file and line', () => {
    const file = writeYaml('server:\n  host: 127.0.0.1\n  port: [8420\nmodel: {}\n');
    const error = loadError(file, 'CONFIG_PARSE');
    assert.ok(error.message.startsWith(file), error.message);
    const line = /\.yaml:(\d+):\d+:/.exec(error.message);
    assert.ok(line, `no line:col in ${error.message}`);
    assert.ok(Number(line[1]) >= 3, error.message);
  });

  test('a YAML syntax error says the place once, and a quote never closed is placed on the file\'s last line, not past it', () => {
    const nested = writeYaml('server: a: b\n');
    assert.equal(loadError(nested, 'CONFIG_PARSE').message, `${nested}:1:9: Nested mappings are not allowed in compact mappings`);
    const quote = writeYaml('server:\n  port: 1\ncameras:\n  - id: a\n    source: { kind: file, path: "x.mp4 }\n');
    assert.equal(loadError(quote, 'CONFIG_PARSE').message, `${quote}:5: Missing closing "quote, by the end of the file (opened on line 5 or before)`);
  });

  test('duplicate YAML keys are a parse error', () => {
    const error = loadError(writeYaml('server:\n  port: 1\n  port: 2\n'), 'CONFIG_PARSE');
    assert.match(error.message, /:3:/);
  });

  test('unknown top-level key: file, line and key path', () => {
    const file = writeYaml('server:\n  port: 2\n\n\nbogus: 1\n');
    const error = loadError(file, 'CONFIG_INVALID');
    assert.ok(error.message.includes(`${file}:5: bogus: unknown key "bogus"`), error.message);
  });

  test('an unknown key with a direction override in it is quoted with the override escaped (it would turn the rest of the line around)', () => {
    const file = writeYaml('server:\n  port: 2\n  "ho\u202ets": 1\n');
    const error = loadError(file, 'CONFIG_INVALID');
    assert.ok(error.message.includes('unknown key "ho\\u202ets"'), error.message);
    assert.ok(!error.message.includes('\u202e'), error.message);
  });

  test('unknown nested key server.hots: the line of that key, not of its parent', () => {
    const file = writeYaml('# comment\nserver:\n  host: 127.0.0.1\n  port: 8420\n  hots: 0.0.0.0\n');
    const error = loadError(file, 'CONFIG_INVALID');
    assert.ok(error.message.includes(`${file}:5: server.hots: unknown key "hots"`), error.message);
    assert.ok(error.hint?.includes('default.yaml'));
  });

  test('unknown key in a camera source: cameras[0].source.size', () => {
    const text = ['cameras:', '  - id: a', '    source:', '      kind: testsrc', '      pattern: life', '      size: 640x480', ''].join('\n');
    const file = writeYaml(text);
    const error = loadError(file, 'CONFIG_INVALID');
    assert.ok(error.message.includes(`${file}:6: cameras[0].source.size: unknown key "size"`), error.message);
  });

  test('a test pattern larger than 8K UHD is refused, naming the limit', () => {
    const text = ['cameras:', '  - id: huge', '    source: { kind: testsrc, width: 100000, height: 100000 }', ''].join('\n');
    const file = writeYaml(text);
    const error = loadError(file, 'CONFIG_INVALID');
    assert.ok(error.message.includes(`${file}:3: cameras[0].source.width: at most 7680`), error.message);
    assert.ok(error.message.includes('cameras[0].source.height: at most 4320'), error.message);
    assert.match(error.message, /7680x4320/);
    // The limit itself is a size a test pattern may have.
    assert.doesNotThrow(() => loadConfig(writeYaml(['cameras:', '  - id: uhd', '    source: { kind: testsrc, width: 7680, height: 4320 }', ''].join('\n')), {}));
  });

  test('unknown key in a flow mapping on the second camera', () => {
    const text = ['cameras:', '  - id: a', '    source: { kind: testsrc }', '  - id: b', '    source: { kind: testsrc, size: 3 }', ''].join('\n');
    const file = writeYaml(text);
    const error = loadError(file, 'CONFIG_INVALID');
    assert.ok(error.message.includes(`${file}:5: cameras[1].source.size`), error.message);
  });

  test('several unknown keys: each named on its own line', () => {
    const file = writeYaml('server:\n  hots: a\n  prot: 1\n');
    const error = loadError(file, 'CONFIG_INVALID');
    assert.ok(error.message.includes(`${file}:2: server.hots`), error.message);
    assert.ok(error.message.includes(`${file}:3: server.prot`), error.message);
  });

  test('a wrong value names its line and key path', () => {
    const file = writeYaml('pipeline:\n  batch:\n    maxSize: 0\n');
    const error = loadError(file, 'CONFIG_INVALID');
    assert.ok(error.message.includes(`${file}:3: pipeline.batch.maxSize`), error.message);
  });

  test('unknown source kind names the expected kinds', () => {
    const file = writeYaml('cameras:\n  - id: a\n    source:\n      kind: hdmi\n');
    const error = loadError(file, 'CONFIG_INVALID');
    assert.ok(error.message.includes(`${file}:4: cameras[0].source.kind`), error.message);
    for (const kind of ['rtsp', 'webcam', 'ndi', 'file', 'testsrc', 'url']) assert.ok(error.message.includes(kind), `${kind} in ${error.message}`);
  });

  test('duplicate camera ids are rejected, naming the second one', () => {
    const text = ['cameras:', '  - id: cam', '    source: { kind: testsrc }', '  - id: other', '    source: { kind: testsrc }', '  - id: cam', '    source: { kind: testsrc }', ''].join('\n');
    const file = writeYaml(text);
    const error = loadError(file, 'CONFIG_INVALID');
    assert.ok(error.message.includes(`${file}:6: cameras[2].id: duplicate camera id "cam"`), error.message);
  });

  test('an invalid camera id is rejected', () => {
    const error = loadError(writeYaml('cameras:\n  - id: "bad id"\n    source: { kind: testsrc }\n'), 'CONFIG_INVALID');
    assert.match(error.message, /cameras\[0\]\.id/);
  });

  test('a short access token is rejected', () => {
    const error = loadError(writeYaml('server:\n  accessToken: short\n'), 'CONFIG_INVALID');
    assert.match(error.message, /server\.accessToken: at least 16 characters/);
  });

  test("WHIP's allowed origins: an origin with a path is rejected, naming it; origins are kept in lower case", () => {
    const error = loadError(writeYaml('supervisor:\n  whip:\n    allowedOrigins: ["https://ok.example", "https://publish.example.com/page"]\n'), 'CONFIG_INVALID');
    assert.match(error.message, /supervisor\.whip\.allowedOrigins\[1\]: an origin: scheme and host \(and port\)/);
    const { config } = loadConfig(writeYaml('supervisor:\n  whip:\n    allowedOrigins: ["HTTPS://Publish.Example.com:8443", "*"]\n'));
    assert.deepEqual(config.supervisor.whip.allowedOrigins, ['https://publish.example.com:8443', '*']);
  });
});

describe('loadConfig: ${VAR} interpolation', () => {
  const text = [
    'server:',
    '  accessToken: ${SHOTSCALE_TOKEN}',
    'cameras:',
    '  - id: door',
    '    source:',
    '      kind: rtsp',
    '      url: rtsp://${CAM_USER:-admin}:${CAM_PASSWORD}@10.0.0.5/stream',
    '',
  ].join('\n');

  test('variables come from the env argument; fallbacks apply when unset', () => {
    const env = { SHOTSCALE_TOKEN: 'tok-0123456789abcdef', CAM_PASSWORD: 'p@ss' };
    const { config } = loadConfig(writeYaml(text), env);
    assert.equal(config.server.accessToken, 'tok-0123456789abcdef');
    const source = config.cameras[0]?.source;
    assert.equal(source?.kind === 'rtsp' && source.url, 'rtsp://admin:p@ss@10.0.0.5/stream');
  });

  test('a set variable beats the fallback; an empty one takes the fallback', () => {
    const env = { SHOTSCALE_TOKEN: 'tok-0123456789abcdef', CAM_PASSWORD: 'pw', CAM_USER: 'ops' };
    const url = (e: NodeJS.ProcessEnv) => {
      const source = loadConfig(writeYaml(text), e).config.cameras[0]?.source;
      return source?.kind === 'rtsp' ? source.url : undefined;
    };
    assert.equal(url(env), 'rtsp://ops:pw@10.0.0.5/stream');
    assert.equal(url({ ...env, CAM_USER: '' }), 'rtsp://admin:pw@10.0.0.5/stream');
  });

  test('process.env is not consulted when env is passed', () => {
    const name = 'SHOTSCALE_UNIT_TEST_ONLY_VAR';
    process.env[name] = 'from-process';
    try {
      const error = loadError(writeYaml(`ffmpeg:\n  path: \${${name}}\n`), 'CONFIG_ENV_MISSING', {});
      assert.ok(error.message.includes(name));
    } finally {
      delete process.env[name];
    }
  });

  test('an empty fallback is allowed', () => {
    const { config } = loadConfig(writeYaml('ffmpeg:\n  path: "/opt/${SUBDIR:-}ffmpeg"\n'), {});
    assert.equal(config.ffmpeg.path, '/opt/ffmpeg');
  });

  test('a missing variable: CONFIG_ENV_MISSING naming the variable, file and key path', () => {
    const file = writeYaml(text);
    const error = loadError(file, 'CONFIG_ENV_MISSING', { SHOTSCALE_TOKEN: 'tok-0123456789abcdef' });
    assert.ok(error.message.includes(file), error.message);
    assert.ok(error.message.includes('cameras[0].source.url'), error.message);
    assert.ok(error.message.includes('CAM_PASSWORD'), error.message);
    assert.ok(!error.message.includes('CAM_USER'), 'CAM_USER has a fallback');
    assert.match(error.hint ?? '', /CAM_PASSWORD/);
  });

  test('a missing variable at a top-level path', () => {
    const error = loadError(writeYaml(text), 'CONFIG_ENV_MISSING', { CAM_PASSWORD: 'x' });
    assert.match(error.message, /server\.accessToken: environment variable SHOTSCALE_TOKEN is not set/);
  });

  test('interpolation applies inside arrays, and ${...} in comments is ignored', () => {
    const yaml = [
      '# ${NOT_SET_ANYWHERE}',
      'cameras:',
      '  - id: u',
      '    source:',
      '      kind: url',
      '      url: "srt://h:1"',
      '      inputOptions: ["-passphrase", "${SRT_PASS}"]',
      '',
    ].join('\n');
    const source = loadConfig(writeYaml(yaml), { SRT_PASS: 'zz' }).config.cameras[0]?.source;
    assert.deepEqual(source?.kind === 'url' && source.inputOptions, ['-passphrase', 'zz']);
    const error = loadError(writeYaml(yaml), 'CONFIG_ENV_MISSING', {});
    assert.ok(error.message.includes('cameras[0].source.inputOptions[1]'), error.message);
  });

  test('an interpolated value is validated after substitution', () => {
    const error = loadError(writeYaml('server:\n  accessToken: ${T}\n'), 'CONFIG_INVALID', { T: 'short' });
    assert.match(error.message, /:2: server\.accessToken/);
  });
});

describe('helpers', () => {
  test('formatKeyPath', () => {
    assert.equal(formatKeyPath([]), '(top level)');
    assert.equal(formatKeyPath(['server', 'port']), 'server.port');
    assert.equal(formatKeyPath(['cameras', 2, 'source', 'kind']), 'cameras[2].source.kind');
    assert.equal(formatKeyPath(['plans', 'scene 12', 'cam-1']), 'plans["scene 12"].cam-1', 'a key that is not a plain name is quoted');
    const forged = formatKeyPath(['x\n2026-12-05T00:00:00.000Z ERROR forged\u001b[31m']);
    assert.ok(!/[\n\u001b]/.test(forged) && forged.startsWith('["x\\n2026'), `controls in a key are escaped: ${forged}`);
    assert.ok(formatKeyPath(['k'.repeat(500)]).length < 80, 'a long key is cut');
    assert.equal(formatKeyPath(['model', 'executionProviders', 0]), 'model.executionProviders[0]');
  });

  test('deepFreeze freezes nested objects and arrays and returns the same object', () => {
    const value = { a: { b: [1, { c: 2 }] } };
    assert.equal(deepFreeze(value), value);
    assertDeeplyFrozen(value);
  });

  test('validateConfig without a document has no line numbers but names the label and path', () => {
    assert.throws(
      () => validateConfig({ server: { hots: 1 } }, '(test)'),
      (error: unknown) => isShotscaleError(error, 'CONFIG_INVALID') && error.message.includes('(test): server.hots: unknown key "hots"'),
    );
  });
});
