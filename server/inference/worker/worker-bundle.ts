/**
 * The code a model thread runs, as one plain JavaScript file. A thread that
 * started from TypeScript registered tsx's loader, which runs its module
 * hooks on a thread of their own and keeps what it compiled: about 17 MB of
 * resident memory per model thread (two model threads, an idle server:
 * 362 MB against 328 MB from the bundle). esbuild (which tsx already uses)
 * bundles model-worker.ts once per process, in about 50 ms; packages stay
 * imports, so the file lives under node_modules/.cache where they resolve.
 * Where that cannot be written, threads start from the TypeScript as before.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { errorMessage } from '../../errors.js';
import type { Logger } from '../../shared/logger.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SOURCE = path.join(HERE, 'model-worker.ts');
/** The TypeScript entry (registers tsx first): the fallback. */
export const TYPESCRIPT_ENTRY = new URL('./model-worker-entry.mjs', import.meta.url);
const CACHE_DIR = path.resolve(HERE, '..', '..', '..', 'node_modules', '.cache', 'shotscale');

const entries = new Map<string, Promise<URL>>();

/** The model thread's entry for this process: the bundle, built on first use, else the TypeScript entry. */
export function modelWorkerEntry(log: Logger): Promise<URL> {
  return bundledWorkerEntry(SOURCE, TYPESCRIPT_ENTRY, log);
}

/** Any worker's entry: `source` (TypeScript) bundled once per process, else `fallback` (an .mjs that registers tsx). */
export function bundledWorkerEntry(source: string, fallback: URL, log: Logger): Promise<URL> {
  let entry = entries.get(source);
  if (!entry) {
    entry = build(source).catch((error: unknown) => {
      log.debug(`${path.basename(source)} starts from TypeScript (no bundle: ${errorMessage(error)})`);
      return fallback;
    });
    entries.set(source, entry);
  }
  return entry;
}

async function build(source: string): Promise<URL> {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({ entryPoints: [source], bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', write: false, logLevel: 'silent' });
  const code = result.outputFiles[0]!.contents;
  // Named by content: processes started from different checkouts or versions never share a stale file.
  const file = path.join(CACHE_DIR, `${path.basename(source, '.ts')}-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`);
  mkdirSync(CACHE_DIR, { recursive: true });
  // Written aside and renamed, so a thread of another process never reads half a file.
  const partial = `${file}.${process.pid}.tmp`;
  writeFileSync(partial, code);
  renameSync(partial, file);
  return pathToFileURL(file);
}
