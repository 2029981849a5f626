/**
 * Loads a `.svelte.ts` module (runes: $state, $derived) under node for unit
 * tests: TypeScript stripped by esbuild, runes compiled by Svelte's own
 * compiler (client runtime, which needs no DOM), written under
 * node_modules/.cache so that its `svelte/...` imports resolve.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { transformSync } from 'esbuild';
import { compileModule } from 'svelte/compiler';
import { REPO_DIR } from './server-harness.js';

const CACHE = path.join(REPO_DIR, 'node_modules', '.cache', 'shotscale-svelte-tests');

export async function loadSvelteModule<T>(file: string): Promise<T> {
  const source = readFileSync(file, 'utf8');
  const js = transformSync(source, { loader: 'ts', format: 'esm', target: 'es2022' }).code;
  const compiled = compileModule(js, { generate: 'client', filename: path.basename(file).replace(/\.ts$/, '.js') }).js.code;
  mkdirSync(CACHE, { recursive: true });
  const out = path.join(CACHE, `${path.basename(file, '.ts')}-${process.pid}.mjs`);
  writeFileSync(out, compiled);
  return (await import(pathToFileURL(out).href)) as T;
}
