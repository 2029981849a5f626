/**
 * A restart's gap in a take when the node's cameras ran on on other nodes of
 * the cluster meanwhile (taken over within the lease), on a real SQLite shot
 * log: the alert names the cameras run on elsewhere, and once every camera
 * the gap cut has, the gap ends at the last of them to resume, not at this
 * node's first shot of the take or the take's end (a node back with no
 * camera said "no shots from 11:39:40 to 11:40:10", the whole take, where
 * the footage had resumed on the other node at 11:39:44).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { gapsOfNode } from '../../server/cluster/take-records.js';
import { clockTime } from '../../server/shots/shot-log.js';
import { T0, crash, interrupted, openLog, roll } from '../support/interrupted-takes.js';
import { tempDir } from '../support/media.js';

/** Scene 12 take 3 rolling on cam-1 and cam-2 on node b, b killed, and started again 20 s later. */
function interruptedOnNode() {
  const dir = tempDir();
  const first = openLog(dir, T0, 'b');
  const take = first.log.startTake({ scene: '12', take: '3' });
  roll(first.log, 'cam-1', T0 + 1000);
  roll(first.log, 'cam-2', T0 + 1000);
  crash(first.log);
  const restart = T0 + 21_000;
  const second = openLog(dir, restart, 'b');
  const gap = gapsOfNode(second.log.takeStore.get(take.id), 'b', (filter) => second.log.shots.list(filter)).at(-1)!;
  assert.deepEqual([gap.to, gap.cameras], [restart, ['cam-1', 'cam-2']]);
  const slate = 'Node b: The server restarted during scene 12 take 3';
  assert.deepEqual(interrupted(second.log).map((a) => a.message), [`${slate}: no shots since ${clockTime(gap.from)}; the take runs on`]);
  return { take, restart, second, gap, slate, crashed: first.log };
}

describe("a restart's gap in a take whose cameras ran on on other nodes", () => {
  test('every camera run on elsewhere: the gap ends at the last to resume, before the restart, and the take ending leaves it there', () => {
    const { take, restart, second, gap, slate, crashed } = interruptedOnNode();
    const cam1At = T0 + 6000;
    const cam2At = T0 + 7500;
    // cam-1 alone: the gap stays open (cam-2 may still be lost), and the alert says which ran on.
    assert.equal(second.log.restartGapRunOnElsewhere(take.id, gap.from, gap.cameras, [{ cameraId: 'cam-1', node: 'a', at: cam1At }]), true);
    assert.deepEqual(second.log.takeStore.get(take.id).gaps, [{ from: gap.from, to: restart }]);
    assert.deepEqual(interrupted(second.log).map((a) => a.message), [`${slate}: no shots since ${clockTime(gap.from)} (cam-1 run on by node a since ${clockTime(cam1At)}); the take runs on`]);

    // cam-2 too, on another node: the footage is whole again from cam2At.
    const runOn = [
      { cameraId: 'cam-1', node: 'a', at: cam1At },
      { cameraId: 'cam-2', node: 'c', at: cam2At },
    ];
    assert.equal(second.log.restartGapRunOnElsewhere(take.id, gap.from, gap.cameras, runOn), false);
    assert.deepEqual(second.log.takeStore.get(take.id).gaps, [{ from: gap.from, to: cam2At }]);
    const told = `${slate}: no shots from ${clockTime(gap.from)} to ${clockTime(cam2At)} (cam-1 run on by node a since ${clockTime(cam1At)}, cam-2 run on by node c since ${clockTime(cam2At)})`;
    assert.deepEqual(interrupted(second.log).map((a) => a.message), [`${told}; the take runs on`]);

    // A camera back here later, and the take's end, leave the gap where the footage resumed.
    roll(second.log, 'cam-1', restart + 60_000);
    second.clock.now = restart + 120_000;
    second.log.endTake();
    assert.deepEqual(second.log.takeStore.get(take.id).gaps, [{ from: gap.from, to: cam2At }]);
    assert.deepEqual(interrupted(second.log).map((a) => a.message), [`${told}; the take ended at ${clockTime(restart + 120_000)}`]);
    second.log.close();
    crashed.db.close();
  });

  test('some cameras run on elsewhere: the gap ends at this node\'s first shot as before, and the alert still names them', () => {
    const { take, restart, second, gap, slate, crashed } = interruptedOnNode();
    const cam1At = T0 + 6000;
    // Told again with the same cameras: nothing changes.
    for (let i = 0; i < 2; i++) assert.equal(second.log.restartGapRunOnElsewhere(take.id, gap.from, gap.cameras, [{ cameraId: 'cam-1', node: 'a', at: cam1At }]), true);
    const firstShot = restart + 8000;
    roll(second.log, 'cam-2', firstShot);
    assert.deepEqual(second.log.takeStore.get(take.id).gaps, [{ from: gap.from, to: firstShot }]);
    assert.deepEqual(interrupted(second.log).map((a) => a.message), [`${slate}: no shots from ${clockTime(gap.from)} to ${clockTime(firstShot)} (cam-1 run on by node a since ${clockTime(cam1At)}); the take runs on`]);
    // The gap closed here: what the cluster's shot log says later changes nothing.
    assert.equal(second.log.restartGapRunOnElsewhere(take.id, gap.from, gap.cameras, [{ cameraId: 'cam-2', node: 'a', at: cam1At }]), false);
    assert.deepEqual(second.log.takeStore.get(take.id).gaps, [{ from: gap.from, to: firstShot }]);
    second.log.close();
    crashed.db.close();
  });

  test('shots elsewhere of other cameras, from before the gap, or for another gap change nothing', () => {
    const { take, restart, second, gap, slate, crashed } = interruptedOnNode();
    const runsOn = [`${slate}: no shots since ${clockTime(gap.from)}; the take runs on`];
    assert.equal(second.log.restartGapRunOnElsewhere(take.id, gap.from, gap.cameras, [{ cameraId: 'cam-9', node: 'a', at: T0 + 6000 }]), true);
    assert.equal(second.log.restartGapRunOnElsewhere(take.id, gap.from, gap.cameras, [{ cameraId: 'cam-1', node: 'a', at: gap.from - 500 }]), true);
    assert.deepEqual(interrupted(second.log).map((a) => a.message), runsOn);
    const both = ['cam-1', 'cam-2'].map((cameraId) => ({ cameraId, node: 'a', at: T0 + 6000 }));
    assert.equal(second.log.restartGapRunOnElsewhere(take.id, gap.from - 1000, gap.cameras, both), false, 'another gap than the open one');
    assert.deepEqual(second.log.takeStore.get(take.id).gaps, [{ from: gap.from, to: restart }]);
    assert.deepEqual(interrupted(second.log).map((a) => a.message), runsOn);
    // The open gap, still open, ends at this node's first shot as on a single server.
    roll(second.log, 'cam-1', restart + 8000);
    assert.deepEqual(second.log.takeStore.get(take.id).gaps, [{ from: gap.from, to: restart + 8000 }]);
    second.log.close();
    crashed.db.close();
  });
});
