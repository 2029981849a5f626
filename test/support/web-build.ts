/** Builds web/dist when missing or stale (the same check `npm start` runs). */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { REPO_DIR } from './server-harness.js';

export function ensureWebBuild(): void {
  execFileSync(process.execPath, [path.join(REPO_DIR, 'scripts', 'ensure-web-build.mjs')], { stdio: 'inherit' });
}
