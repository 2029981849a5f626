/**
 * Camera changes over the API outlive a crash: a real `shotscale serve` has
 * a camera of its config file edited, one removed and cameras added (one
 * with RTSP credentials, one with its own calibration head), and is killed
 * with SIGKILL. Started again, on a config file that has gained a camera
 * meanwhile, it runs the edited camera with its edits, keeps the removed one
 * removed, brings the added ones back (credentials as given, never logged),
 * shows the new config file camera, and leaves out the camera whose
 * calibration file is gone with a coded warning naming it and the field.
 * `shotscale cameras reset` then returns to the config file's cameras.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { copyFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { killServeProcess, runCli, startServeProcess } from '../support/cli.js';
import { tempDir } from '../support/media.js';
import { httpJson, REPO_DIR } from '../support/server-harness.js';
import type { CameraStatus } from '../../server/shared/socket-events.js';

// Disabled cameras are listed and kept like any other, without an ffmpeg each.
const CONFIG_CAMERAS = ['{ id: cam-a, enabled: false, source: { kind: testsrc } }', '{ id: cam-b, enabled: false, source: { kind: testsrc } }', '{ id: cam-c, enabled: false, source: { kind: testsrc } }'];
const RTSP_URL = 'rtsp://operator:door-s3cret@127.0.0.1:9/stream1';

function writeConfig(file: string, dataDir: string, cameras: string[]): string {
  writeFileSync(
    file,
    [
      'server: { port: 0 }',
      // The framing classifier: a camera's own calibration head calibrates its features.
      `model: { manifest: ${JSON.stringify(path.join(REPO_DIR, 'models', 'framing-default.manifest.json'))}, executionProviders: [cpu] }`,
      `shots: { dataDir: ${JSON.stringify(dataDir)} }`,
      'cameras:',
      ...cameras.map((c) => `  - ${c}`),
      '',
    ].join('\n'),
  );
  return file;
}

const cameraIds = async (url: string) => ((await httpJson(`${url}/api/cameras`)).body as CameraStatus[]).map((c) => c.cameraId);

async function expectStatus(request: Promise<{ status: number; body: unknown }>, status: number): Promise<unknown> {
  const res = await request;
  assert.equal(res.status, status, JSON.stringify(res.body));
  return res.body;
}

test('cameras added, edited and removed over the API come back after a SIGKILL; cameras reset returns to the config file', { timeout: 150_000 }, async () => {
  const dir = tempDir();
  const dataDir = path.join(dir, 'data');
  const config = writeConfig(path.join(dir, 'config.yaml'), dataDir, CONFIG_CAMERAS);
  const head = path.join(dir, 'own.head.json');
  copyFileSync(path.join(REPO_DIR, 'models', 'framing-default.head.json'), head);
  let child: ChildProcess | null = null;
  try {
    const first = await startServeProcess(config);
    child = first.child;
    const api = (p: string, init: { method?: string; body?: unknown } = {}) => httpJson(`${first.url}${p}`, init);
    await expectStatus(api('/api/cameras/cam-a', { method: 'PATCH', body: { name: 'Stage left', analysisFps: 2 } }), 200);
    await expectStatus(api('/api/cameras/cam-b', { method: 'DELETE' }), 204);
    await expectStatus(api('/api/cameras', { method: 'POST', body: { id: 'door', enabled: false, source: { kind: 'rtsp', url: RTSP_URL } } }), 201);
    await expectStatus(api('/api/cameras', { method: 'POST', body: { id: 'added', name: 'Added', enabled: false, source: { kind: 'testsrc', pattern: 'smptebars' } } }), 201);
    await expectStatus(api('/api/cameras', { method: 'POST', body: { id: 'own-head', enabled: false, calibration: head, source: { kind: 'testsrc' } } }), 201);
    // Added and removed again: nothing of it comes back.
    await expectStatus(api('/api/cameras', { method: 'POST', body: { id: 'brief', enabled: false, source: { kind: 'testsrc' } } }), 201);
    await expectStatus(api('/api/cameras/brief', { method: 'DELETE' }), 204);
    assert.deepEqual((await cameraIds(first.url)).sort(), ['added', 'cam-a', 'cam-c', 'door', 'own-head']);
    await killServeProcess(child);
    child = null;

    // The credentials are kept as the admin gave them (the config file would hold them too).
    const db = new Database(path.join(dataDir, 'shotscale.sqlite'), { readonly: true });
    try {
      const stored = db.prepare("SELECT config FROM camera_overrides WHERE camera_id = 'door'").pluck().get() as string;
      assert.equal((JSON.parse(stored) as { source: { url: string } }).source.url, RTSP_URL);
    } finally {
      db.close();
    }

    // Meanwhile the config file gains a camera, and the head file of own-head goes away.
    writeConfig(config, dataDir, [...CONFIG_CAMERAS, '{ id: cam-new, enabled: false, source: { kind: testsrc } }']);
    rmSync(head);
    const second = await startServeProcess(config);
    child = second.child;
    // The config file's order, then the added cameras in the order they were added.
    assert.deepEqual(await cameraIds(second.url), ['cam-a', 'cam-c', 'cam-new', 'door', 'added']);
    const described = (await httpJson(`${second.url}/api/cameras/cam-a`)).body as { config: { name: string; analysisFps: number } };
    assert.deepEqual([described.config.name, described.config.analysisFps], ['Stage left', 2]);
    const door = (await httpJson(`${second.url}/api/cameras/door`)).body as { config: { source: { url: string } } };
    assert.ok(!door.config.source.url.includes('door-s3cret'), door.config.source.url);
    assert.match(door.config.source.url, /@127\.0\.0\.1:9\/stream1$/);
    const added = (await httpJson(`${second.url}/api/cameras/added`)).body as { config: { name: string; source: { pattern: string } } };
    assert.deepEqual([added.config.name, added.config.source.pattern], ['Added', 'smptebars']);
    // The camera that no longer starts is left out, coded, naming it and the field; the others run.
    assert.match(second.stderr(), /WARN .*CAMERA_INVALID: camera "own-head" as added over the API is left out: camera "own-head": calibration: /);
    assert.match(second.stderr(), /cameras as changed over the API, over the config file: cam-a \(edited\), door \(added\), added \(added\), cam-b \(removed\)/);
    assert.ok(!second.stderr().includes('door-s3cret'), 'credentials never logged');

    // A running server holds its data directory: reset waits for it to stop.
    const refused = await runCli(['cameras', 'reset', '--config', config]);
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(refused.stderr, /DATABASE_LOCKED/);
    child.kill('SIGTERM');
    await new Promise((resolve) => child!.once('exit', resolve));
    child = null;

    // Back to the config file: for one camera, then for all.
    const one = await runCli(['cameras', 'reset', 'cam-a', '--config', config]);
    assert.equal(one.code, 0, one.stderr);
    assert.match(one.stderr, /forgot the changes of 1 camera \(cam-a\)/);
    const third = await startServeProcess(config);
    child = third.child;
    assert.deepEqual(await cameraIds(third.url), ['cam-a', 'cam-c', 'cam-new', 'door', 'added']);
    assert.equal(((await httpJson(`${third.url}/api/cameras/cam-a`)).body as { config: { name?: string } }).config.name, undefined);
    await killServeProcess(child);
    child = null;
    const all = await runCli(['cameras', 'reset', '--config', config]);
    assert.equal(all.code, 0, all.stderr);
    const fourth = await startServeProcess(config);
    child = fourth.child;
    assert.deepEqual(await cameraIds(fourth.url), ['cam-a', 'cam-b', 'cam-c', 'cam-new']);
  } finally {
    await killServeProcess(child);
  }
});
