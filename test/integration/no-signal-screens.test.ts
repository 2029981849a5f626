/**
 * A converter with no signal shows one flat colour, and not only black:
 * blue or grey, at the feed's own size. Through the pipeline's letterbox a
 * 16:9 or 4:3 feed comes with black bars, and a flat grey between black bars
 * once read as a picture (ECU). Real ffmpeg plays flat blue 1280x720 and
 * flat grey 640x360 through the real model, smoother and alerts, into a
 * Socket.IO client, the alert list and the wall in Chromium: both say "no
 * picture", raise their alert, and double up with nobody.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import type { Alert } from '../../server/shared/shots.js';
import type { Readout } from '../../server/shared/socket-events.js';
import { launchChromium } from '../support/browser.js';
import { tempDir } from '../support/media.js';
import { connectClient, httpJson, REPO_DIR, startTestServer, type TestClient } from '../support/server-harness.js';
import { waitFor } from '../support/wait-for.js';
import { ensureWebBuild } from '../support/web-build.js';

/** 10 s of one colour at the given size, as a converter with no input sends it. */
function flatClip(dir: string, colour: string, size: string): string {
  const out = path.join(dir, `${colour}-${size}.mp4`);
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `color=${colour}:s=${size}:r=25`, '-t', '10', '-pix_fmt', 'yuv420p', out]);
  return out;
}

describe('a no-signal screen of one colour that is not black, in a feed that is not the model frame shape', () => {
  let server: RunningServer;
  let client: TestClient;
  const readouts: Readout[] = [];

  before(async () => {
    ensureWebBuild();
    const dir = tempDir();
    const camera = (id: string, name: string, clip: string) => ({ id, name, analysisFps: 3, source: { kind: 'file', path: clip, loop: true, realtime: true } });
    server = await startTestServer({
      // The default classifier: a letterbox model (320x192), whose frame has black bars above and below a 16:9
      // picture and beside a 4:3 one; a stretch model's frame is all picture whatever the feed's shape.
      model: { manifest: path.join(REPO_DIR, 'models', 'framing-default.manifest.json'), calibration: path.join(REPO_DIR, 'models', 'framing-default.head.json') },
      cameras: [camera('blue', 'Blue', flatClip(dir, 'blue', '1280x720')), camera('grey', 'Grey', flatClip(dir, 'gray', '640x360'))],
      coverage: { alerts: { noPictureS: 2 } },
    });
    ({ client } = await connectClient(server.url));
    client.on('readout', (r) => readouts.push(r));
  });

  after(async () => {
    client?.close();
    await server?.close();
  });

  test('every frame reads "no picture (one plain colour)", never a scale, and each camera raises its no-picture alert', async () => {
    const alerts = await waitFor(
      'a no-picture alert and 6 readouts for both cameras',
      async () => {
        const { body } = await httpJson(`${server.url}/api/alerts`);
        const list = (body as { active: Alert[] }).active;
        const open = (id: string) => list.some((a) => a.kind === 'no-picture' && a.resolvedAt === null && a.cameraIds.includes(id));
        const read = (id: string) => readouts.filter((r) => r.cameraId === id).length >= 6;
        return open('blue') && open('grey') && read('blue') && read('grey') ? list : undefined;
      },
      40_000,
    );
    for (const id of ['blue', 'grey']) {
      const own = readouts.filter((r) => r.cameraId === id);
      for (const r of own) {
        assert.equal(r.noPicture, 'plain', `${id}: ${r.label} ${r.reason ?? ''}`);
        assert.equal(r.reason, 'no picture (one plain colour)');
      }
    }
    assert.deepEqual(
      alerts.filter((a) => a.kind === 'doubling').map((a) => a.key),
      [],
      'two screens with no picture double up on no framing',
    );
    const blue = alerts.find((a) => a.kind === 'no-picture' && a.cameraIds.includes('blue'))!;
    assert.match(blue.message, /^Blue has sent one plain colour for \d+ s: no signal, or a capped lens\?$/);
  });

  test('the wall shows "no picture" on both tiles', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
      await page.goto(server.url);
      for (const id of ['blue', 'grey']) {
        const scale = page.locator(`[data-camera-id="${id}"] .scale[data-no-picture="plain"]`);
        await scale.waitFor({ timeout: 20_000 });
        assert.equal((await scale.locator('.label').textContent())?.trim(), 'no picture');
      }
    } finally {
      await browser.close();
    }
  });
});
