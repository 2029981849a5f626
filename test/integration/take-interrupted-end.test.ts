/**
 * The take-interrupted alert once its take ends, on a real `shotscale
 * serve`: scene 12 take 3 rolling on a looping clip, the server killed
 * (SIGKILL) and started again, the alert saying the gap and that the take
 * runs on; the take ended over the API. It must not go on saying "the take
 * runs on" after that, nor after more restarts: the alert says when the take
 * ended (active and in the history, and after a restart), and stays active:
 * the supervisor must still learn of the gap.
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

/** In this test's range of ports (the other tests' servers are elsewhere). */
const PORT = 4650;

const shotsAt = async (url: string) => ((await httpJson(`${url}/api/shots`)).body as { shots: StoredShot[] }).shots;
const alertsAt = async (url: string) => (await httpJson(`${url}/api/alerts?history=true`)).body as { active: Alert[]; history: Alert[] };

async function kill(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

test('scene 12 take 3 interrupted by a restart, then ended: its alert says when it ended, stays active, and says so after a restart', { timeout: 120_000 }, async () => {
  const clip = await makeCutClip('hard-cuts');
  const dir = tempDir();
  const config = writeServeConfig(
    path.join(dir, 'config.yaml'),
    path.join(dir, 'data'),
    [`{ id: loop, analysisFps: 5, source: { kind: file, path: ${JSON.stringify(clip.path)}, loop: true, realtime: true } }`],
    PORT,
  );
  const children: ChildProcess[] = [];
  try {
    const first = await startServeProcess(config);
    children.push(first.child);
    const take = (await httpJson(`${first.url}/api/takes`, { method: 'POST', body: { scene: '12', take: '3' } })).body as Take;
    await waitFor('a shot of take 3 under way', async () => ((await shotsAt(first.url)).some((s) => s.take === '3' && s.durationS > 0.5) ? true : undefined));
    await kill(first.child);

    const second = await startServeProcess(config);
    children.push(second.child);
    const restartedAt = ((await httpJson(`${second.url}/api/takes`)).body as { running: Take[] }).running[0]!.gaps[0]!.to;
    await waitFor('a shot after the restart', async () => (await shotsAt(second.url)).find((s) => s.inTime >= restartedAt));
    const gap = ((await httpJson(`${second.url}/api/takes`)).body as { running: Take[] }).running[0]!.gaps[0]!;
    const said = `The server restarted during scene 12 take 3: no shots from ${clockTime(gap.from)} to ${clockTime(gap.to)}`;
    const runsOn = (await alertsAt(second.url)).active.find((a) => a.kind === 'take-interrupted');
    assert.equal(runsOn?.message, `${said}; the take runs on`);

    assert.equal((await httpJson(`${second.url}/api/takes/end`, { method: 'POST', body: {} })).status, 200);
    const ended = ((await httpJson(`${second.url}/api/takes?scene=12`)).body as { takes: Take[] }).takes.find((t) => t.id === take.id)!;
    assert.notEqual(ended.endedAt, null, 'take 3 ended');
    const saysEnded = `${said}; the take ended at ${clockTime(ended.endedAt!)}`;
    const afterEnd = await alertsAt(second.url);
    assert.deepEqual(
      afterEnd.active.filter((a) => a.kind === 'take-interrupted').map((a) => [a.key, a.message, a.resolvedAt]),
      [[runsOn!.key, saysEnded, null]],
      'still active, saying the take ended',
    );
    assert.deepEqual(
      afterEnd.history.filter((a) => a.kind === 'take-interrupted').map((a) => [a.key, a.message]),
      [[runsOn!.key, saysEnded]],
      'its one record says so too',
    );

    await kill(second.child);
    const third = await startServeProcess(config);
    children.push(third.child);
    const afterRestart = await alertsAt(third.url);
    assert.deepEqual(
      afterRestart.active.filter((a) => a.kind === 'take-interrupted').map((a) => [a.key, a.message]),
      [[runsOn!.key, saysEnded]],
      'as it was after the restart',
    );
  } finally {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
});
