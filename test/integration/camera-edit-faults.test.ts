/**
 * Camera edits and additions that must be refused, against a real server
 * (real ffmpeg test patterns, the default classifier, its head): a refused
 * edit answers 400 CAMERA_INVALID naming the field and leaves the camera
 * running (same ffmpeg, no camera:removed), a refused camera is not
 * half-made, and a calibration path is read only when it is a regular file
 * of a head's size: a FIFO does not hang the server, /dev/zero does not
 * fill its memory, and no line of a file that is not a head reaches the
 * answer or the log.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { deepFreeze } from '../../server/config/load-config.js';
import { startServer, type RunningServer } from '../../server/app/shotscale-server.js';
import { createLogger } from '../../server/shared/logger.js';
import type { CameraStatus } from '../../server/shared/socket-events.js';
import { tempDir } from '../support/media.js';
import { connectClient, httpJson, REPO_DIR, TEST_DIR, testConfig, waitForStatus, type TestClient } from '../support/server-harness.js';

const SECRET = 'root:x-secret-7f3a:0:0:root:/root:/bin/bash';
const small = (id: string) => ({ id, analysisFps: 2, source: { kind: 'testsrc', pattern: 'testsrc2', width: 64, height: 64, fps: 5 } });
type ErrorBody = { error: { code: string; message: string } };

describe('refused camera edits and additions', () => {
  let server: RunningServer;
  let client: TestClient;
  const logLines: string[] = [];
  const removedEvents: string[] = [];
  const files = tempDir('shotscale-camera-faults-');
  const fifo = path.join(files, 'head.fifo');
  const passwd = path.join(files, 'passwd');
  const otherJson = path.join(files, 'settings.json');
  const huge = path.join(files, 'huge.head.json');

  before(async () => {
    execFileSync('mkfifo', [fifo]);
    writeFileSync(passwd, `${SECRET}\n`);
    writeFileSync(otherJson, JSON.stringify({ apiPassword: 'hunter2-secret-7f3a' }));
    writeFileSync(huge, '');
    truncateSync(huge, 17 * 1024 * 1024); // sparse: no disk is written
    const config = testConfig({
      model: { manifest: path.join(REPO_DIR, 'models', 'framing-default.manifest.json'), calibration: path.join(REPO_DIR, 'models', 'framing-default.head.json') },
      cameras: [small('from-config')],
    });
    // Every log line is kept: what a refused head file holds must not be among them.
    server = await startServer({ config: deepFreeze(config), file: null, baseDir: TEST_DIR }, { log: createLogger('test', 'debug', (line) => logLines.push(line)) });
    client = (await connectClient(server.url)).client;
    client.on('camera:removed', (payload) => removedEvents.push(payload.cameraId));
    const added = waitForStatus(client, (s) => s.cameraId === 'q1' && s.state === 'live');
    const res = await api('/api/cameras', { method: 'POST', body: small('q1') });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    await added;
    if (server.cameras.get('from-config').status().state !== 'live') await waitForStatus(client, (s) => s.cameraId === 'from-config' && s.state === 'live');
  });

  after(async () => {
    client?.close();
    await server?.close();
  });

  const api = (p: string, init?: Parameters<typeof httpJson>[1]) => httpJson(`${server.url}${p}`, init);

  /** PATCH `cameraId` with `patch`: 400 CAMERA_INVALID matching `message`; the camera is the same running ffmpeg, its config unchanged. */
  async function refusedEdit(cameraId: string, patch: Record<string, unknown>, message: RegExp): Promise<string> {
    const pid = server.cameras.get(cameraId).pid;
    assert.ok(pid, `${cameraId} runs an ffmpeg`);
    const before = (await api(`/api/cameras/${cameraId}`)).body as { config: unknown };
    const res = await api(`/api/cameras/${cameraId}`, { method: 'PATCH', body: patch });
    assert.equal(res.status, 400, JSON.stringify(res.body));
    const { error } = res.body as ErrorBody;
    assert.equal(error.code, 'CAMERA_INVALID');
    assert.match(error.message, message);
    const after = await api(`/api/cameras/${cameraId}`);
    assert.equal(after.status, 200, `${cameraId} is gone after a refused edit`);
    const detail = after.body as { status: CameraStatus; config: unknown };
    assert.deepEqual(detail.config, before.config);
    assert.equal(server.cameras.get(cameraId).pid, pid, `${cameraId} was restarted`);
    assert.equal(detail.status.state, 'live');
    return error.message;
  }

  test('an unknown model: 400, the camera runs on', async () => {
    await refusedEdit('q1', { models: [{ name: 'nope' }] }, /^camera "q1": models: unknown model "nope"/);
    await refusedEdit('from-config', { models: [{ name: 'nope' }] }, /models: unknown model "nope"/);
  });

  test('a timecode no clock can count: 400 naming the timecode, the camera runs on', async () => {
    await refusedEdit('q1', { timecode: { rate: '25', start: '23:59:59:99' } }, /^camera "q1": timecode start: .*out of range at 25 fps/);
    await refusedEdit('from-config', { timecode: { rate: '29.97DF', start: '99:99:99;99' } }, /^camera "from-config": timecode start: /);
  });

  test('a calibration head that is missing, not a file, too large or not a head: 400 naming the field and the path', async () => {
    const cases: [string, RegExp][] = [
      ['missing.json', /not found/],
      [fifo, /is not a regular file/],
      ['/dev/zero', /is not a regular file/],
      [files, /is not a regular file/],
      [huge, /is larger than 16 MB/],
      [passwd, /is not JSON/],
      [otherJson, /is not a calibration head/],
    ];
    for (const [file, reason] of cases) {
      const started = Date.now();
      const message = await refusedEdit('q1', { calibration: file }, /^camera "q1": calibration: /);
      assert.match(message, reason);
      assert.ok(message.includes(path.basename(file)), `the path is named: ${message}`);
      assert.ok(Date.now() - started < 5000, `${file} took ${Date.now() - started} ms`);
    }
    await refusedEdit('from-config', { calibration: passwd }, /^camera "from-config": calibration: .*is not JSON/);
    // Nothing of a refused head file is in the log (the answers were checked above, by their whole message).
    for (const line of logLines) {
      assert.ok(!line.includes('secret-7f3a'), `the log quotes a head file: ${line}`);
      assert.ok(!line.includes('apiPassword'), `the log quotes a head file: ${line}`);
    }
  });

  test('the server still answers, and a good head is taken', async () => {
    assert.equal((await api('/api/health')).status, 200);
    const res = await api('/api/cameras/q1', { method: 'PATCH', body: { calibration: path.join(REPO_DIR, 'models', 'framing-default.head.json') } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    await waitForStatus(client, (s) => s.cameraId === 'q1' && s.state === 'live');
  });

  test('a refused new camera is not half-made', async () => {
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ timecode: { rate: '29.97DF', start: '99:99:99;99' } }, /^camera "q2": timecode start: /],
      [{ calibration: '/dev/zero' }, /^camera "q2": calibration: .*is not a regular file/],
      [{ calibration: passwd }, /^camera "q2": calibration: .*is not JSON/],
      [{ models: [{ name: 'nope' }] }, /^camera "q2": models: unknown model/],
    ];
    for (const [fields, message] of bad) {
      const res = await api('/api/cameras', { method: 'POST', body: { ...small('q2'), ...fields } });
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.equal((res.body as ErrorBody).error.code, 'CAMERA_INVALID');
      assert.match((res.body as ErrorBody).error.message, message);
      assert.equal((await api('/api/cameras/q2')).status, 404);
    }
    assert.deepEqual(((await api('/api/cameras')).body as CameraStatus[]).map((c) => c.cameraId).sort(), ['from-config', 'q1']);
    const metrics = (await api('/metrics')).body as string;
    assert.ok(!metrics.includes('camera="q2"'), 'a refused camera left metric series');
  });

  test('no camera:removed was sent for any refused edit', () => {
    assert.deepEqual(removedEvents, []);
  });
});
