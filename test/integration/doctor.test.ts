/**
 * `shotscale doctor` on a working setup and on a broken one: missing ffmpeg,
 * a data directory that cannot be written, the port taken, a camera's file
 * gone, an execution provider list that cannot run, an extra model's manifest
 * missing, an invalid config. Each
 * problem is named with its fix, and the exit status says whether any was found.
 */
import { createServer, type Server } from 'node:net';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/media.js';
import { REPO_DIR } from '../support/server-harness.js';

const MODELS = path.join(REPO_DIR, 'models');
const DEMO = path.join(REPO_DIR, 'media', 'demo');

interface Report { problems: number; findings: { check: string; status: string; detail: string; fix?: string; code?: string }[] }

function config(yaml: string): string {
  const file = path.join(tempDir(), 'config.yaml');
  writeFileSync(file, yaml);
  return file;
}

async function doctor(file: string): Promise<{ code: number | null; report: Report; text: string }> {
  const json = await runCli(['doctor', '--config', file, '--json']);
  const text = await runCli(['doctor', '--config', file]);
  assert.equal(text.code, json.code);
  return { code: json.code, report: JSON.parse(json.stdout) as Report, text: text.stdout };
}

let taken: Server;
let takenPort = 0;

before(async () => {
  taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  takenPort = (taken.address() as { port: number }).port;
});

after(() => new Promise<void>((resolve) => taken.close(() => resolve())));

describe('shotscale doctor', () => {
  test('a working setup: every check ok, exit 0', async () => {
    const file = config(`server: { port: 0 }\nmodel: { manifest: ${MODELS}/framing-default.manifest.json, calibration: ${MODELS}/framing-default.head.json, executionProviders: [cuda, cpu] }\nshots: { dataDir: ${tempDir()} }\ncameras:\n  - { id: a, source: { kind: file, path: ${DEMO}/walkers.mp4 } }\n`);
    const { code, report, text } = await doctor(file);
    assert.equal(code, 0, text);
    assert.equal(report.problems, 0);
    const status = Object.fromEntries(report.findings.map((f) => [f.check, f.status]));
    for (const check of ['node', 'config', 'ffmpeg', 'provider cpu', 'model', 'calibration', 'server', 'data directory', 'port', 'cameras', 'dashboard']) assert.equal(status[check], 'ok', `${check}\n${text}`);
    // On a machine without CUDA binaries the GPU provider is a note with how to get it, not a problem.
    const cuda = report.findings.find((f) => f.check === 'provider cuda')!;
    if (cuda.status !== 'ok') assert.match(cuda.detail, /not available: .*README, "GPU"/);
    assert.match(text, /no problems found/);
  });

  test('a broken setup: each problem named with its fix, exit 1', async () => {
    const dir = tempDir();
    // Even root cannot make a directory under a regular file.
    const aFile = path.join(dir, 'not-a-directory');
    writeFileSync(aFile, '');
    const file = config(
      `server: { port: ${takenPort} }\nffmpeg: { path: ${dir}/no-such-ffmpeg }\nmodel: { manifest: ${MODELS}/framing-default.manifest.json, executionProviders: [cuda] }\nshots: { dataDir: ${aFile}/data }\ncameras:\n  - { id: gone, source: { kind: file, path: ${dir}/missing.mp4 } }\n`,
    );
    const { code, report, text } = await doctor(file);
    assert.equal(code, 1, text);
    const problems = new Map(report.findings.filter((f) => f.status === 'problem').map((f) => [f.check, f]));
    assert.match(problems.get('ffmpeg')?.detail ?? '', /no-such-ffmpeg/, text);
    assert.match(problems.get('data directory')?.detail ?? '', /not-a-directory is a file/, text);
    assert.match(problems.get('port')?.detail ?? '', new RegExp(`127\\.0\\.0\\.1:${takenPort} is already in use`), text);
    // The code serve stops with on the same port, in the JSON and the text alike.
    assert.equal(problems.get('port')?.code, 'PORT_IN_USE', text);
    assert.match(text, new RegExp(`PROBLEM +port +PORT_IN_USE: 127\\.0\\.0\\.1:${takenPort} is already in use`));
    assert.match(problems.get('camera gone')?.detail ?? '', /missing\.mp4: no such file/, text);
    assert.match(problems.get('providers')?.fix ?? '', /add cpu/, text);
    for (const p of problems.values()) assert.ok(p.fix && p.fix.length > 10, `${p.check} has a fix`);
    assert.equal(report.problems, problems.size);
    assert.match(text, /PROBLEM +ffmpeg/);
    assert.match(text, /fix: /);
    assert.match(text, new RegExp(`${problems.size} problems found`));
  });

  test('what serve stops on is found before the shoot: a reachable bind without a token, a missing certificate, a camera\'s head, a folder for a file; each with its code', async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'clips'));
    const file = path.join(dir, 'config.yaml');
    writeFileSync(
      file,
      `server: { host: 0.0.0.0, port: 0, tls: { cert: nope.pem, key: nope.pem } }\nmodel: { manifest: ${MODELS}/framing-default.manifest.json }\nshots: { dataDir: ${tempDir()} }\ncameras:\n  - { id: a, source: { kind: file, path: clips }, calibration: nope.head.json }\n`,
    );
    const { code, report, text } = await doctor(file);
    assert.equal(code, 1, text);
    const problems = new Map(report.findings.filter((f) => f.status === 'problem').map((f) => [f.check, f]));
    // The bind is checked first, as serve does: the certificate is said once the host is allowed.
    assert.equal(problems.get('server')?.code, 'INSECURE_BIND', text);
    assert.match(problems.get('server')?.detail ?? '', /server\.host is 0\.0\.0\.0/);
    const head = report.findings.find((f) => f.check === 'camera a' && /head/.test(f.detail));
    assert.deepEqual([head?.status, head?.code], ['problem', 'MODEL_FILE_NOT_FOUND'], text);
    assert.match(head?.detail ?? '', /nope\.head\.json/);
    assert.match(text, /PROBLEM +server +INSECURE_BIND: server\.host is 0\.0\.0\.0/);
    const folder = report.findings.find((f) => f.check === 'camera a' && /clips/.test(f.detail));
    assert.match(folder?.detail ?? '', new RegExp(`${path.join(dir, 'clips')}: a folder, not a file`), text);

    writeFileSync(file, `server: { port: 0, tls: { cert: nope.pem, key: nope.pem } }\nmodel: { manifest: ${MODELS}/framing-default.manifest.json }\nshots: { dataDir: ${tempDir()} }\n`);
    const tls = await doctor(file);
    const server = tls.report.findings.find((f) => f.check === 'server');
    assert.deepEqual([server?.status, server?.code], ['problem', 'CONFIG_INVALID'], tls.text);
    assert.equal(server?.detail.startsWith(`server.tls.cert (in ${file}): cannot read ${path.join(dir, 'nope.pem')}: `), true, server?.detail);
  });

  test('every model serve loads is checked: an extra whose manifest is missing is the problem serve stops with, naming its key', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'config.yaml');
    writeFileSync(
      file,
      `server: { port: 0 }\nmodel:\n  manifest: ${MODELS}/framing-default.manifest.json\n  extra:\n    second: { manifest: ${MODELS}/movieshots-mobilenetv3-small-random.manifest.json }\n    resnet: { manifest: ${dir}/our-resnet50.manifest.json }\nshots: { dataDir: ${tempDir()} }\n`,
    );
    const { code, report, text } = await doctor(file);
    assert.equal(code, 1, text);
    assert.equal(report.findings.find((f) => f.check === 'model')?.status, 'ok', text);
    assert.equal(report.findings.find((f) => f.check === 'model second')?.status, 'ok', text);
    const resnet = report.findings.find((f) => f.check === 'model resnet');
    assert.deepEqual([resnet?.status, resnet?.code], ['problem', 'MODEL_MANIFEST_NOT_FOUND'], text);
    assert.equal(resnet?.detail, `${file}:6: model.extra.resnet.manifest: model manifest not found: ${dir}/our-resnet50.manifest.json`);
    assert.match(resnet?.fix ?? '', /^set model\.extra\.resnet\.manifest in the config/);
    assert.equal(report.problems, 1, text);

    // serve stops on the same, with the same code and key, and a hint that names that key, not the default's.
    const serve = await runCli(['serve', '--config', file]);
    assert.equal(serve.code, 1, serve.stderr);
    assert.match(serve.stderr, /MODEL_MANIFEST_NOT_FOUND: .*config\.yaml:6: model\.extra\.resnet\.manifest: model manifest not found: .*our-resnet50\.manifest\.json/);
    assert.match(serve.stderr, /hint: set model\.extra\.resnet\.manifest in the config/);
    assert.doesNotMatch(serve.stderr, /set model\.manifest/);
  });

  test('ffmpeg.path is relative to the config file, as serve reads it', async () => {
    const dir = tempDir();
    symlinkSync('/usr/bin/ffmpeg', path.join(dir, 'ff'));
    const file = path.join(dir, 'config.yaml');
    writeFileSync(file, `server: { port: 0 }\nffmpeg: { path: ./ff }\nmodel: { manifest: ${MODELS}/framing-default.manifest.json }\nshots: { dataDir: ${tempDir()} }\n`);
    // Run from the repository, not from the config's folder.
    const { report, text } = await doctor(file);
    const ffmpeg = report.findings.find((f) => f.check === 'ffmpeg');
    assert.equal(ffmpeg?.status, 'ok', text);
    assert.match(ffmpeg?.detail ?? '', new RegExp(`^${path.join(dir, 'ff')} `), text);
  });

  test('an invalid config is a problem with where it is; the machine is still checked', async () => {
    const file = config('server:\n  port: lots\n');
    const { code, report, text } = await doctor(file);
    assert.equal(code, 1);
    const bad = report.findings.find((f) => f.check === 'config')!;
    assert.equal(bad.status, 'problem');
    assert.match(bad.detail, /server\.port/);
    assert.match(bad.detail, /config\.yaml:2: /);
    assert.ok(report.findings.some((f) => f.check === 'ffmpeg' && f.status === 'ok'), text);
  });
});
