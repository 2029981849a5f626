/**
 * What the cluster tests of takes and alerts share: a node's takes as
 * GET /api/takes lists them, a poll until the cluster agrees (nodes hear of
 * each other through Redis, and the record lands in PostgreSQL a moment
 * later), a POST that must succeed, and a small camera.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { httpJson } from './server-harness.js';
import type { Take } from '../../server/shared/shots.js';

export type Listed = { running: Take[]; takes: Take[] };

export async function listed(url: string, query: string): Promise<Listed> {
  const { status, body } = await httpJson(`${url}/api/takes${query}`);
  assert.equal(status, 200, JSON.stringify(body));
  return body as Listed;
}

/** Polls until `read` finds what `holds` accepts; returns it. */
export async function until<T>(read: () => Promise<T>, holds: (found: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await read().catch(() => undefined);
    if (found !== undefined && holds(found)) return found;
    assert.ok(Date.now() < deadline, `${what}: ${JSON.stringify(found)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export const same = (expected: unknown) => (found: unknown) => isDeepStrictEqual(found, expected);

export async function post(url: string, path: string, body: unknown): Promise<unknown> {
  const answer = await httpJson(`${url}${path}`, { method: 'POST', body });
  assert.ok(answer.status === 200 || answer.status === 201, `${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

/** A test-pattern camera at 2 analysed frames a second. */
export const testsrc = (id: string) => `{ id: ${id}, analysisFps: 2, source: { kind: testsrc, width: 64, height: 48, fps: 5 } }`;

/** `config` with no room for cameras: the node started again with it gets none back (its take's gap is not closed by a shot of its own). */
export function withoutCameras(config: string): string {
  const idle = path.join(path.dirname(config), 'node-idle.yaml');
  const text = readFileSync(config, 'utf8');
  assert.match(text, /capacity: \{ cameras: 1 \}/);
  writeFileSync(idle, text.replace('capacity: { cameras: 1 }', 'capacity: { cameras: 0 }'));
  return idle;
}
