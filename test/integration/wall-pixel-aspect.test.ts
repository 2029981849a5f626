/**
 * A live camera whose pixels are not square, on the wall in Chromium: a file
 * camera playing anamorphic PAL (720x576 stored, pixels 64:45 wide, a 16:9
 * picture, as broadcast SD widescreen is) beside a square-pixel 4:3 one. The
 * tile's preview (the analysed frame) shows the 16:9 picture edge to edge
 * with bars above and below, as a player shows it; squeezed, it was a 4:3
 * picture with bars at the sides. The square-pixel camera keeps its 4:3
 * picture between side bars.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Browser, type Page } from 'playwright-core';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import { launchChromium } from '../support/browser.js';
import { tempDir } from '../support/media.js';
import { fileCamera, REPO_DIR, startTestServer } from '../support/server-harness.js';
import { ensureWebBuild } from '../support/web-build.js';

/** The mean level (0-255) of bands of a tile's preview, read from its pixels in the page: where the picture is and where the bars are. */
interface Bands {
  width: number;
  height: number;
  top: number;
  bottom: number;
  left: number;
  right: number;
  middle: number;
}

function clip(dir: string, name: string, size: string, sar: string): string {
  const out = path.join(dir, name);
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=25`, '-t', '4', '-vf', `setsar=${sar}`, '-c:v', 'libx264', '-pix_fmt', 'yuv420p', out]);
  return out;
}

/** Levels of the tile's preview image: rows 0-3 and the last 4, columns 0-7 and the last 8, and the centre. */
async function previewBands(page: Page, cameraId: string): Promise<Bands> {
  // The pixels as the page has them (the preview is a same-origin blob: URL); measured here.
  const { width, height, rgba } = await page.evaluate((id) => {
    const img = document.querySelector(`[data-camera-id="${id}"] .picture img`) as HTMLImageElement;
    const canvas = document.createElement('canvas');
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    const context = canvas.getContext('2d')!;
    context.drawImage(img, 0, 0);
    return { width: canvas.width, height: canvas.height, rgba: Array.from(context.getImageData(0, 0, canvas.width, canvas.height).data) };
  }, cameraId);
  const mean = (x0: number, y0: number, w: number, h: number) => {
    let sum = 0;
    for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) for (let c = 0; c < 3; c++) sum += rgba[(y * width + x) * 4 + c]!;
    return sum / (w * h * 3);
  };
  return {
    width,
    height,
    top: mean(0, 0, width, 4),
    bottom: mean(0, height - 4, width, 4),
    left: mean(0, 12, 8, height - 24),
    right: mean(width - 8, 12, 8, height - 24),
    middle: mean(Math.round(width / 4), Math.round(height / 4), Math.round(width / 2), Math.round(height / 2)),
  };
}

describe('the wall: a source with non-square pixels', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;

  before(async () => {
    ensureWebBuild();
    const dir = tempDir();
    server = await startTestServer({
      // The default classifier: a letterbox model (320x192), whose frame keeps the picture's shape.
      model: { manifest: path.join(REPO_DIR, 'models', 'framing-default.manifest.json'), calibration: path.join(REPO_DIR, 'models', 'framing-default.head.json') },
      cameras: [
        { ...fileCamera('pal-wide', clip(dir, 'pal-wide.mp4', '720x576', '64/45')), name: 'PAL 16:9' },
        { ...fileCamera('square', clip(dir, 'square.mp4', '640x480', '1')), name: 'Square 4:3' },
      ],
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('the preview shows the picture as displayed: anamorphic 16:9 edge to edge, square 4:3 between side bars', async () => {
    await page.goto(server.url);
    for (const id of ['pal-wide', 'square']) {
      await page.locator(`[data-camera-id="${id}"][data-state="live"]`).waitFor({ timeout: 30_000 });
      await page.waitForFunction((c) => ((document.querySelector(`[data-camera-id="${c}"] .picture img`) as HTMLImageElement | null)?.naturalWidth ?? 0) > 0, id, { timeout: 20_000 });
    }
    const wide = await previewBands(page, 'pal-wide');
    assert.ok(wide.width > wide.height, `a landscape frame: ${wide.width}x${wide.height}`);
    const text = (b: Bands) => JSON.stringify(Object.fromEntries(Object.entries(b).map(([k, v]) => [k, Math.round(v)])));
    assert.ok(wide.middle > 40, `there is a picture: ${text(wide)}`);
    assert.ok(wide.top < 12 && wide.bottom < 12, `16:9 in the frame: black above and below, ${text(wide)}`);
    assert.ok(wide.left > 40 && wide.right > 40, `and the picture reaches both sides (squeezed to 4:3 it had bars there), ${text(wide)}`);

    const square = await previewBands(page, 'square');
    assert.ok(square.middle > 40, `there is a picture: ${text(square)}`);
    assert.ok(square.left < 12 && square.right < 12, `4:3 in the frame: black at the sides, ${text(square)}`);
    assert.ok(square.top > 40 && square.bottom > 40, `and the picture reaches top and bottom, ${text(square)}`);
  });
});
