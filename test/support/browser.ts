/** Debian's Chromium for the browser tests, headless, with nothing of its own running in the background. */
import { chromium, type Browser } from 'playwright-core';

const QUIET_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Chromium at /usr/bin/chromium; `extraArgs` after the usual ones (fake media, host rules). */
export function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: [...QUIET_ARGS, ...extraArgs] });
}
