/**
 * What the Cameras view says, in Chromium, against a real server, where a
 * floor review found it saying something else or nothing:
 * - Edit on a camera far down a long list, on a 1024 px laptop, scrolled the
 *   form up under the sticky status header: its title ("Edit camera ...")
 *   and the Name field just focused were hidden there;
 * - a camera removed elsewhere (another dashboard, the API) while its edit
 *   form was open here: the form turned into an empty Add form without a
 *   word, the changes typed into it gone with no sign they were not saved;
 * - a camera half typed into the Add form was wiped by Edit on another
 *   camera (then Cancel) or by a look at the wall; Edit on another camera
 *   while an edit held changes not saved dropped them without asking;
 * - the read-only note said "this page has a operator token", away from the
 *   disabled buttons it explains;
 * - `rtsp://` with no host, and a test pattern at 1000 fps, were taken and
 *   then restarted for ever on the wall ("connection refused", "no frame"):
 *   now the form says what is wrong at the field, and so does the server.
 * The cameras are WebRTC (WHIP) ones waiting for a publisher: a long list
 * that costs no ffmpeg.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Browser, type Page } from 'playwright-core';
import { launchChromium } from '../support/browser.js';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import { httpJson, startTestServer } from '../support/server-harness.js';
import { ensureWebBuild } from '../support/web-build.js';

const ADMIN = 'admin-token-cameras-view-states-0123456789';
const OPERATOR = 'operator-token-cameras-view-states-0123456789';
const VIEWER = 'viewer-token-cameras-view-states-0123456789';
const IDS = Array.from({ length: 12 }, (_, i) => `cam-${String(i + 1).padStart(2, '0')}`);

describe('the cameras view says what is true', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;

  before(async () => {
    ensureWebBuild();
    server = await startTestServer({
      server: { accessToken: ADMIN, tokens: [{ role: 'operator', token: OPERATOR }, { role: 'viewer', token: VIEWER }] },
      cameras: IDS.map((id) => ({ id, name: `Camera ${id.slice(4)}`, source: { kind: 'webrtc' } })),
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1024, height: 700 } });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  const row = (id: string) => page.locator(`[data-testid="camera-row"][data-camera-id="${id}"]`);

  async function openCameras(token = ADMIN): Promise<void> {
    await page.goto(`${server.url}/?token=${token}`);
    await page.keyboard.press('m');
    await page.locator('[data-testid="camera-list"]').waitFor({ timeout: 10_000 });
    await row(IDS.at(-1)!).waitFor({ timeout: 10_000 });
  }

  async function editCamera(id: string): Promise<void> {
    await row(id).locator('[data-testid="camera-edit"]').click();
    await page.waitForFunction((cameraId) => (document.querySelector('[data-testid="camera-id"]') as HTMLInputElement | null)?.value === cameraId, id, { timeout: 10_000 });
    await page.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'camera-name', null, { timeout: 5000 });
  }

  test('Edit on the last camera of a long list, on a 1024 px laptop: the form is in sight under the status header', async () => {
    await openCameras();
    const last = IDS.at(-1)!;
    await row(last).scrollIntoViewIfNeeded();
    await editCamera(last);
    await page.waitForTimeout(300);
    const where = await page.evaluate(() => {
      const header = document.querySelector('header')!.getBoundingClientRect();
      const title = document.querySelector('form.camera-form h2')!.getBoundingClientRect();
      const name = document.querySelector('[data-testid="camera-name"]')!.getBoundingClientRect();
      const saveButton = document.querySelector('[data-testid="camera-save"]')!.getBoundingClientRect();
      return { headerBottom: header.bottom, titleTop: title.top, nameTop: name.top, saveBottom: saveButton.bottom, height: window.innerHeight };
    });
    assert.ok(where.titleTop >= where.headerBottom, `the form's title under the header, not behind it: ${JSON.stringify(where)}`);
    assert.ok(where.nameTop >= where.headerBottom, `the focused Name field in sight: ${JSON.stringify(where)}`);
    assert.ok(where.saveBottom <= where.height, `Save in the window: ${JSON.stringify(where)}`);
    assert.equal((await page.locator('form.camera-form h2').innerText()).trim(), `Edit camera ${last}`);
    await page.keyboard.press('Escape');
  });

  test('a camera removed elsewhere while its form is open: the page says the changes were not saved; one removed here says nothing of the kind', async () => {
    await openCameras();
    await editCamera('cam-02');
    await page.locator('[data-testid="camera-name"]').fill('Jib left');
    const removed = await httpJson(`${server.url}/api/cameras/cam-02`, { method: 'DELETE', token: ADMIN });
    assert.equal(removed.status, 204);
    await page.locator('[data-testid="camera-edit-gone"]').waitFor({ timeout: 10_000 });
    assert.equal(
      await page.locator('[data-testid="camera-edit-gone"]').innerText(),
      'Camera "cam-02" was removed elsewhere while you were editing it: your changes to it were not saved.',
    );
    assert.equal(await page.locator('[data-testid="camera-edit-gone"]').getAttribute('role'), 'alert');
    assert.equal((await page.locator('form.camera-form h2').innerText()).trim(), 'Add camera');
    // It stays until the next edit, which clears it.
    await page.waitForTimeout(1000);
    assert.equal(await page.locator('[data-testid="camera-edit-gone"]').count(), 1);
    await editCamera('cam-03');
    assert.equal(await page.locator('[data-testid="camera-edit-gone"]').count(), 0);

    // Removed from this page while its form is open: no "elsewhere".
    await row('cam-03').locator('[data-testid="camera-remove"]').click();
    await row('cam-03').locator('[data-testid="camera-remove-confirm"]').click();
    await row('cam-03').waitFor({ state: 'detached', timeout: 10_000 });
    await page.waitForTimeout(500);
    assert.equal(await page.locator('[data-testid="camera-edit-gone"]').count(), 0);
    assert.equal((await page.locator('form.camera-form h2').innerText()).trim(), 'Add camera');
  });

  test('a half-typed camera in the Add form outlives a look at another camera and at the wall; Clear empties it', async () => {
    await openCameras();
    const url = 'rtsp://operator:secret@10.0.0.21:554/Streaming/Channels/101';
    await page.locator('[data-testid="camera-kind"]').selectOption('rtsp');
    await page.locator('[data-testid="camera-id"]').fill('stage-right');
    await page.locator('[data-testid="camera-name"]').fill('Stage right');
    await page.locator('[data-testid="source-url"]').fill(url);
    const typed = async () => ({
      id: await page.locator('[data-testid="camera-id"]').inputValue(),
      name: await page.locator('[data-testid="camera-name"]').inputValue(),
      kind: await page.locator('[data-testid="camera-kind"]').inputValue(),
      url: await page.locator('[data-testid="source-url"]').inputValue(),
    });
    const draft = { id: 'stage-right', name: 'Stage right', kind: 'rtsp', url };

    await editCamera('cam-04');
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => document.querySelector('form.camera-form h2')?.textContent?.trim() === 'Add camera', null, { timeout: 5000 });
    assert.deepEqual(await typed(), draft, 'back from an edit, the Add form is as it was left');

    await editCamera('cam-04');
    await page.locator('[data-testid="camera-cancel"]').click();
    await page.keyboard.press('w');
    await page.locator('[data-testid="camera-list"]').waitFor({ state: 'detached', timeout: 5000 });
    await page.keyboard.press('m');
    await page.locator('[data-testid="camera-list"]').waitFor({ timeout: 5000 });
    assert.deepEqual(await typed(), draft, 'back from the wall, too');

    await page.locator('[data-testid="camera-clear"]').click();
    assert.deepEqual(await typed(), { id: '', name: '', kind: 'rtsp', url: '' });
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'camera-id');
    assert.equal(await page.locator('[data-testid="camera-clear"]').count(), 0, 'nothing to clear');
    await page.locator('[data-testid="camera-kind"]').selectOption('testsrc');
  });

  test('Edit on another camera while this one has changes not saved: the form asks first, and Keep keeps them', async () => {
    await openCameras();
    await editCamera('cam-05');
    await page.locator('[data-testid="camera-name"]').fill('Jib right');
    await row('cam-06').locator('[data-testid="camera-edit"]').click();
    const question = page.locator('[data-testid="camera-switch-question"]');
    await question.waitFor({ timeout: 5000 });
    assert.equal((await question.locator('p').innerText()).trim(), 'Camera “cam-05” has changes that are not saved.');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'camera-switch-keep', 'the harmless answer has the focus');
    assert.equal(await page.locator('[data-testid="camera-id"]').inputValue(), 'cam-05');
    assert.equal(await page.locator('[data-testid="camera-name"]').inputValue(), 'Jib right');

    await page.keyboard.press('Enter');
    await question.waitFor({ state: 'detached', timeout: 5000 });
    assert.equal(await page.locator('[data-testid="camera-name"]').inputValue(), 'Jib right', 'Keep: what was typed is still there');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'camera-name');

    await row('cam-06').locator('[data-testid="camera-edit"]').click();
    await question.waitFor({ timeout: 5000 });
    await page.locator('[data-testid="camera-switch-discard"]').click();
    await page.waitForFunction(() => (document.querySelector('[data-testid="camera-id"]') as HTMLInputElement | null)?.value === 'cam-06', null, { timeout: 5000 });
    assert.equal(await question.count(), 0);
    const config = (await httpJson(`${server.url}/api/cameras/cam-05`, { token: ADMIN })).body as { config: { name: string } };
    assert.equal(config.config.name, 'Camera 05', 'discarded, not saved');

    // Nothing changed in cam-06's form: Edit on another camera goes straight there.
    await editCamera('cam-07');
    assert.equal(await question.count(), 0);
    await page.keyboard.press('Escape');
  });

  test('an operator or a viewer is told in plain words why nothing here can be changed, beside the buttons it cannot press', async () => {
    for (const [token, words] of [
      [OPERATOR, 'this page has an operator token'],
      [VIEWER, 'this page has a viewer token'],
    ] as const) {
      await openCameras(token);
      const note = page.locator('[data-testid="cameras-read-only"]');
      assert.equal(await note.innerText(), `Adding and changing cameras needs an admin token; ${words}.`);
      assert.equal(await page.locator('form.camera-form').count(), 0);
      for (const button of ['camera-edit', 'camera-remove']) {
        const first = row(IDS[0]!).locator(`[data-testid="${button}"]`);
        assert.equal(await first.isDisabled(), true, button);
        assert.equal(await first.getAttribute('aria-describedby'), await note.getAttribute('id'), `${button} is described by the note`);
      }
    }
  });

  test('an RTSP URL with no host and a test pattern at 1000 fps are refused at the field, before and by the server', async () => {
    await openCameras();
    let posted = 0;
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url().endsWith('/api/cameras')) posted++;
    });
    await page.locator('[data-testid="camera-kind"]').selectOption('rtsp');
    await page.locator('[data-testid="camera-id"]').fill('stage-left');
    await page.locator('[data-testid="source-url"]').fill('rtsp://');
    await page.locator('[data-testid="camera-save"]').click();
    await page.locator('[data-testid="error-source.url"]').waitFor({ timeout: 5000 });
    assert.match(await page.locator('[data-testid="error-source.url"]').innerText(), /a host after rtsp:\/\//);
    assert.equal(await page.locator('[data-testid="source-url"]').inputValue(), 'rtsp://', 'what was typed stays');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'source-url');

    await page.locator('[data-testid="camera-kind"]').selectOption('testsrc');
    await page.locator('[data-testid="source-fps"]').fill('1000');
    await page.locator('[data-testid="camera-save"]').click();
    await page.locator('[data-testid="error-source.fps"]').waitFor({ timeout: 5000 });
    assert.equal(await page.locator('[data-testid="error-source.fps"]').innerText(), 'at most 120');
    assert.equal(posted, 0, 'nothing sent that the server would refuse');
    assert.equal(await row('stage-left').count(), 0);

    // The server, asked directly, refuses both at the field with a code.
    for (const [source, field] of [
      [{ kind: 'rtsp', url: 'rtsp://' }, 'source.url'],
      [{ kind: 'rtsp', url: 'rtsp://user:pw@/stream1' }, 'source.url'],
      [{ kind: 'testsrc', fps: 1000 }, 'source.fps'],
    ] as const) {
      const answer = await httpJson(`${server.url}/api/cameras`, { method: 'POST', body: { id: 'stage-left', source }, token: ADMIN });
      const error = (answer.body as { error: { code: string; message: string } }).error;
      assert.equal(answer.status, 400, JSON.stringify(answer.body));
      assert.equal(error.code, 'CAMERA_INVALID');
      assert.ok(error.message.includes(`${field}: `), error.message);
    }
    const list = (await httpJson(`${server.url}/api/cameras`, { token: ADMIN })).body as Array<{ cameraId: string }>;
    assert.ok(!list.some((camera) => camera.cameraId === 'stage-left'), 'nothing of it left behind');
  });
});
