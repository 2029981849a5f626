/**
 * A camera removed during a take on named cameras leaves the take: the take
 * runs on on its other cameras and ends when the last of them is removed
 * too, its plan checked then (it ran on, "shooting now", on a deleted camera, and
 * only `{}` ended it). The removed camera's last shot is cut out by `end`,
 * as a camera that stops for good, not by `restart`. Real ffmpeg test
 * patterns, the real shot log.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import type { Alert, Take } from '../../server/shared/shots.js';
import type { StoredShot } from '../../server/store/shot-store.js';
import { httpJson, startTestServer, testsrcCamera } from '../support/server-harness.js';
import { waitFor } from '../support/wait-for.js';

let server: RunningServer;

before(async () => {
  server = await startTestServer({
    cameras: [testsrcCamera('cam-2'), testsrcCamera('cam-4')],
    // Nobody is tagged Nobody: the take's end raises a plan alert, as any take's end checks the plan.
    coverage: { plans: [{ scene: '20', items: [{ id: 'nobody', scale: 'ECU..EWS', tag: 'Nobody' }] }] },
  });
});

after(async () => {
  await server?.close();
});

const call = (path: string, init: { method?: string; body?: unknown } = {}) => httpJson(`${server.url}${path}`, init);
const shotsOf = async (camera: string) => ((await call(`/api/shots?camera=${camera}`)).body as { shots: StoredShot[] }).shots;

test('a camera removed during a take leaves it; the take ends with its last camera, its plan checked; the removed camera is cut out by end', { timeout: 90_000 }, async () => {
  const started = await call('/api/takes', { method: 'POST', body: { scene: '20', cameras: ['cam-4', 'cam-2'] } });
  assert.equal(started.status, 201, JSON.stringify(started.body));
  const take = started.body as Take;
  await waitFor('a shot of cam-4 in the take', async () => ((await shotsOf('cam-4')).some((s) => s.takeId === take.id) ? true : undefined));

  assert.equal((await call('/api/cameras/cam-4', { method: 'DELETE' })).status, 204);
  const running = ((await call('/api/takes')).body as { running: Take[] }).running;
  assert.deepEqual(running.map((t) => [t.id, t.cameras, t.endedAt]), [[take.id, ['cam-2'], null]], 'the take runs on on cam-2 alone');
  const last = (await shotsOf('cam-4')).at(-1)!;
  assert.deepEqual([last.status, last.cutOut], ['closed', 'end'], 'a camera removed stops for good');

  // Its last camera removed too: the removal ends it (nobody ends it over the API).
  assert.equal((await call('/api/cameras/cam-2', { method: 'DELETE' })).status, 204);
  const listed = (await call('/api/takes')).body as { running: Take[]; takes: Take[] };
  assert.deepEqual(listed.running, [], 'no take runs on no camera');
  assert.notEqual(listed.takes.find((t) => t.id === take.id)?.endedAt ?? null, null, JSON.stringify(listed.takes));
  const alerts = ((await call('/api/alerts')).body as { active: Alert[] }).active;
  assert.ok(alerts.some((a) => a.key === 'plan-missing:20:1'), JSON.stringify(alerts));
});
