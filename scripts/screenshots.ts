/**
 * `npm run screenshots`: the README's pictures, made from the real product.
 * The wall: the shipped config (the demo reel) served in-process with a
 * scratch shot log, shown in Chromium after 18 s of labels, cuts and
 * shots. The film report: the four demo clips joined into one film, logged
 * with `shotscale log`, and its report.html opened in Chromium.
 *
 *   npm run screenshots [-- --wait 18]
 * Needs Chromium at /usr/bin/chromium (Debian's `chromium`).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { startServer } from '../server/app/shotscale-server.js';
import { REPO_ROOT } from '../server/shared/version.js';
import { loadConfig } from '../server/config/load-config.js';
import { resolveFfmpeg } from '../server/ingest/ffmpeg-binary.js';
import { createLogger } from '../server/shared/logger.js';

const { values } = parseArgs({ options: { wait: { type: 'string', default: '18' } } });
const OUT = path.join(REPO_ROOT, 'docs', 'images');
const DEMO = path.join(REPO_ROOT, 'media', 'demo');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'shotscale-screenshots-'));
mkdirSync(OUT, { recursive: true });
execFileSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'ensure-web-build.mjs')], { stdio: 'inherit' });

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
try {
  // The wall, on the config npm start runs, with a shot log of its own.
  const shipped = loadConfig(path.join(REPO_ROOT, 'config', 'default.yaml'));
  const config = { ...shipped.config, server: { ...shipped.config.server, port: 0 }, shots: { ...shipped.config.shots, dataDir: path.join(scratch, 'data') } };
  const server = await startServer({ ...shipped, config }, { log: createLogger('screenshots', 'warn') });
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 860 } });
    await page.goto(server.url);
    process.stdout.write(`the wall at ${server.url}: waiting ${values.wait} s for labels, cuts and shots\n`);
    await page.waitForTimeout(Number(values.wait) * 1000);
    await page.screenshot({ path: path.join(OUT, 'wall.jpg'), type: 'jpeg', quality: 82 });
    await page.close();
  } finally {
    await server.close();
  }

  // The film report of the demo clips joined into one film.
  const ffmpeg = resolveFfmpeg(null).path;
  const clips = readdirSync(DEMO).filter((f) => f.endsWith('.mp4')).sort();
  const film = path.join(scratch, 'demo-reel.mp4');
  const fit = clips.map((_, i) => `[${i}:v]scale=640:360:force_original_aspect_ratio=decrease,pad=640:360:(ow-iw)/2:(oh-ih)/2,setsar=1,fps=25[v${i}]`).join(';');
  const joined = `${fit};${clips.map((_, i) => `[v${i}]`).join('')}concat=n=${clips.length}:v=1:a=0[out]`;
  execFileSync(ffmpeg, ['-v', 'error', '-y', ...clips.flatMap((c) => ['-i', path.join(DEMO, c)]), '-filter_complex', joined, '-map', '[out]', '-c:v', 'libx264', '-crf', '23', film]);
  const logged = path.join(scratch, 'log');
  execFileSync(process.execPath, [path.join(REPO_ROOT, 'bin', 'shotscale.js'), 'log', film, '--out', logged], { stdio: ['ignore', 'ignore', 'inherit'] });
  const page = await browser.newPage({ viewport: { width: 1120, height: 1500 } });
  await page.goto(`file://${path.join(logged, 'report.html')}`);
  await page.screenshot({ path: path.join(OUT, 'film-report.jpg'), type: 'jpeg', quality: 82 });
  await page.close();
  process.stdout.write(`written: ${path.relative(REPO_ROOT, path.join(OUT, 'wall.jpg'))}, ${path.relative(REPO_ROOT, path.join(OUT, 'film-report.jpg'))}\n`);
} finally {
  await browser.close();
}
