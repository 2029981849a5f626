/**
 * A take-interrupted alert once its take ends, on a real SQLite shot log:
 * it must not say "...; the take runs on" after the take has ended, in the
 * active alerts, the history or after more restarts. Once the take ends
 * the alert says when (in its pushed message and its one record, and so
 * after a restart), and stays active until dismissed: the gap is in the
 * take's footage, and the script supervisor must still learn of it.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Take } from '../../server/shared/shots.js';
import { clockTime } from '../../server/shots/shot-log.js';
import { T0, crash, interrupted, interruptedHistory, openLog, roll } from '../support/interrupted-takes.js';
import { tempDir } from '../support/media.js';

/**
 * Scene 12 take 3 rolling on cam-1 (`cameras`: on those only), the server
 * killed, started again 12 s later and the take's first shot since 8 s after
 * that: its alert says the gap, and that the take runs on.
 */
function interruptedTake(dir = tempDir(), cameras?: string[]) {
  const first = openLog(dir, T0);
  const take = first.log.startTake({ scene: '12', take: '3', ...(cameras ? { cameras } : {}) });
  roll(first.log, 'cam-1', T0 + 1000);
  crash(first.log);
  const restart = T0 + 14_000;
  const second = openLog(dir, restart);
  roll(second.log, 'cam-1', restart + 8000);
  const gap = second.log.takeStore.get(take.id).gaps[0]!;
  const runsOn = `The server restarted during scene 12 take 3: no shots from ${clockTime(gap.from)} to ${clockTime(gap.to)}; the take runs on`;
  // Keyed by the gap: the take and its last frame before the stop.
  const key = `take-interrupted:12:3:${gap.from}`;
  assert.deepEqual(interrupted(second.log).map((a) => [a.key, a.message]), [[key, runsOn]]);
  return { dir, take, restart, second, gap, key, crashed: first.log };
}

describe('a take-interrupted alert once its take has ended', () => {
  test('says when the take ended, in the alert pushed and its one record; stays active, and says so after restarts', () => {
    const { dir, take, restart, second, gap, key, crashed } = interruptedTake();
    const endedAt = restart + 120_000;
    second.clock.now = endedAt;
    second.log.endTake();
    assert.equal(second.log.takeStore.get(take.id).endedAt, endedAt);
    const ended = `The server restarted during scene 12 take 3: no shots from ${clockTime(gap.from)} to ${clockTime(gap.to)}; the take ended at ${clockTime(endedAt)}`;
    assert.deepEqual(interrupted(second.log).map((a) => [a.key, a.message, a.since, a.resolvedAt]), [[key, ended, restart, null]], 'still active: the supervisor must still learn of the gap');
    assert.deepEqual(second.told.at(-1), { ...interrupted(second.log)[0], resolvedAt: null }, 'dashboards are told');
    assert.deepEqual(
      interruptedHistory(second.log).map((a) => [a.key, a.message, a.resolvedAt]),
      [[key, ended, null]],
      'its record says so: one record',
    );
    // 15 minutes on, the monitor's ticks leave it as it is.
    second.clock.now = endedAt + 15 * 60_000;
    second.log.alerts.tick(second.clock.now);
    assert.equal(interrupted(second.log)[0]!.message, ended);

    second.log.close();
    for (const after of [endedAt + 16 * 60_000, endedAt + 17 * 60_000]) {
      const again = openLog(dir, after);
      assert.deepEqual(interrupted(again.log).map((a) => [a.key, a.message]), [[key, ended]], 'restored as it was');
      assert.deepEqual(interruptedHistory(again.log).map((a) => a.message), [ended]);
      again.log.close();
    }
    crashed.db.close();
  });

  test('dismissed before the take ended, it stays dismissed, its record as dismissed', () => {
    const { take, restart, second, key, crashed } = interruptedTake();
    const told = interrupted(second.log)[0]!.message;
    second.clock.now = restart + 30_000;
    assert.ok(second.log.dismissAlert(key));
    second.clock.now = restart + 60_000;
    second.log.endTake();
    assert.equal(second.log.takeStore.get(take.id).endedAt, restart + 60_000);
    assert.deepEqual(interrupted(second.log), []);
    assert.deepEqual(
      interruptedHistory(second.log).map((a) => [a.message, a.resolvedAt]),
      [[told, restart + 30_000]],
    );
    second.log.close();
    crashed.db.close();
  });

  test('the same take number slated again and ended leaves the earlier take’s alert alone', () => {
    // Take 3 on cam-1 interrupted; take 3 again on cam-2 (on purpose) runs beside it and ends first.
    const { take, restart, second, crashed } = interruptedTake(tempDir(), ['cam-1']);
    second.clock.now = restart + 20_000;
    const again: Take = second.log.startTake({ scene: '12', take: '3', cameras: ['cam-2'], again: true });
    second.clock.now = restart + 40_000;
    second.log.endTake(['cam-2']);
    assert.deepEqual(
      second.log.runningTakes().map((t) => t.id),
      [take.id],
    );
    assert.notEqual(second.log.takeStore.get(again.id).endedAt, null);
    assert.match(interrupted(second.log)[0]!.message, /; the take runs on$/, 'the interrupted take runs on');
    // Then the interrupted take ends: its alert says when.
    second.clock.now = restart + 90_000;
    second.log.endTake();
    assert.match(interrupted(second.log)[0]!.message, new RegExp(`; the take ended at ${clockTime(restart + 90_000)}$`));
    second.log.close();
    crashed.db.close();
  });

  for (const keyed of ['by its gap', 'by its restart (as an earlier version keyed it)'] as const) {
    test(`an alert stored still saying the take runs on, though it ended (a record from before takes’ ends were told), says so at the next start: keyed ${keyed}`, () => {
      const { dir, take, restart, second, gap, key: gapKey, crashed } = interruptedTake();
      const key = keyed === 'by its gap' ? gapKey : `take-interrupted:12:3:${restart}`;
      const endedAt = restart + 120_000;
      second.clock.now = endedAt;
      second.log.endTake();
      second.log.close();
      // The record as an earlier version left it.
      const runsOn = `The server restarted during scene 12 take 3: no shots from ${clockTime(gap.from)} to ${clockTime(gap.to)}; the take runs on`;
      const stale = openLog(dir, endedAt + 60_000);
      stale.log.db.prepare("UPDATE alerts SET message = ?, key = ? WHERE kind = 'take-interrupted'").run(runsOn, key);
      stale.log.close();

      const next = openLog(dir, endedAt + 120_000);
      const ended = `The server restarted during scene 12 take 3: no shots from ${clockTime(gap.from)} to ${clockTime(gap.to)}; the take ended at ${clockTime(endedAt)}`;
      assert.equal(next.log.takeStore.get(take.id).endedAt, endedAt);
      assert.deepEqual(interrupted(next.log).map((a) => [a.key, a.message]), [[key, ended]]);
      assert.deepEqual(interruptedHistory(next.log).map((a) => [a.key, a.message]), [[key, ended]]);
      next.log.close();
      crashed.db.close();
    });
  }
});
