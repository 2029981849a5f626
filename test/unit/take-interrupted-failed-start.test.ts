/**
 * A take cut into by a crash, then a start that fails after the shot log
 * opened (in a cluster: PostgreSQL away, CLUSTER_UNREACHABLE), then a start
 * that succeeds, on a real SQLite shot log in a cluster node's data
 * directory: one hole in the take's footage, so one take-interrupted alert
 * (the failed start's, kept), which the first shot since says the end of.
 * A review saw two, "no shots since 07:41:46" and "from 07:41:46 to 07:42:18".
 * The alert is keyed by the gap (the take and its last frame before the
 * stop), so it is the same alert whatever its message says by then; one an
 * earlier version keyed by its restart is still the gap's. Restarts with a
 * shot of the take between them stay two alerts.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { clockTime } from '../../server/shots/shot-log.js';
import { T0, crash, interrupted, interruptedHistory, openLog as openLogOn, roll } from '../support/interrupted-takes.js';
import { tempDir } from '../support/media.js';

const NODE = 'a';
const openLog = (dir: string, now: number) => openLogOn(dir, now, NODE);
/** The alert's key: the take's gap from `from` (its last frame written before the stop), on node a. */
const key = (from: number) => `take-interrupted:50:1:${from}@${NODE}`;
const failedAt = T0 + 20_000;
const restartAt = T0 + 40_000;

/** Scene 50 take 1 rolling on cam-1, the server killed, then a start that fails after its shot log opened. */
function failedStart() {
  const dir = tempDir();
  const first = openLog(dir, T0);
  const take = first.log.startTake({ scene: '50' });
  roll(first.log, 'cam-1', T0 + 1000);
  crash(first.log);
  // The failed start: its log opens (the take resumed, the alert raised), then the start gives up and closes it.
  const failed = openLog(dir, failedAt);
  const from = failed.log.takeStore.get(take.id).gaps[0]!.from;
  const since = `Node ${NODE}: The server restarted during scene 50 take 1: no shots since ${clockTime(from)}; the take runs on`;
  assert.deepEqual(interrupted(failed.log).map((a) => [a.key, a.message, a.since]), [[key(from), since, failedAt]], 'keyed by the gap');
  failed.log.close();
  return { dir, take, from, since, crashed: first.log };
}

/** What the recovery at open tells dashboards is told once open() has returned. */
const toldAfterOpen = () => new Promise((resolve) => setImmediate(resolve));

/** How the first shot since says the gap's end. */
const closedMessage = (gap: { from: number; to: number }) =>
  `Node ${NODE}: The server restarted during scene 50 take 1: no shots from ${clockTime(gap.from)} to ${clockTime(gap.to)}; the take runs on`;

describe('a take interrupted, then a start that fails, then one that succeeds', () => {
  test('one alert for the one gap: the failed start’s, which the first shot since says the end of', async () => {
    const { dir, take, from, since, crashed } = failedStart();
    const second = openLog(dir, restartAt);
    await toldAfterOpen();
    assert.deepEqual(interrupted(second.log).map((a) => [a.key, a.message]), [[key(from), since]], 'the failed start’s alert, not a second for the same gap');
    roll(second.log, 'cam-1', restartAt + 5000);
    const gap = second.log.takeStore.get(take.id).gaps[0]!;
    assert.deepEqual(gap, { from, to: restartAt + 5000 });
    const closed = closedMessage(gap);
    assert.deepEqual(interrupted(second.log).map((a) => [a.key, a.message, a.since]), [[key(from), closed, failedAt]], 'the gap’s end said by the one alert');
    assert.deepEqual(interruptedHistory(second.log).map((a) => [a.key, a.message, a.resolvedAt]), [[key(from), closed, null]], 'one record');
    assert.deepEqual(second.told.map((a) => a.key), [key(from)], 'dashboards told of that one alert only');
    second.log.close();
    crashed.db.close();
  });

  test('one alert though its message, as stored, is not what the next start would say (another wording, or updated since)', async () => {
    const { dir, take, from, crashed } = failedStart();
    // As a version with other wording stored it: matching alerts by their message found two.
    const worded = `Node ${NODE}: scene 50 take 1 was cut into by a restart at ${clockTime(failedAt)}`;
    const edit = openLog(dir, failedAt + 1000);
    edit.log.db.prepare("UPDATE alerts SET message = ? WHERE kind = 'take-interrupted'").run(worded);
    edit.log.close();

    const second = openLog(dir, restartAt);
    await toldAfterOpen();
    assert.deepEqual(interrupted(second.log).map((a) => [a.key, a.message, a.since]), [[key(from), worded, failedAt]], 'kept as it stands, not raised again');
    assert.deepEqual(second.told, [], 'nothing new told');
    roll(second.log, 'cam-1', restartAt + 5000);
    const closed = closedMessage(second.log.takeStore.get(take.id).gaps[0]!);
    assert.deepEqual(interrupted(second.log).map((a) => [a.key, a.message]), [[key(from), closed]]);
    assert.deepEqual(interruptedHistory(second.log).map((a) => [a.key, a.message]), [[key(from), closed]], 'one record');
    second.log.close();
    crashed.db.close();
  });

  test('an alert an earlier version stored, keyed by its restart, is still the gap’s: told its end and the take’s', () => {
    const { dir, take, from, since, crashed } = failedStart();
    const restartKeyed = `take-interrupted:50:1:${failedAt}@${NODE}`;
    const edit = openLog(dir, failedAt + 1000);
    edit.log.db.prepare("UPDATE alerts SET key = ? WHERE kind = 'take-interrupted'").run(restartKeyed);
    edit.log.close();

    const second = openLog(dir, restartAt);
    assert.deepEqual(interrupted(second.log).map((a) => [a.key, a.message]), [[restartKeyed, since]], 'not a second alert under the gap’s key');
    roll(second.log, 'cam-1', restartAt + 5000);
    const gap = second.log.takeStore.get(take.id).gaps[0]!;
    assert.deepEqual(interrupted(second.log).map((a) => [a.key, a.message]), [[restartKeyed, closedMessage(gap)]], 'told the gap’s end');
    second.clock.now = restartAt + 60_000;
    second.log.endTake();
    const ended = `Node ${NODE}: The server restarted during scene 50 take 1: no shots from ${clockTime(gap.from)} to ${clockTime(gap.to)}; the take ended at ${clockTime(restartAt + 60_000)}`;
    assert.deepEqual(interrupted(second.log).map((a) => [a.key, a.message]), [[restartKeyed, ended]], 'told the take’s end');
    assert.deepEqual(interruptedHistory(second.log).map((a) => [a.key, a.message]), [[restartKeyed, ended]], 'one record');
    assert.equal(from, gap.from);
    second.log.close();
    crashed.db.close();
  });

  test('then a start after a long outage, which ends the take: still one alert, which says so', () => {
    const { dir, take, from, crashed } = failedStart();
    const lateAt = failedAt + 2 * 3600_000;
    const late = openLog(dir, lateAt);
    assert.equal(late.log.takeStore.get(take.id).endedAt, from, 'ended at its last frame');
    const message = `Node ${NODE}: The server restarted during scene 50 take 1 after 2 h down (longer than 15 min): the take was ended at its last frame, ${clockTime(from)}; no shots from ${clockTime(from)} to ${clockTime(lateAt)}`;
    assert.deepEqual(interrupted(late.log).map((a) => [a.key, a.message, a.since]), [[key(from), message, failedAt]]);
    assert.deepEqual(interruptedHistory(late.log).map((a) => [a.key, a.message]), [[key(from), message]], 'one record');
    late.log.close();
    crashed.db.close();
  });

  test('a shot of the take between two restarts: two gaps, two alerts', () => {
    const dir = tempDir();
    const first = openLog(dir, T0);
    const take = first.log.startTake({ scene: '50' });
    roll(first.log, 'cam-1', T0 + 1000);
    crash(first.log);
    const second = openLog(dir, T0 + 20_000);
    roll(second.log, 'cam-1', T0 + 25_000);
    crash(second.log);
    const third = openLog(dir, T0 + 40_000);
    const gaps = third.log.takeStore.get(take.id).gaps;
    assert.equal(gaps.length, 2);
    assert.deepEqual(interrupted(third.log).map((a) => [a.key, a.since]), [
      [key(gaps[0]!.from), T0 + 20_000],
      [key(gaps[1]!.from), T0 + 40_000],
    ]);
    third.log.close();
    second.log.db.close();
    first.log.db.close();
  });
});
