/**
 * A camera read from a real RTSP server (GStreamer's, started by the test),
 * with credentials from the environment: readouts arrive, and the password
 * appears nowhere a user or a log can see it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import type { CameraStatus } from '../../server/shared/socket-events.js';
import { rtspSkipReason, startRtspServer, type RtspServer } from '../support/rtsp-server.js';
import { writeFileSync } from 'node:fs';
import { startServer } from '../../server/app/shotscale-server.js';
import { loadConfig } from '../../server/config/load-config.js';
import { tempDir } from '../support/media.js';
import { createLogger } from '../../server/shared/logger.js';
import { collectReadouts, connectClient, FIXTURE_MANIFEST, httpJson, waitForStatus, type TestClient } from '../support/server-harness.js';

const PASSWORD = 's3cret-pa55';

describe('RTSP camera', { skip: rtspSkipReason() }, () => {
  let rtsp: RtspServer;
  let server: RunningServer;
  let client: TestClient;
  // Every log line is kept: no password may be among them.
  const logLines: string[] = [];

  before(async () => {
    rtsp = await startRtspServer({ path: '/cam', width: 640, height: 360, fps: 15, user: 'operator', password: PASSWORD });
    const withCredentials = rtsp.url.replace('rtsp://', 'rtsp://operator:${RTSP_TEST_PASSWORD}@');
    process.env.RTSP_TEST_PASSWORD = PASSWORD;
    // The ${...} is interpolated by the config loader, as a user's config would be.
    const file = `${tempDir()}/rtsp.yaml`;
    writeFileSync(
      file,
      [
        'server: { port: 0 }',
        `model: { manifest: ${JSON.stringify(FIXTURE_MANIFEST)}, executionProviders: [cpu] }`,
        'supervisor: { backoffInitialS: 0.2, backoffMaxS: 1 }',
        // A shot log of its own: camera edits are kept in the data directory, and the default one (beside the config) is shared.
        `shots: { dataDir: ${JSON.stringify(tempDir())} }`,
        'cameras:',
        `  - { id: studio, analysisFps: 5, source: { kind: rtsp, url: "${withCredentials}", transport: tcp } }`,
        `  - { id: wrong-password, analysisFps: 5, source: { kind: rtsp, url: "${rtsp.url.replace('rtsp://', 'rtsp://operator:not-the-password@')}" } }`,
      ].join('\n'),
    );
    server = await startServer(loadConfig(file), { log: createLogger('test', 'debug', (line) => logLines.push(line)) });
    client = (await connectClient(server.url)).client;
  });

  after(async () => {
    client?.close();
    await server?.close();
    await rtsp?.stop();
  });

  test('readouts arrive from the RTSP camera', async () => {
    const readouts = await collectReadouts(client, 10, (r) => r.cameraId === 'studio', 30_000);
    assert.equal(readouts.length, 10);
    const status = ((await httpJson(`${server.url}/api/cameras`)).body as CameraStatus[]).find((c) => c.cameraId === 'studio')!;
    assert.equal(status.state, 'live');
    assert.equal(status.sourceKind, 'rtsp');
  });

  test('a camera with the wrong password retries with a scrubbed reason', async () => {
    const status = await waitForStatus(client, (s) => s.cameraId === 'wrong-password' && s.reconnects >= 1 && s.lastStderr.length > 0, 20_000);
    assert.match(status.lastStderr.join('\n') + (status.lastError ?? ''), /401|Unauthorized|auth/i);
    // The reason in words, naming the camera without its credentials.
    assert.match(status.lastError ?? '', /rtsp:\/\/\*\*\*:\*\*\*@127\.0\.0\.1:\d+\/cam refused the credentials \(401 Unauthorized\): check the user name and password/);
    assert.equal(status.errorCode, 'SOURCE_AUTH');
    await collectReadouts(client, 3, (r) => r.cameraId === 'studio');
  });

  test('no password in status, the API or the metrics', async () => {
    const everything = JSON.stringify((await httpJson(`${server.url}/api/cameras`)).body) + JSON.stringify((await httpJson(`${server.url}/api/cameras/wrong-password`)).body) + String((await httpJson(`${server.url}/metrics`)).body);
    assert.ok(!everything.includes(PASSWORD));
    assert.ok(!everything.includes('not-the-password'), 'the detail view hides the configured password too');
    assert.match(everything, /rtsp:\/\/\*\*\*:\*\*\*@127\.0\.0\.1/);
    const log = logLines.join('\n');
    assert.match(log, /refused the credentials/);
    assert.ok(!log.includes(PASSWORD) && !log.includes('not-the-password'), 'no password in the log');
  });

  test('sending back the scrubbed source keeps the real credentials', async () => {
    const detail = (await httpJson(`${server.url}/api/cameras/studio`)).body as { config: { source: { url: string } } };
    assert.match(detail.config.source.url, /\*\*\*:\*\*\*@/);
    const res = await httpJson(`${server.url}/api/cameras/studio`, { method: 'PATCH', body: { name: 'Studio', source: detail.config.source } });
    assert.equal(res.status, 200);
    await waitForStatus(client, (s) => s.cameraId === 'studio' && s.state === 'live', 20_000);
    await collectReadouts(client, 3, (r) => r.cameraId === 'studio', 20_000);
  });
});
