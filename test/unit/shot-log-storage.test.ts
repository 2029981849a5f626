/**
 * The shot log on a database that fills up (real SQLite, genuine SQLITE_FULL
 * from PRAGMA max_page_count): a camera's shots keep their ids and are held
 * in memory under a critical storage alert, a slate answers STORAGE_FULL,
 * and once there is room every shot is written as announced and the alert
 * resolves. Plus the storage alert's own rules in the AlertMonitor.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { validateConfig } from '../../server/config/load-config.js';
import { AlertMonitor, STORAGE_ALERT_KEY } from '../../server/coverage/alert-monitor.js';
import { CUT_FRAME_BYTES } from '../../server/cuts/cut-detector.js';
import { isShotscaleError } from '../../server/errors.js';
import { createLogger, silentLogger } from '../../server/shared/logger.js';
import { CANONICAL_SCALES } from '../../server/shared/scale.js';
import type { Alert, ShotRecord } from '../../server/shared/shots.js';
import { ShotLog, type ShotLogEvents } from '../../server/shots/shot-log.js';
import type { ShotTracker } from '../../server/shots/shot-tracker.js';
import { fillUp, lift } from '../support/full-database.js';
import { tempDir } from '../support/media.js';

const T0 = Date.UTC(2025, 8, 9, 8, 0, 0);
const CONFIG = validateConfig({ shots: { timecode: { rate: '25', start: '01:00:00:00' } } }, '(test)');

function openLog(log = silentLogger) {
  const shots: ShotRecord[] = [];
  const alerts: Alert[] = [];
  const events: ShotLogEvents = { shot: (s) => shots.push(s), takes: () => undefined, coverage: () => undefined, alert: (a) => alerts.push(a) };
  return { log: ShotLog.open(tempDir(), CONFIG, () => T0, log, events), shots, alerts };
}

/** No cut in a flat grey feed: shots are split by take marks only, where a test puts them. */
const FLAT = new Uint8Array(CUT_FRAME_BYTES).fill(128);

/** A 96x96 noise picture: its JPEG is larger than a page, so storing it always needs new pages. */
function noise(f: number) {
  const data = new Uint8Array(96 * 96 * 3);
  let a = f * 2654435761;
  for (let i = 0; i < data.length; i++) {
    a = (a * 1103515245 + 12345) >>> 0;
    data[i] = a >>> 24;
  }
  return { timeS: f / 25, width: 96, height: 96, data };
}

/** Frames [from, to) at 25 fps, analysed 5 a second 3 frames behind; the shot on air splits at each of `splits`. */
function play(tracker: ShotTracker, from: number, to: number, splits: readonly number[] = []): void {
  for (let i = from; i < to; i++) {
    if (splits.includes(i)) tracker.setTake(tracker.currentTake);
    tracker.cutFrame(1, i, FLAT, T0 + i * 40);
    const f = i - 3;
    if (f >= 0 && f % 5 === 0) tracker.readout(1, f / 25, T0 + f * 40, { smoothed: CANONICAL_SCALES.map((s) => (s === 'MS' ? 1 : 0)), label: 'MS' }, noise(f));
  }
}

const brief = (s: ShotRecord) => [s.id, s.status, s.inFrame, s.outFrame, s.cutIn, s.cutOut, s.scene, s.take];

describe('the shot log on a full database', () => {
  test('shots keep their ids and are held under a storage alert; a slate is STORAGE_FULL; once there is room all are written and the alert resolves', async () => {
    const { log, shots: announced, alerts } = openLog();
    fillUp(log.db);

    // A slate: takes are written at once, never held. Slate until the takes' page is full too.
    let refused: unknown = null;
    let slated = 0;
    for (; slated < 10_000 && refused === null; slated++) {
      try {
        log.startTake({ scene: `${'long scene name '.repeat(8)}${slated}` });
      } catch (error) {
        refused = error;
      }
    }
    assert.ok(isShotscaleError(refused, 'STORAGE_FULL'), String(refused));
    assert.equal(refused.message, `the shot log ${log.file} cannot be written (SQLITE_FULL: database or disk is full)`);
    const running = log.runningTakes();
    assert.equal(running.length, 1, 'the refused slate did not end the take running either (both or neither)');
    assert.equal(log.takeStore.list().length, slated - 1);

    const tracker = log.attachCamera({ id: 'cam-1' });
    play(tracker, 0, 300, [60, 110, 160, 210, 260]);

    // Announced with ids 1..6 as they opened, whatever the database took.
    const opened = announced.filter((s) => s.status === 'open');
    const closed = announced.filter((s) => s.status === 'closed');
    assert.deepEqual(opened.map((s) => s.id), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(closed.map((s) => s.id), [1, 2, 3, 4, 5]);
    // Shot 1's insert fitted in a page; its close (with a thumbnail of several pages) did not, and all since is held.
    assert.deepEqual(log.shots.list().map((s) => [s.id, s.status]), [[1, 'open']]);
    const held = log.heldWrites();
    assert.ok(held, 'writes are held');
    assert.equal(held.shots, 6);
    assert.ok(held.writes <= 3 * 6, `updates coalesce: ${held.writes} writes held for 6 shots`);
    const message = `The shot log at ${log.file} cannot be written (SQLITE_FULL: database or disk is full); 6 shots are held in memory and retried every 2 s`;
    assert.deepEqual(log.alerts.active(), [{ key: STORAGE_ALERT_KEY, kind: 'storage', severity: 'critical', cameraIds: [], message, since: T0, resolvedAt: null }]);
    const storage = alerts.filter((a) => a.kind === 'storage');
    assert.match(storage[0]!.message, /; 1 shot is held in memory/);
    assert.ok(storage.every((a) => a.resolvedAt === null && a.since === T0), 'one alert, re-announced as the count grew');
    // Reads come from the database: held shots are not listed yet.
    assert.equal(log.listShots({}).length, 1);

    lift(log.db);
    const deadline = Date.now() + 6000;
    while (log.alerts.active().length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(log.alerts.active(), [], 'resolved within a retry or two');
    assert.equal(log.heldWrites(), null);
    const resolved = alerts.at(-1)!;
    assert.deepEqual([resolved.key, resolved.resolvedAt], [STORAGE_ALERT_KEY, T0]);
    assert.deepEqual(log.alertHistory().map((a) => [a.key, a.message, a.resolvedAt]), [[STORAGE_ALERT_KEY, message, T0]], 'the alert itself was held and written');

    // Nothing lost: every shot as it was announced, thumbnails included; shot 6 open and written.
    const stored = log.shots.list();
    assert.deepEqual(
      stored.filter((s) => s.status === 'closed').map(brief),
      closed.map(brief),
    );
    for (const shot of closed) {
      assert.equal(shot.hasThumbnail, true);
      assert.ok(log.shots.thumbnail(shot.id)!.length > 4096, `shot ${shot.id}'s thumbnail is stored`);
    }
    assert.deepEqual(stored.find((s) => s.id === 6)?.status, 'open');
    assert.ok(stored.every((s) => s.takeId === running[0]!.id));

    // And the next shot goes straight in again.
    play(tracker, 300, 340, [310]);
    assert.deepEqual(log.shots.list().map((s) => [s.id, s.status]).slice(-2), [[6, 'closed'], [7, 'open']]);
    log.close();
  });

  test('closing while the database is still full says what is lost', () => {
    const lines: string[] = [];
    const { log } = openLog(createLogger('test', 'info', (line) => lines.push(line)));
    fillUp(log.db);
    const tracker = log.attachCamera({ id: 'cam-1' });
    play(tracker, 0, 120, [60]);
    assert.ok(log.heldWrites());
    log.close();
    assert.ok(
      lines.some((l) => l.includes('ERROR') && l.includes(log.file) && /closing with \d+ write\(s\) of 2 shot\(s\) not written \(SQLITE_FULL: database or disk is full\); they are lost/.test(l)),
      lines.join('\n'),
    );
  });
});

describe('the storage alert', () => {
  const fault = (message: string) => ({ since: T0 + 1000, message });

  test('raised at once, critical; re-announced when its message changes; resolved when the log is written again', () => {
    const events: Alert[] = [];
    const monitor = new AlertMonitor((a) => events.push(a));
    monitor.storageFault(fault('1 shot held'), T0 + 1000);
    monitor.storageFault(fault('1 shot held'), T0 + 1500);
    monitor.tick(T0 + 2000);
    monitor.storageFault(fault('2 shots held'), T0 + 3000);
    monitor.storageFault(null, T0 + 4000);
    monitor.tick(T0 + 5000);
    assert.deepEqual(
      events.map((a) => [a.key, a.kind, a.severity, a.message, a.since, a.resolvedAt]),
      [
        [STORAGE_ALERT_KEY, 'storage', 'critical', '1 shot held', T0 + 1000, null],
        [STORAGE_ALERT_KEY, 'storage', 'critical', '2 shots held', T0 + 1000, null],
        [STORAGE_ALERT_KEY, 'storage', 'critical', '2 shots held', T0 + 1000, T0 + 4000],
      ],
    );
  });

  test('dismissed, it stays quiet while the fault lasts, and comes back with the next one', () => {
    const events: Alert[] = [];
    const monitor = new AlertMonitor((a) => events.push(a));
    monitor.storageFault(fault('held'), T0 + 1000);
    assert.equal(monitor.dismiss(STORAGE_ALERT_KEY, T0 + 2000), true);
    monitor.storageFault(fault('still held'), T0 + 3000);
    monitor.tick(T0 + 4000);
    assert.deepEqual(monitor.active(), []);
    assert.equal(events.length, 2, 'raised, dismissed; nothing since');
    monitor.storageFault(null, T0 + 5000);
    monitor.storageFault({ since: T0 + 6000, message: 'held again' }, T0 + 6000);
    assert.deepEqual(monitor.active().map((a) => [a.message, a.since]), [['held again', T0 + 6000]]);
  });
});
