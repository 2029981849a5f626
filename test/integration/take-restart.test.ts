/**
 * A take survives the server being killed: a real `shotscale serve` logs a
 * looping clip in scene 12 take 7 and is killed with SIGKILL; the same
 * server started again on the same data directory runs take 7 on (its record
 * noting the gap), slates the new shots with it, shows an alert naming the
 * gap to its first shot after the restart, and keeps the plan alert that was active before the kill. The take
 * number is then refused as used, unless asked for again.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { startServeProcess, writeServeConfig } from '../support/cli.js';
import { makeCutClip } from '../support/cut-clips.js';
import { tempDir } from '../support/media.js';
import { httpJson } from '../support/server-harness.js';
import type { Alert, Take } from '../../server/shared/shots.js';
import type { StoredShot } from '../../server/store/shot-store.js';
import { clockTime } from '../../server/shots/restart-gaps.js';
import { waitFor } from '../support/wait-for.js';

async function startServe(config: string): Promise<{ child: ChildProcess; url: string }> {
  return startServeProcess(config);
}

const shotsAt = async (url: string) => ((await httpJson(`${url}/api/shots`)).body as { shots: StoredShot[] }).shots;

test('SIGKILL during scene 12 take 7: after the restart the take runs on, its gap noted and alerted; the plan alert stays', { timeout: 120_000 }, async () => {
  const clip = await makeCutClip('hard-cuts');
  const dir = tempDir();
  const config = writeServeConfig(path.join(dir, 'config.yaml'), path.join(dir, 'data'), [
    `{ id: loop, analysisFps: 5, source: { kind: file, path: ${JSON.stringify(clip.path)}, loop: true, realtime: true } }`,
  ]);
  const children: ChildProcess[] = [];
  try {
    const first = await startServe(config);
    children.push(first.child);
    // Scene 11 ends without its planned framing (nobody is tagged Nobody): a plan alert.
    assert.equal((await httpJson(`${first.url}/api/plans/11`, { method: 'PUT', body: { items: [{ id: 'nobody', scale: 'ECU..EWS', tag: 'Nobody' }] } })).status, 200);
    assert.equal((await httpJson(`${first.url}/api/takes`, { method: 'POST', body: { scene: '11' } })).status, 201);
    assert.equal((await httpJson(`${first.url}/api/takes/end`, { method: 'POST', body: {} })).status, 200);
    const take = (await httpJson(`${first.url}/api/takes`, { method: 'POST', body: { scene: '12', take: '7' } })).body as Take;
    await waitFor('a shot of take 7 under way', async () => ((await shotsAt(first.url)).some((s) => s.take === '7' && s.durationS > 0.5) ? true : undefined));
    const active = ((await httpJson(`${first.url}/api/alerts`)).body as { active: Alert[] }).active;
    assert.deepEqual(active.map((a) => a.key), ['plan-missing:11:1']);
    const exited = new Promise((resolve) => first.child.once('exit', resolve));
    first.child.kill('SIGKILL');
    await exited;

    const second = await startServe(config);
    children.push(second.child);
    const takes = (await httpJson(`${second.url}/api/takes`)).body as { running: Take[] };
    assert.deepEqual(
      takes.running.map((t) => [t.id, t.scene, t.take, t.cameras, t.endedAt, t.gaps.length]),
      [[take.id, '12', '7', null, null, 1]],
      'take 7 runs again on every camera, its gap noted',
    );
    const [known] = takes.running[0]!.gaps;
    assert.ok(known!.from < known!.to);
    // Shots after the restart are slated with take 7, and the gap runs to the first of them, not to the log's opening
    // (the model and ffmpeg take seconds more to give frames): the alert names it once it is known.
    const afterRestart = await waitFor('a shot after the restart', async () => (await shotsAt(second.url)).find((s) => s.inTime >= known!.to));
    assert.deepEqual([afterRestart.scene, afterRestart.take, afterRestart.takeId], ['12', '7', take.id]);
    const gap = ((await httpJson(`${second.url}/api/takes`)).body as { running: Take[] }).running[0]!.gaps[0]!;
    assert.deepEqual(gap, { from: known!.from, to: Math.round(afterRestart.inTime) }, 'the gap ends at the first shot after the restart (to the millisecond, as gaps are stored)');
    assert.equal((await shotsAt(second.url)).filter((s) => s.inTime > gap.from && Math.round(s.inTime) < gap.to).length, 0, 'no shot inside the gap');
    const alerts = ((await httpJson(`${second.url}/api/alerts`)).body as { active: Alert[] }).active;
    const interrupted = alerts.find((a) => a.kind === 'take-interrupted');
    assert.ok(interrupted, JSON.stringify(alerts));
    assert.equal(interrupted.message, `The server restarted during scene 12 take 7: no shots from ${clockTime(gap.from)} to ${clockTime(gap.to)}; the take runs on`);
    assert.ok(alerts.some((a) => a.key === 'plan-missing:11:1' && a.resolvedAt === null), 'the plan alert survived the restart');

    // Take 7 is used: slating it again by mistake is refused, naming the next; on purpose it is taken.
    const refused = await httpJson(`${second.url}/api/takes`, { method: 'POST', body: { scene: '12', take: '7' } });
    assert.equal(refused.status, 409);
    const error = (refused.body as { error: { code: string; message: string; scene?: string; take?: string; next?: string } }).error;
    assert.equal(error.code, 'TAKE_EXISTS');
    assert.deepEqual([error.scene, error.take, error.next], ['12', '7', '8'], 'what a client needs to offer both ways on');
    assert.match(error.message, /^scene 12 already has a take 7 \(running since \d\d:\d\d:\d\d\); the next take is 8, or send "again": true to slate take 7 again$/);
    assert.equal((await httpJson(`${second.url}/api/takes`, { method: 'POST', body: { scene: '12', take: '7', again: true } })).status, 201);
  } finally {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
});
