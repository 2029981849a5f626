/**
 * Dashboard benchmark: a server with 16 test-pattern cameras at 5 readouts/s
 * each (the fixture classifier, so the server is not the bottleneck) and the
 * built dashboard in headless Chromium (Debian's, through playwright-core).
 * In the page: the frame rate (requestAnimationFrame) and long frames, and
 * for every readout the time from its arrival on the socket to the DOM
 * change of its camera's tile (MutationObserver) and to the next frame after
 * it (about when it is painted). Prints figures and writes JSON; asserts
 * nothing.
 *
 *   npm run bench:dashboard [-- --cameras 16 --fps 5 --duration 20 --preview-fps 2 --out bench-results/dashboard.json]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from '../server/app/shotscale-server.js';
import { deepFreeze } from '../server/config/load-config.js';
import { silentLogger } from '../server/shared/logger.js';
import { testConfig, TEST_DIR } from '../test/support/server-harness.js';
import { ensureWebBuild } from '../test/support/web-build.js';
import { MAX_ANALYSIS_FPS } from '../server/shared/input-limits.js';
import { benchArgs, numberFrom, positiveNumber, wholeNumber } from './bench-options.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const USAGE = `usage: npm run bench:dashboard [-- --cameras 16 --fps 5 --duration 20 --preview-fps 2 --out bench-results/dashboard.json]
  --cameras N       test-pattern cameras: a whole number, at least 1 (default 16)
  --fps N           readouts per second of each: more than 0 and at most ${MAX_ANALYSIS_FPS} (default 5)
  --duration S      seconds measured in the page: more than 0 (default 20)
  --preview-fps N   previews per second to the page: 0 (none) to 10 (default 2)
  --out FILE        where the JSON goes (default bench-results/dashboard.json)
  -h, --help        this text`;
const { cameras, fps, durationS, previewFps, values } = benchArgs(
  USAGE,
  process.argv.slice(2),
  {
    cameras: { type: 'string', default: '16' },
    fps: { type: 'string', default: '5' },
    duration: { type: 'string', default: '20' },
    'preview-fps': { type: 'string', default: '2' },
    out: { type: 'string', default: path.join(ROOT, 'bench-results', 'dashboard.json') },
  },
  (values) => ({
    cameras: wholeNumber('cameras', values.cameras, 1),
    fps: positiveNumber('fps', values.fps, MAX_ANALYSIS_FPS),
    durationS: positiveNumber('duration', values.duration),
    // The config's own range (dashboard.previewFps).
    previewFps: numberFrom('preview-fps', values['preview-fps'], 0, 10),
    values,
  }),
);

interface PageFigures {
  frames: number;
  longFrames: number;
  elapsedMs: number;
  toDom: number[];
  toFrame: number[];
  readouts: number;
}

const pct = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? Math.round(s[Math.min(s.length - 1, Math.floor(q * s.length))]! * 10) / 10 : 0;
};

ensureWebBuild();
const config = testConfig({
  dashboard: { previewFps },
  cameras: Array.from({ length: cameras }, (_, i) => ({ id: `cam-${i + 1}`, analysisFps: fps, source: { kind: 'testsrc', pattern: 'testsrc2', width: 320, height: 240, fps: 25 } })),
});
const server = await startServer({ config: deepFreeze(config), file: null, baseDir: TEST_DIR }, { log: silentLogger });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu-vsync', '--disable-background-timer-throttling'] });
try {
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  // tsx keeps function names with a __name helper that the page does not have.
  await page.addInitScript({ content: 'window.__name = (f) => f;' });
  await page.addInitScript(() => {
    const w = window as unknown as { __bench: { arrivals: Map<string, number[]>; toDom: number[]; toFrame: number[]; readouts: number; recording: boolean }; __shotscaleReadoutProbe: (id: string) => void };
    w.__bench = { arrivals: new Map(), toDom: [], toFrame: [], readouts: 0, recording: false };
    w.__shotscaleReadoutProbe = (id: string) => {
      if (!w.__bench.recording) return;
      w.__bench.readouts++;
      const list = w.__bench.arrivals.get(id) ?? [];
      list.push(performance.now());
      w.__bench.arrivals.set(id, list);
    };
  });
  await page.goto(server.url);
  await page.waitForFunction((n) => document.querySelectorAll('[data-camera-id][data-state="live"]').length >= n, cameras, { timeout: 60_000 });
  await page.waitForTimeout(3000);
  // The page's own main-thread time (script, style, layout) from Chrome's metrics: tells the page's cost from the machine's load.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const metric = async () => Object.fromEntries(((await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] }).metrics.map((m) => [m.name, m.value]));
  const metricsBefore = await metric();
  const figures = await page.evaluate(async (ms) => {
    const w = window as unknown as { __bench: { arrivals: Map<string, number[]>; toDom: number[]; toFrame: number[]; readouts: number; recording: boolean } };
    const bench = w.__bench;
    // A tile's DOM changes after its readout: every readout that arrived before the change is now shown.
    const observer = new MutationObserver((records) => {
      const now = performance.now();
      const touched = new Set<string>();
      for (const r of records) {
        const tile = (r.target instanceof Element ? r.target : r.target.parentElement)?.closest('[data-camera-id]');
        const id = tile?.getAttribute('data-camera-id');
        if (id) touched.add(id);
      }
      for (const id of touched) {
        const pending = bench.arrivals.get(id);
        if (!pending?.length) continue;
        bench.arrivals.set(id, []);
        for (const t of pending) bench.toDom.push(now - t);
        requestAnimationFrame(() => {
          const painted = performance.now();
          for (const t of pending) bench.toFrame.push(painted - t);
        });
      }
    });
    observer.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    let frames = 0;
    let longFrames = 0;
    let last = performance.now();
    const started = last;
    bench.recording = true;
    await new Promise<void>((resolve) => {
      const tick = (t: number) => {
        frames++;
        if (t - last > 1000 / 50) longFrames++;
        last = t;
        if (t - started < ms) requestAnimationFrame(tick);
        else resolve();
      };
      requestAnimationFrame(tick);
    });
    bench.recording = false;
    observer.disconnect();
    return { frames, longFrames, elapsedMs: performance.now() - started, toDom: bench.toDom, toFrame: bench.toFrame, readouts: bench.readouts };
  }, durationS * 1000) as PageFigures;
  const pageFps = Math.round((figures.frames / figures.elapsedMs) * 1000 * 10) / 10;
  const metricsAfter = await metric();
  const busy = (name: string) => Math.round((((metricsAfter[name] ?? 0) - (metricsBefore[name] ?? 0)) / (figures.elapsedMs / 1000)) * 1000) / 10;
  const mainThread = { taskPercent: busy('TaskDuration'), scriptPercent: busy('ScriptDuration'), layoutPercent: busy('LayoutDuration'), stylePercent: busy('RecalcStyleDuration') };
  const result = {
    date: new Date().toISOString(),
    host: { cpus: os.cpus().length, model: os.cpus()[0]?.model },
    cameras,
    readoutsPerCameraPerS: fps,
    previewFps,
    durationS,
    readoutsReceived: figures.readouts,
    readoutsPerS: Math.round((figures.readouts / figures.elapsedMs) * 1000),
    pageFps,
    longFrames: figures.longFrames,
    mainThread,
    readoutToDomMs: { p50: pct(figures.toDom, 0.5), p95: pct(figures.toDom, 0.95), p99: pct(figures.toDom, 0.99), n: figures.toDom.length },
    readoutToNextFrameMs: { p50: pct(figures.toFrame, 0.5), p95: pct(figures.toFrame, 0.95), p99: pct(figures.toFrame, 0.99), n: figures.toFrame.length },
  };
  process.stdout.write(
    `${cameras} cameras x ${fps} readouts/s for ${durationS} s: ${result.readoutsPerS} readouts/s in the page\n` +
      `page: ${pageFps} fps, ${figures.longFrames} frames over 20 ms; main thread busy ${mainThread.taskPercent}% (script ${mainThread.scriptPercent}%, style ${mainThread.stylePercent}%, layout ${mainThread.layoutPercent}%)\n` +
      `readout -> DOM: p50 ${result.readoutToDomMs.p50} ms, p95 ${result.readoutToDomMs.p95} ms, p99 ${result.readoutToDomMs.p99} ms\n` +
      `readout -> next frame: p50 ${result.readoutToNextFrameMs.p50} ms, p95 ${result.readoutToNextFrameMs.p95} ms\n`,
  );
  mkdirSync(path.dirname(values.out), { recursive: true });
  writeFileSync(values.out, JSON.stringify(result, null, 2) + '\n');
  process.stdout.write(`written ${values.out}\n`);
} finally {
  await browser.close();
  await server.close();
}
