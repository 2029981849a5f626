/**
 * The shot log at runtime on a real SQLite file: takes (auto-numbered per
 * scene, on some cameras), coverage plans from the config and over the API,
 * coverage with plan status, the plan-missing alert when a take ends short,
 * a camera's tracker writing its shots, and recovery after an unclean stop.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import jpeg from 'jpeg-js';
import { validateConfig } from '../../server/config/load-config.js';
import { CUT_FRAME, CUT_FRAME_BYTES } from '../../server/cuts/cut-detector.js';
import { MAX_LABEL_LENGTH, MAX_PLAN_ITEMS, MAX_STORED_PLANS } from '../../server/coverage/coverage-plan.js';
import { isShotscaleError } from '../../server/errors.js';
import { createLogger, silentLogger } from '../../server/shared/logger.js';
import { CANONICAL_SCALES, type CanonicalScale } from '../../server/shared/scale.js';
import type { Alert, CoverageUpdate, ShotRecord, Take } from '../../server/shared/shots.js';
import { ShotLog, cameraTimecode, clockTime, type ShotLogEvents } from '../../server/shots/shot-log.js';
import { tempDir } from '../support/media.js';

const T0 = Date.UTC(2025, 8, 9, 8, 0, 0);

const CONFIG = validateConfig(
  {
    shots: { timecode: { rate: '25', start: '01:00:00:00' } },
    coverage: {
      plans: [
        {
          scene: '12',
          items: [
            { id: 'master', scale: 'WS+' },
            { id: 'close', label: 'Close-up', scale: 'CU-' },
          ],
        },
      ],
    },
  },
  '(test)',
);

interface Recorded {
  shots: ShotRecord[];
  takes: Take[][];
  coverage: CoverageUpdate[];
  alerts: Alert[];
}

/** A shot log in a fresh (or given) directory with a settable clock and recorded events. */
function openLog(dir = tempDir(), options: { log?: typeof silentLogger; now?: number; config?: typeof CONFIG } = {}) {
  const clock = { now: options.now ?? T0 };
  const recorded: Recorded = { shots: [], takes: [], coverage: [], alerts: [] };
  const events: ShotLogEvents = {
    shot: (s) => recorded.shots.push(s),
    takes: (t) => recorded.takes.push(t),
    coverage: (c) => recorded.coverage.push(c),
    alert: (a) => recorded.alerts.push(a),
  };
  const log = ShotLog.open(dir, options.config ?? CONFIG, () => clock.now, options.log ?? silentLogger, events);
  return { log, clock, recorded, dir };
}

function shot(fields: Partial<ShotRecord> & { scale: CanonicalScale }, seconds = 3): ShotRecord {
  const inTime = fields.inTime ?? T0;
  return {
    id: 0,
    cameraId: 'cam-1',
    status: 'closed',
    inTime,
    outTime: inTime + seconds * 1000,
    rate: '25',
    inFrame: 90000,
    outFrame: 90000 + seconds * 25,
    tcIn: '01:00:00:00',
    tcOut: '',
    durationS: seconds,
    startS: 0,
    scaleStart: null,
    scaleEnd: null,
    confidence: 0.9,
    probabilities: CANONICAL_SCALES.map((s) => (s === fields.scale ? 0.9 : 0.1 / 7)),
    readouts: 5,
    subjects: null,
    reason: null,
    cutIn: 'hard',
    cutOut: 'hard',
    scene: null,
    take: null,
    tags: [],
    note: null,
    hasThumbnail: false,
    ...fields,
  };
}

const brief = (t: Take) => [t.scene, t.take, t.cameras, t.startedAt, t.endedAt];

describe('takes', () => {
  test('take numbers count per scene; a take on every camera ends the one running', () => {
    const { log, clock, recorded } = openLog();
    const first = log.startTake({ scene: ' 12 ' });
    assert.deepEqual(brief(first), ['12', '1', null, T0, null]);
    clock.now = T0 + 5000;
    const second = log.startTake({ scene: '12' });
    assert.deepEqual(brief(second), ['12', '2', null, T0 + 5000, null]);
    assert.deepEqual(brief(log.takeStore.get(first.id)), ['12', '1', null, T0, T0 + 5000]);
    clock.now = T0 + 9000;
    const other = log.startTake({ scene: '14' });
    assert.deepEqual([other.take, log.runningTakes().map((t) => t.id)], ['1', [other.id]]);
    clock.now = T0 + 9500;
    assert.equal(log.startTake({ scene: '12', take: ' 7 ' }).take, '7', 'a take given is kept (trimmed)');
    assert.equal(log.startTake({ scene: '12', take: '' }).take, '8', 'an empty take is the next number');
    // Every change is announced with the takes running.
    assert.deepEqual(
      recorded.takes.map((running) => running.map((t) => `${t.scene}/${t.take}`)),
      [['12/1'], ['12/2'], ['14/1'], ['12/7'], ['12/8']],
    );
    log.close();
  });

  test('takes on some cameras: a take leaves the cameras another starts on, and ends with none left; cameras are deduplicated', () => {
    const { log, clock } = openLog();
    const a = log.startTake({ scene: '3', cameras: ['cam-1', 'cam-1'] });
    assert.deepEqual(a.cameras, ['cam-1']);
    const b = log.startTake({ scene: '4', cameras: ['cam-2', 'cam-5'] });
    assert.deepEqual(log.runningTakes().map((t) => t.id), [a.id, b.id]);
    clock.now = T0 + 1000;
    const c = log.startTake({ scene: '3', cameras: ['cam-3', 'cam-1'] });
    assert.equal(c.take, '2');
    assert.deepEqual(log.runningTakes().map((t) => t.id), [b.id, c.id]);
    assert.equal(log.takeStore.get(a.id).endedAt, T0 + 1000, 'a had no camera left');
    // endTake on cam-2: b runs on on cam-5; then on cam-5 it has none left and ends.
    clock.now = T0 + 2000;
    assert.deepEqual(log.endTake(['cam-2']), []);
    assert.deepEqual(log.takeStore.get(b.id).cameras, ['cam-5']);
    assert.deepEqual(log.endTake(['cam-5']).map((t) => [t.id, t.endedAt]), [[b.id, T0 + 2000]]);
    assert.deepEqual(log.runningTakes().map((t) => t.id), [c.id]);
    // A take on every camera ends every take; endTake() ends all.
    const all = log.startTake({ scene: '5', cameras: [] });
    assert.equal(all.cameras, null, 'an empty camera list is every camera');
    assert.deepEqual(log.runningTakes().map((t) => t.id), [all.id]);
    const d = log.startTake({ scene: '6', cameras: ['cam-4'] });
    assert.deepEqual(log.runningTakes().map((t) => [t.id, t.exceptCameras]), [[all.id, ['cam-4']], [d.id, []]], 'the take on every camera runs on but on cam-4');
    assert.deepEqual(log.endTake().map((t) => t.id), [all.id, d.id]);
    assert.deepEqual(log.runningTakes(), []);
    assert.deepEqual(log.endTake(), []);
    log.close();
  });

  test('a take on every camera stays on the other cameras when a take starts, or ends, on some', () => {
    const { log, clock, recorded } = openLog();
    const trackers = ['cam-1', 'cam-2', 'cam-3'].map((id) => log.attachCamera({ id }));
    const twelve = log.startTake({ scene: '12' });
    clock.now = T0 + 1000;
    const fourteen = log.startTake({ scene: '14', cameras: ['cam-1'] });
    assert.deepEqual(trackers.map((t) => t.currentTake && `${t.currentTake.scene}/${t.currentTake.take}`), ['14/1', '12/1', '12/1']);
    assert.equal(log.takeStore.get(twelve.id).endedAt, null, 'scene 12 still runs on cam-2 and cam-3');
    clock.now = T0 + 2000;
    assert.deepEqual(log.endTake(['cam-2']), [], 'nothing ended on every camera');
    assert.deepEqual(trackers.map((t) => t.currentTake?.scene ?? null), ['14', null, '12']);
    assert.deepEqual(log.takeStore.get(twelve.id).exceptCameras, ['cam-1', 'cam-2']);
    assert.deepEqual(recorded.takes.at(-1)!.map((t) => [t.scene, t.exceptCameras]), [['12', ['cam-1', 'cam-2']], ['14', []]]);
    // Ending all ends scene 12 for good: its end is checked against the plan then.
    clock.now = T0 + 3000;
    assert.deepEqual(log.endTake().map((t) => t.id), [twelve.id, fourteen.id]);
    assert.equal(log.alerts.active()[0]?.key, 'plan-missing:12:1');
    log.close();
  });

  test('a take on every camera ended camera by camera ends with the last camera there is, also when a take starts on that one', () => {
    const { log, clock, recorded } = openLog();
    const cameras = ['cam-1', 'cam-2', 'cam-3'];
    const trackers = cameras.map((id) => log.attachCamera({ id }));
    log.knowCameras(() => cameras);
    const twelve = log.startTake({ scene: '12' });
    clock.now = T0 + 1000;
    assert.deepEqual(log.endTake(['cam-1']), []);
    assert.deepEqual(log.endTake(['cam-2', 'cam-1']), [], 'cam-3 still has the take');
    clock.now = T0 + 2000;
    const ended = log.endTake(['cam-3']);
    assert.deepEqual(ended.map((t) => [t.id, t.endedAt]), [[twelve.id, T0 + 2000]]);
    assert.deepEqual(log.runningTakes(), []);
    assert.deepEqual(recorded.takes.at(-1), []);
    assert.deepEqual(trackers.map((t) => t.currentTake), [null, null, null]);
    // Its end is checked against the plan, as an end on every camera's is.
    assert.equal(log.alerts.active()[0]?.key, 'plan-missing:12:1');

    const fourteen = log.startTake({ scene: '14', exceptCameras: ['cam-1'] });
    clock.now = T0 + 3000;
    const fifteen = log.startTake({ scene: '15', cameras: ['cam-2', 'cam-3'] });
    assert.equal(log.takeStore.get(fourteen.id).endedAt, T0 + 3000, 'a take started on the cameras it had left ends it');
    assert.deepEqual(log.runningTakes().map((t) => t.id), [fifteen.id]);
    log.close();
  });

  test('a removed camera leaves its running take, and a take left with no camera ends, its plan checked; its last shot is cut out by end', () => {
    const { log, clock, recorded } = openLog();
    const cameras = ['cam-2', 'cam-4'];
    log.knowCameras(() => cameras);
    const [, four] = cameras.map((id) => log.attachCamera({ id }));
    const take = log.startTake({ scene: '12', cameras: ['cam-4', 'cam-2'] });
    for (let i = 0; i < 30; i++) four!.cutFrame(1, i, texture(5)(i), T0 + i * 40);
    // The source stopped for the removal (its session ends as a restart would), then the log is told.
    clock.now = T0 + 2000;
    four!.stopForGood();
    four!.endSession('restart', 1);
    cameras.splice(cameras.indexOf('cam-4'), 1);
    log.cameraRemoved('cam-4');
    assert.deepEqual(log.listShots({ cameraIds: ['cam-4'] }).map((s) => s.cutOut), ['end'], 'a camera gone for good: cut out by end');
    assert.deepEqual(log.runningTakes().map((t) => [t.id, t.cameras]), [[take.id, ['cam-2']]], 'the take runs on on cam-2 alone');
    assert.deepEqual(recorded.takes.at(-1)!.map((t) => t.cameras), [['cam-2']], 'dashboards are told');
    // Removing the last camera of the take ends it, as ending it there would, and its plan is checked.
    clock.now = T0 + 3000;
    log.cameraRemoved('cam-2');
    assert.deepEqual(log.runningTakes(), []);
    assert.equal(log.takeStore.get(take.id).endedAt, T0 + 3000);
    assert.deepEqual(log.alerts.active().map((a) => a.key), ['plan-missing:12:1']);
    log.close();
  });

  test('a camera detached without a removal (an edit, a shutdown) keeps its take and is cut out by restart', () => {
    const { log } = openLog();
    const take = log.startTake({ scene: '12', cameras: ['cam-4'] });
    const tracker = log.attachCamera({ id: 'cam-4' });
    for (let i = 0; i < 30; i++) tracker.cutFrame(1, i, texture(5)(i), T0 + i * 40);
    log.detachCamera('cam-4');
    assert.deepEqual(log.listShots({}).map((s) => s.cutOut), ['restart']);
    assert.deepEqual(log.runningTakes().map((t) => [t.id, t.cameras]), [[take.id, ['cam-4']]]);
    log.close();
  });

  test('a take on every camera ends when a camera is removed and every camera left has left the take', () => {
    const { log } = openLog();
    const cameras = ['cam-1', 'cam-2'];
    log.knowCameras(() => cameras);
    const all = log.startTake({ scene: '12' });
    log.endTake(['cam-1']);
    cameras.splice(1, 1);
    log.cameraRemoved('cam-2');
    assert.notEqual(log.takeStore.get(all.id).endedAt, null, 'cam-1, the only camera left, had left it');
    log.close();
  });

  test('a take on every camera ends when its last camera is removed, its plan checked', () => {
    const { log, clock } = openLog();
    const cameras = ['cam-1'];
    log.knowCameras(() => cameras);
    log.attachCamera({ id: 'cam-1' });
    const all = log.startTake({ scene: '12' });
    clock.now = T0 + 1000;
    cameras.splice(0, 1);
    log.cameraRemoved('cam-1');
    assert.deepEqual(log.runningTakes(), [], 'it would run on, "shooting now", on no camera');
    assert.equal(log.takeStore.get(all.id).endedAt, T0 + 1000);
    assert.deepEqual(log.alerts.active().map((a) => a.key), ['plan-missing:12:1']);
    log.close();
  });

  test('a take number used before in the scene is refused (TAKE_EXISTS, naming the next) unless again', () => {
    const { log, clock } = openLog();
    log.startTake({ scene: '12', take: '8' });
    clock.now = T0 + 60_000;
    log.endTake();
    assert.throws(
      () => log.startTake({ scene: '12', take: ' 8 ' }),
      (error: unknown) =>
        isShotscaleError(error, 'TAKE_EXISTS') &&
        error.message === `scene 12 already has a take 8 (shot ${clockTime(T0)} to ${clockTime(T0 + 60_000)}); the next take is 9, or send "again": true to slate take 8 again`,
    );
    assert.deepEqual(log.runningTakes(), [], 'nothing started');
    assert.equal(log.startTake({ scene: '14', take: '8' }).take, '8', 'another scene has its own numbers');
    const again = log.startTake({ scene: '12', take: '8', again: true });
    assert.deepEqual([again.scene, again.take], ['12', '8']);
    assert.throws(() => log.startTake({ scene: '12', take: '8' }), (error: unknown) => isShotscaleError(error, 'TAKE_EXISTS') && /running since/.test(error.message));
    assert.equal(log.startTake({ scene: '12' }).take, '9', 'no number given: the next');
    log.close();
  });

  test("a shot moved to another scene or take belongs to that slate's take, or to none; its number is then refused as used (TAKE_EXISTS)", () => {
    const { log, clock } = openLog();
    const one = log.startTake({ scene: '1', take: '1' });
    const moved = log.shots.add(shot({ scale: 'MS', scene: '1', take: '1' }), one.id);
    clock.now = T0 + 60_000;
    const eight = log.startTake({ scene: '12', take: '8' });
    log.endTake();
    log.markTake(eight.id, 'ng');
    // To a slate that has no take: no take record, and no mark.
    const nowhere = log.patchShot(moved, { scene: ' 99 moved ', take: '07' });
    assert.deepEqual([nowhere.scene, nowhere.take, nowhere.takeId], ['99 moved', '7', null]);
    assert.throws(
      () => log.startTake({ scene: '99 moved', take: '7' }),
      (error: unknown) =>
        isShotscaleError(error, 'TAKE_EXISTS') &&
        error.message === `scene 99 moved already has a take 7 (shot ${clockTime(T0)} to ${clockTime(T0 + 3000)}); the next take is 8, or send "again": true to slate take 7 again`,
    );
    assert.deepEqual(log.runningTakes(), [], 'nothing started');
    assert.equal(log.startTake({ scene: '99 moved' }).take, '8', 'the next number is past the shot’s');
    log.endTake();
    // To a slate that has a take: its id, and its mark.
    const joined = log.patchShot(moved, { scene: '12', take: '8' });
    assert.deepEqual([joined.takeId, joined.takeMark], [eight.id, 'ng']);
    assert.equal(log.patchShot(moved, { take: null }).takeId, null, 'no take: no take record');
    // An edit that moves it nowhere keeps its take.
    log.patchShot(moved, { take: '8' });
    assert.equal(log.patchShot(moved, { scene: '12', note: 'kept' }).takeId, eight.id);
    log.close();
  });

  test('a take without a scene is a bad request', () => {
    const { log } = openLog();
    for (const request of [{ scene: '' }, { scene: '   ' }, {} as { scene: string }]) {
      assert.throws(
        () => log.startTake(request),
        (error: unknown) => isShotscaleError(error, 'BAD_REQUEST') && /needs a scene/.test(error.message),
      );
    }
    assert.deepEqual(log.takeStore.list(), []);
    log.close();
  });
});

describe('plans and coverage', () => {
  test('plans are bounded: items and label lengths per plan, and how many scenes are stored; a stored scene can still be replaced', () => {
    const { log } = openLog();
    const items = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `i${i}`, scale: 'MS' }));
    assert.equal(log.setPlan('big', { items: items(MAX_PLAN_ITEMS) }).items.length, MAX_PLAN_ITEMS);
    assert.throws(() => log.setPlan('bigger', { items: items(MAX_PLAN_ITEMS + 1) }), (error: unknown) => isShotscaleError(error, 'PLAN_INVALID') && /items: at most 64 items \(65 given\)/.test(error.message));
    assert.throws(() => log.setPlan('long', { items: [{ id: 'a', scale: 'MS', label: 'x'.repeat(MAX_LABEL_LENGTH + 1) }] }), (error: unknown) => isShotscaleError(error, 'PLAN_INVALID') && /label: at most/.test(error.message));
    for (let i = 1; i < MAX_STORED_PLANS; i++) log.setPlan(`s${i}`, { items: items(1) });
    assert.throws(() => log.setPlan('one-more', { items: items(1) }), (error: unknown) => isShotscaleError(error, 'PLAN_INVALID') && /at most 500 coverage plans/.test(error.message));
    assert.equal(log.setPlan('s1', { items: items(2) }).items.length, 2, 'a stored scene is replaced, not added');
    assert.ok(log.removePlan('s2'));
    assert.equal(log.setPlan('one-more', { items: items(1) }).scene, 'one-more', 'room again once one is removed');
    log.close();
  });

  test('plans from the config and from setPlan; stored ones survive a reopen; a scene mismatch is refused', () => {
    const { log, dir } = openLog();
    assert.deepEqual(log.plan('12'), {
      scene: '12',
      items: [
        { id: 'master', label: 'WS or wider', tightest: 'WS', widest: 'EWS', count: 1, minDurationS: 2 },
        { id: 'close', label: 'Close-up', tightest: 'ECU', widest: 'CU', count: 1, minDurationS: 2 },
      ],
    });
    assert.equal(log.plan('2'), null);
    const set = log.setPlan('2', { items: [{ id: 'two', scale: 'MS', framing: 'two-shot', count: 2 }] });
    assert.deepEqual(set, { scene: '2', items: [{ id: 'two', label: 'MS, two-shot, 2 shots', tightest: 'MS', widest: 'MS', framing: 'two-shot', count: 2, minDurationS: 2 }], revision: 2, source: 'stored' });
    assert.throws(
      () => log.setPlan('2', { scene: '3', items: [{ id: 'x', scale: 'CU' }] }),
      (error: unknown) => isShotscaleError(error, 'PLAN_INVALID') && error.message === 'the plan is for scene "3" but was sent to scene "2"',
    );
    assert.throws(() => log.setPlan('2', { items: [{ id: 'x', scale: 'XL' }] }), (error: unknown) => isShotscaleError(error, 'PLAN_INVALID'));
    assert.deepEqual(log.planRecord('2'), set, 'a refused plan changes nothing');
    // A stored plan overrides the config's for its scene.
    log.setPlan('12', { items: [{ id: 'wide', scale: 'EWS' }] });
    assert.deepEqual(log.plan('12')!.items.map((i) => i.id), ['wide']);
    assert.deepEqual(log.allPlans().map((p) => p.scene), ['2', '12'], 'numeric order');
    log.close();

    const again = openLog(dir).log;
    assert.deepEqual(again.planRecord('2'), set);
    assert.deepEqual(again.plan('12')!.items.map((i) => i.id), ['wide']);
    assert.equal(again.removePlan('12'), true);
    assert.deepEqual(again.plan('12')!.items.map((i) => i.id), ['master', 'close'], 'the config plan is back');
    assert.equal(again.removePlan('12'), false, 'config plans are not stored');
    again.close();
  });

  test('plan revisions: a save or delete naming a stale revision is refused with the plan as it is now, and changes nothing', () => {
    const dir = tempDir();
    const changed: string[] = [];
    const log = ShotLog.open(dir, CONFIG, () => T0, silentLogger, { shot: () => undefined, takes: () => undefined, coverage: () => undefined, alert: () => undefined, planChanged: (scene) => changed.push(scene) });
    const conflict = (revision: number) => (error: unknown) => isShotscaleError(error, 'PLAN_CONFLICT') && (error.details as { revision: number }).revision === revision;
    // The config's plan is revision 0; storing one over it names 0.
    assert.deepEqual([log.planRecord('12')!.revision, log.planRecord('12')!.source], [0, 'config']);
    const a = log.setPlan('12', { items: [{ id: 'master', scale: 'WS+' }, { id: 'ms', scale: 'MS' }] }, 0);
    assert.deepEqual([a.revision > 0, a.source, a.overridesConfig], [true, 'stored', true]);
    // B loaded the config's plan (revision 0) before A saved: B's save is refused, A's plan stands.
    assert.throws(() => log.setPlan('12', { items: [{ id: 'master', label: 'Master', scale: 'WS+' }] }, 0), conflict(a.revision));
    assert.equal(log.planRecord('12')!.items.length, 2);
    assert.throws(() => log.removePlan('12', a.revision - 1), conflict(a.revision));
    assert.equal(log.planRecord('12')!.revision, a.revision);
    // Without a revision, as before revisions: the plan is replaced whatever it is.
    const b = log.setPlan('12', { items: [{ id: 'wide', scale: 'EWS' }] });
    assert.ok(b.revision > a.revision);
    const c = log.setPlan('12', { items: [{ id: 'wide', scale: 'EWS' }, { id: 'cu', scale: 'CU' }] }, b.revision);
    assert.equal(log.removePlan('12', c.revision), true);
    assert.deepEqual(log.planRecord('12')!.revision, 0, 'the config plan is back');
    // A scene without any plan is revision 0 too: a new plan names 0, and a second client's "new" plan is then refused.
    const made = log.setPlan('40', { items: [{ id: 'master', scale: 'WS+' }] }, 0);
    assert.throws(() => log.setPlan('40', { items: [{ id: 'other', scale: 'MS' }] }, 0), conflict(made.revision));
    assert.equal(log.removePlan('40', made.revision), true);
    assert.throws(() => log.setPlan('40', { items: [{ id: 'again', scale: 'MS' }] }, made.revision), (error: unknown) => isShotscaleError(error, 'PLAN_CONFLICT') && /deleted/.test(error.message));
    assert.deepEqual(changed, ['12', '12', '12', '12', '40', '40'], 'every stored or removed plan is announced, a refused change is not');
    log.close();
  });

  test('coverage of a scene: stats, per camera, and the plan’s status', () => {
    const { log } = openLog();
    const wide = log.shots.add(shot({ scale: 'WS', scene: '12', take: '1' }, 4), null);
    const mid = log.shots.add(shot({ scale: 'MS', scene: '12', take: '2', cameraId: 'cam-2', inTime: T0 + 4000 }, 2), null);
    log.shots.add(shot({ scale: 'CU', scene: '13', take: '1', inTime: T0 + 6000 }), null);
    const report = log.coverage({ scene: '12' });
    assert.deepEqual([report.stats.shots, report.stats.seconds, report.stats.averageShotLengthS], [2, 6, 3]);
    assert.deepEqual(Object.keys(report.perCamera).sort(), ['cam-1', 'cam-2']);
    assert.deepEqual(report.scene!.plan, [
      { id: 'master', label: 'WS or wider', met: true, shotIds: [wide], needed: 1 },
      { id: 'close', label: 'Close-up', met: false, shotIds: [], needed: 1 },
    ]);
    assert.deepEqual(report.scene!.missing, ['close']);
    const take2 = log.coverage({ scene: '12', take: '2' });
    assert.deepEqual([take2.stats.shots, take2.scene!.take, take2.scene!.missing], [1, '2', ['master', 'close']]);
    assert.deepEqual(take2.scene!.stats.byScale.MS, { count: 1, seconds: 2 });
    assert.equal(take2.scene!.plan![0]!.shotIds.length, 0, `shot ${mid} is not wide`);
    assert.equal(log.coverage({}).scene, null);
    assert.equal(log.coverage({}).stats.shots, 3);
    assert.equal(log.coverage({ scene: '13' }).scene!.plan, null, 'no plan for scene 13');
    log.close();
  });

  test("an NG take's shots are left out of the report's top-level figures as out of its scene block's; the scene's marks name them", () => {
    const { log } = openLog();
    const one = log.startTake({ scene: '12', take: '1' });
    log.shots.add(shot({ scale: 'WS', scene: '12', take: '1' }, 4), one.id);
    const two = log.startTake({ scene: '12', take: '2' });
    log.shots.add(shot({ scale: 'MS', scene: '12', take: '2', cameraId: 'cam-2', inTime: T0 + 4000 }, 2), two.id);
    log.shots.add(shot({ scale: 'CU', scene: '12', take: '2', cameraId: 'cam-2', inTime: T0 + 6000 }, 2), two.id);
    log.endTake();
    log.markTake(two.id, 'ng');
    const figures = (report: ReturnType<typeof log.coverage>) => [report.stats.shots, report.scene?.stats.shots, Object.keys(report.perCamera), Object.keys(report.scene?.perCamera ?? {})];
    assert.deepEqual(figures(log.coverage({ scene: '12', take: '2' })), [0, 0, [], []], 'take 2 alone: nothing counts');
    assert.deepEqual(log.coverage({ scene: '12', take: '2' }).scene!.marks, [{ take: '2', mark: 'ng', shots: 2 }]);
    const scene = log.coverage({ scene: '12' });
    assert.deepEqual(figures(scene), [1, 1, ['cam-1'], ['cam-1']]);
    assert.equal(scene.stats.seconds, scene.scene!.stats.seconds);
    assert.equal(log.coverage({}).stats.shots, 1, 'without a scene too');
    log.markTake(two.id, null);
    assert.equal(log.coverage({ scene: '12' }).stats.shots, 3, 'a mark cleared counts them again');
    log.close();
  });

  test('a take ending with plan items missing raises a plan-missing alert; a take that covers them resolves it', () => {
    const { log, clock, recorded } = openLog();
    const take1 = log.startTake({ scene: '12' });
    log.shots.add(shot({ scale: 'EWS', scene: '12', take: '1' }), take1.id);
    clock.now = T0 + 60_000;
    // Starting take 2 ends take 1: the alert is raised then.
    const take2 = log.startTake({ scene: '12' });
    const raised: Alert = {
      key: 'plan-missing:12:1',
      kind: 'plan-missing',
      severity: 'warning',
      cameraIds: [],
      scene: '12',
      message: 'Scene 12 take 1 ended without Close-up',
      since: T0 + 60_000,
      resolvedAt: null,
    };
    assert.deepEqual(recorded.alerts, [raised]);
    assert.deepEqual(log.alertHistory(), [raised]);
    assert.deepEqual(log.alerts.active(), [raised]);
    log.shots.add(shot({ scale: 'ECU', scene: '12', take: '2', inTime: T0 + 61_000 }), take2.id);
    clock.now = T0 + 90_000;
    log.endTake();
    const resolved = { ...raised, resolvedAt: T0 + 90_000 };
    assert.deepEqual(recorded.alerts, [raised, resolved]);
    assert.deepEqual(log.alertHistory(), [resolved], 'the same row, resolved');
    assert.deepEqual(log.alerts.active(), []);
    // A scene without a plan raises nothing.
    log.startTake({ scene: '99' });
    log.endTake();
    assert.equal(recorded.alerts.length, 2);
    log.close();
  });

  test('the live coverage carries every running take, newest first, beside the current one; none running, the last ended take is current', () => {
    const { log, clock } = openLog();
    log.setPlan('14', { items: [{ id: 'wide', label: 'Wide', scale: 'WS+', minDurationS: 0 }, { id: 'close', label: 'Close', scale: 'CU-', minDurationS: 0 }] });
    assert.deepEqual([log.coverageUpdate().current, log.coverageUpdate().running], [null, []], 'no take yet');
    // Scene 12 take 3 on cam-1 and cam-2, scene 14 take 1 on cam-3: two units shooting at once.
    const twelve = log.startTake({ scene: '12', take: '3', cameras: ['cam-1', 'cam-2'] });
    log.shots.add(shot({ scale: 'WS', scene: '12', take: '3' }), twelve.id);
    clock.now = T0 + 1000;
    const fourteen = log.startTake({ scene: '14', cameras: ['cam-3'] });
    log.shots.add(shot({ scale: 'CU', scene: '14', take: '1', cameraId: 'cam-3', inTime: T0 + 1000 }), fourteen.id);
    const lines = (update: CoverageUpdate) => update.running.map((c) => [c.scene, c.take, c.plan?.filter((i) => i.met).map((i) => i.id), c.missing]);
    const both = log.coverageUpdate();
    assert.deepEqual(lines(both), [
      ['14', '1', ['close'], ['wide']],
      ['12', '3', ['master'], ['close']],
    ]);
    assert.deepEqual(both.current, both.running[0], 'the current take is the newest running one, as before');
    // Scene 14 ends on cam-3: scene 12 take 3 runs on, alone, and is current.
    clock.now = T0 + 2000;
    log.endTake(['cam-3']);
    const one = log.coverageUpdate();
    assert.deepEqual(lines(one), [['12', '3', ['master'], ['close']]]);
    assert.deepEqual([one.current?.scene, one.current?.take], ['12', '3']);
    // None running: `running` is empty, and the take that ended last is current.
    clock.now = T0 + 3000;
    log.endTake();
    const none = log.coverageUpdate();
    assert.deepEqual(none.running, []);
    assert.deepEqual([none.current?.scene, none.current?.take], ['12', '3']);
    log.close();
  });

  test('unmet items are named, counts as n of m', () => {
    const { log, clock, recorded } = openLog();
    log.setPlan('8', { items: [{ id: 'singles', label: 'Singles', scale: 'MCU..CU', count: 2 }, { id: 'wide', scale: 'WS' }] });
    const take = log.startTake({ scene: '8' });
    log.shots.add(shot({ scale: 'CU', scene: '8', take: take.take }), take.id);
    clock.now = T0 + 1000;
    log.endTake();
    assert.deepEqual(
      recorded.alerts.map((a) => [a.key, a.message]),
      [['plan-missing:8:1', 'Scene 8 take 1 ended without Singles (1 of 2); WS']],
    );
    log.close();
  });
});

// ---- a camera's tracker writing through the log ----

const { width: W, height: H } = CUT_FRAME;

/** A deterministic random texture for the cut frames (a hard cut between two of them is found). */
function texture(seed: number): (noise: number) => Uint8Array {
  let a = seed;
  const rnd = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const waves = Array.from({ length: 6 }, () => ({ fx: (rnd() * 3 + 0.3) / W, fy: (rnd() * 2.5 + 0.3) / H, phase: rnd() * 6.283, amp: 15 + rnd() * 20 }));
  const base = 90 + rnd() * 70;
  const clean = Array.from({ length: CUT_FRAME_BYTES }, (_, i) => base + waves.reduce((v, w) => v + w.amp * Math.sin(2 * Math.PI * (w.fx * (i % W) + w.fy * Math.floor(i / W)) + w.phase), 0));
  return (noise) => Uint8Array.from(clean, (v, i) => Math.max(0, Math.min(255, Math.round(v + (((i * 7919 + noise * 104729) % 7) - 3)))));
}

describe('a camera through the log', () => {
  test("an edited camera's timecode counts on from where it was (the same settings); a removed one's counts on after its log", () => {
    const { log } = openLog();
    const frames = (tracker: ReturnType<typeof log.attachCamera>, session: number, wallMs: number, count: number) => {
      for (let i = 0; i < count; i++) tracker.cutFrame(session, i, texture(5)(i), wallMs + i * 40);
      tracker.endSession('end', session);
    };
    frames(log.attachCamera({ id: 'cam-1' }), 1, T0, 50);
    // Edited 60 s later: a new tracker (a new source) for the same camera.
    frames(log.attachCamera({ id: 'cam-1' }, { firstSession: 2 }), 2, T0 + 60_000, 25);
    log.cameraRemoved('cam-1');
    frames(log.attachCamera({ id: 'cam-1' }), 1, T0 + 120_000, 25);
    // Back 59 s after its last frame (01:01:01:00): the clock ran on, its log has no repeat.
    assert.deepEqual(log.listShots({ cameraIds: ['cam-1'] }).map((s) => s.tcIn), ['01:00:00:00', '01:01:00:00', '01:02:00:00']);
  });

  test('after a restart each camera counts on after its last shot as the clock ran (the time down included); one with no shots, and a file, start at the start', () => {
    const dir = tempDir();
    const first = openLog(dir);
    const frames = (tracker: ReturnType<ShotLog['attachCamera']>, wallMs: number, count: number) => {
      for (let i = 0; i < count; i++) tracker.cutFrame(1, i, texture(5)(i), wallMs + i * 40);
    };
    frames(first.log.attachCamera({ id: 'cam-1' }), T0, 50);
    frames(first.log.attachCamera({ id: 'cam-2' }), T0, 100);
    // Killed: the open shots were last written at frames 49 and 98 (every quarter second), out at 50 and 99.
    (first.log as unknown as { dirLock: { release(): void } }).dirLock.release();
    const ends = ['cam-1', 'cam-2'].map((id) => first.log.shots.list({ cameraIds: [id] }).at(-1)!);
    assert.deepEqual(
      ends.map((s) => [s.tcOut, s.outTime]),
      [
        ['01:00:02:00', T0 + 50 * 40],
        ['01:00:03:24', T0 + 99 * 40],
      ],
    );

    const second = openLog(dir, { now: T0 + 60_000 });
    // Back 30 s later: 30 s of frames after each camera's last out point.
    frames(second.log.attachCamera({ id: 'cam-1' }), T0 + 50 * 40 + 30_000, 25);
    frames(second.log.attachCamera({ id: 'cam-2' }), T0 + 99 * 40 + 30_000, 25);
    frames(second.log.attachCamera({ id: 'cam-3' }), T0 + 30_000, 25);
    // A file logged offline under a camera with shots: its frames are its own media time.
    const offline = second.log.attachCamera({ id: 'cam-2', timecode: { start: '00:10:00:00' } }, { offline: true });
    frames(offline, T0 + 40_000, 1);
    second.log.detachCamera('cam-2');
    const tcIns = (id: string) => second.log.listShots({ cameraIds: [id] }).map((s) => s.tcIn);
    assert.deepEqual(tcIns('cam-2'), ['01:00:00:00', '01:00:33:24', '00:10:00:00']);
    assert.deepEqual(tcIns('cam-3'), ['01:00:00:00']);
    assert.deepEqual(tcIns('cam-1'), ['01:00:00:00', '01:00:32:00']);
    second.log.close();
    first.log.db.close();
  });

  test('shots from the tracker are stored with their take, written as they grow, closed with a JPEG thumbnail', () => {
    const { log, recorded } = openLog();
    const take = log.startTake({ scene: '12', cameras: ['cam-1'] });
    const tracker = log.attachCamera({ id: 'cam-1' });
    assert.deepEqual(tracker.currentTake, { id: take.id, scene: '12', take: '1' });
    const [A, B] = [texture(11), texture(22)];
    const thumb = (f: number) => ({ timeS: f / 25, width: 8, height: 8, data: new Uint8Array(8 * 8 * 3).fill(f * 2) });
    for (let i = 0; i < 100; i++) {
      tracker.cutFrame(1, i, (i < 50 ? A : B)(i), T0 + i * 40);
      const f = i - 3; // the analysis 3 frames behind, 5 a second
      if (f >= 0 && f % 5 === 0) {
        const label: CanonicalScale = f < 50 ? 'CU' : 'WS';
        tracker.readout(1, f / 25, T0 + f * 40, { smoothed: CANONICAL_SCALES.map((s) => (s === label ? 1 : 0)), label }, thumb(f));
      }
      if (i === 30) {
        // The database is up to a quarter second behind; the log shows the open shot as it stands.
        const stored = log.shots.get(1);
        assert.deepEqual([stored.status, stored.outFrame, stored.takeId], ['open', 90029, take.id]);
        assert.deepEqual(log.listShots({}).map((s) => [s.id, s.status, s.outFrame, s.takeId]), [[1, 'open', 90031, take.id]]);
        assert.equal(log.shot(1).outFrame, 90031);
      }
    }
    log.detachCamera('cam-1');
    assert.equal(log.tracker('cam-1'), undefined);
    const shots = log.listShots({ cameraIds: ['cam-1'] });
    assert.deepEqual(
      shots.map((s) => [s.id, s.status, s.tcIn, s.tcOut, s.inTime, s.outTime, s.scale, s.readouts, s.cutIn, s.cutOut, s.scene, s.take, s.takeId, s.hasThumbnail]),
      [
        [1, 'closed', '01:00:00:00', '01:00:02:00', T0, T0 + 2000, 'CU', 10, 'start', 'hard', '12', '1', take.id, true],
        [2, 'closed', '01:00:02:00', '01:00:04:00', T0 + 2000, T0 + 4000, 'WS', 10, 'hard', 'restart', '12', '1', take.id, true],
      ],
    );
    const image = jpeg.decode(log.shots.thumbnail(1)!, { useTArray: true });
    assert.deepEqual([image.width, image.height], [8, 8]);
    assert.ok(Math.abs(image.data[0]! - 50) <= 3, `the frame nearest mid-shot (25) has grey 50, got ${image.data[0]}`);
    // Announced: open, close, open, close.
    assert.deepEqual(
      recorded.shots.map((s) => [s.id, s.status, s.hasThumbnail]),
      [
        [1, 'open', false],
        [1, 'closed', true],
        [2, 'open', false],
        [2, 'closed', true],
      ],
    );
    log.close();
  });

  test(
    'a shot of a take that opens after the take ended (its cut waited for the analysis) keeps the take’s id',
    () => {
      const { log, clock } = openLog();
      const take = log.startTake({ scene: '12', cameras: ['cam-1'] });
      const tracker = log.attachCamera({ id: 'cam-1' });
      const [A, B] = [texture(11), texture(22)];
      for (let i = 0; i < 100; i++) {
        tracker.cutFrame(1, i, (i < 50 ? A : B)(i), T0 + i * 40);
        const f = i - 20; // the analysis 20 frames behind: the cut at 50 (reported at 55) waits for it until frame 70
        if (f >= 0 && f % 5 === 0) tracker.readout(1, f / 25, T0 + f * 40, { smoothed: CANONICAL_SCALES.map((s) => (s === 'MS' ? 1 : 0)), label: 'MS' }, null);
        if (i === 60) {
          clock.now = T0 + 2440;
          log.endTake();
        }
      }
      log.detachCamera('cam-1');
      assert.deepEqual(
        log.listShots({}).map((s) => [s.inFrame - 90000, s.outFrame - 90000, s.scene, s.take, s.takeId]),
        [
          [0, 50, '12', '1', take.id],
          [50, 61, '12', '1', take.id],
          [61, 100, null, null, null],
        ],
      );
      log.close();
    },
  );

  test(
    'two takes started within one frame: the shot is stored with the second, as it is announced',
    () => {
      const { log, recorded } = openLog();
      const tracker = log.attachCamera({ id: 'cam-1' });
      const A = texture(11);
      let second: Take | null = null;
      for (let i = 0; i < 60; i++) {
        tracker.cutFrame(1, i, A(i), T0 + i * 40);
        const f = i - 3;
        if (f >= 0 && f % 5 === 0) tracker.readout(1, f / 25, T0 + f * 40, { smoothed: CANONICAL_SCALES.map((s) => (s === 'MS' ? 1 : 0)), label: 'MS' }, null);
        if (i === 20) {
          log.startTake({ scene: '4' });
          second = log.startTake({ scene: '4' }); // take 1 ends at once: no frame of it on this camera
        }
      }
      log.detachCamera('cam-1');
      const announced = recorded.shots.filter((s) => s.status === 'closed').map((s) => [s.id, s.scene, s.take]);
      assert.deepEqual(announced, [
        [1, null, null],
        [2, '4', '2'],
      ]);
      assert.deepEqual(
        log.listShots({}).map((s) => [s.id, s.scene, s.take, s.takeId]),
        [
          [1, null, null, null],
          [2, '4', '2', second!.id],
        ],
      );
      log.close();
    },
  );

  test('a camera timecode that does not exist at its rate is a config error', () => {
    assert.throws(
      () => cameraTimecode({ id: 'cam-9', timecode: { rate: '29.97DF', start: '00:01:00;00' } }, CONFIG.shots.timecode),
      (error: unknown) => isShotscaleError(error, 'CONFIG_INVALID') && error.message.startsWith('camera "cam-9": timecode start: '),
    );
  });
});

describe('recovery', () => {
  /** A log with a plan-missing alert (scene 12 take 1) and scene 12 take 2 running on cam-1, its shot written to frame 36; the process then dies. */
  function crashDuringTake() {
    const first = openLog();
    first.log.startTake({ scene: '12' });
    first.clock.now = T0 + 1000;
    first.log.endTake(); // plan-missing: nothing shot
    const take = first.log.startTake({ scene: '12', cameras: ['cam-1'] });
    const tracker = first.log.attachCamera({ id: 'cam-1' });
    const A = texture(5);
    for (let i = 0; i < 41; i++) tracker.cutFrame(1, i, A(i), T0 + 2000 + i * 40);
    // Written at frames 7, 14, 21, 28 and 35 (every quarter second): out at frame 36.
    assert.equal(first.log.shots.get(1).outFrame, 90036);
    assert.equal(first.log.alertHistory()[0]!.resolvedAt, null);
    // The process dies here: first.log is never closed, and the operating
    // system lets go of its lock on the data directory. A new one opens it.
    (first.log as unknown as { dirLock: { release(): void } }).dirLock.release();
    return { dir: first.dir, take, lastFrame: T0 + 2000 + 36 * 40 };
  }

  test('restarted soon after a crash: the open shot closed at its last frame, the take runs on with its gap noted to its first shot since and an alert at once that says the gap once known, plan alerts kept', () => {
    const { dir, take, lastFrame } = crashDuringTake();
    const lines: string[] = [];
    const logger = createLogger('test', 'info', (line) => lines.push(line));
    const restart = T0 + 100_000;
    const second = openLog(dir, { log: logger, now: restart });
    const recovered = second.log.shots.get(1);
    assert.deepEqual([recovered.status, recovered.cutOut, recovered.outFrame, recovered.outTime, recovered.takeId], ['closed', 'restart', 90036, lastFrame, take.id]);
    assert.deepEqual(
      second.log.runningTakes().map((t) => [t.id, t.scene, t.take, t.cameras, t.endedAt, t.gaps]),
      [[take.id, '12', '2', ['cam-1'], null, [{ from: lastFrame, to: restart }]]],
      'the same take, running again on the same cameras; its gap known to the restart so far',
    );
    const since = `The server restarted during scene 12 take 2: no shots since ${clockTime(lastFrame)}; the take runs on`;
    assert.deepEqual(
      second.log.alerts.active().map((a) => [a.key, a.kind === 'plan-missing' ? a.scene : a.message]),
      [
        ['plan-missing:12:1', '12'],
        [`take-interrupted:12:2:${lastFrame}`, since],
      ],
      'alerted at once, its end not known yet',
    );
    assert.ok(lines.some((l) => l.includes('WARN') && l.includes(since)), lines.join('\n'));
    // The camera back 8 s after the log opened (the model and ffmpeg take their time): the gap ends at the take's first shot since.
    const tracker = second.log.attachCamera({ id: 'cam-1' });
    assert.equal(tracker.currentTake?.id, take.id, 'its shots are slated with the take again');
    const firstShotAt = restart + 8000;
    for (let i = 0; i < 20; i++) tracker.cutFrame(1, i, texture(5)(i), firstShotAt + i * 40);
    const [firstShot] = second.log.listShots({ from: restart });
    assert.deepEqual([firstShot?.inTime, firstShot?.takeId], [firstShotAt, take.id]);
    assert.deepEqual(second.log.takeStore.get(take.id).gaps, [{ from: lastFrame, to: firstShotAt }]);
    assert.deepEqual(second.recorded.takes.at(-1)!.map((t) => t.gaps), [[{ from: lastFrame, to: firstShotAt }]], 'dashboards are told');
    const message = `The server restarted during scene 12 take 2: no shots from ${clockTime(lastFrame)} to ${clockTime(firstShotAt)}; the take runs on`;
    assert.deepEqual(
      second.log.alerts.active().map((a) => [a.key, a.kind, a.severity, a.kind === 'plan-missing' ? a.scene : a.message]),
      [
        ['plan-missing:12:1', 'plan-missing', 'warning', '12'],
        [`take-interrupted:12:2:${lastFrame}`, 'take-interrupted', 'warning', message],
      ],
    );
    assert.deepEqual(
      second.log.alertHistory().map((a) => [a.key, a.resolvedAt]),
      [
        [`take-interrupted:12:2:${lastFrame}`, null],
        ['plan-missing:12:1', null],
      ],
      'the plan alert is not resolved by the restart',
    );
    assert.ok(lines.some((l) => l.includes('WARN') && l.includes('closed 1 shot(s) left open by an unclean stop')), lines.join('\n'));
    assert.ok(lines.some((l) => l.includes('WARN') && l.includes(message)), lines.join('\n'));
    assert.equal(second.log.alertHistory().find((a) => a.kind === 'take-interrupted')!.message, message, 'its record says the gap too, one record');
    // Dismissed, it stays gone after another restart; that restart's own gap is alerted at once, and says its end when known (here: the take ends first).
    assert.ok(second.log.dismissAlert(`take-interrupted:12:2:${lastFrame}`));
    (second.log as unknown as { dirLock: { release(): void } }).dirLock.release();
    const third = openLog(dir, { now: restart + 20_000 });
    // Another gap (shots came between), another alert: keyed by its start, the take's last frame before this stop.
    const [, secondGap] = third.log.takeStore.get(take.id).gaps;
    assert.ok(secondGap && secondGap.from > firstShotAt, JSON.stringify(secondGap));
    assert.deepEqual(third.log.alerts.active().map((a) => a.key), ['plan-missing:12:1', `take-interrupted:12:2:${secondGap.from}`]);
    third.clock.now = restart + 25_000;
    third.log.endTake();
    assert.deepEqual(third.log.alerts.active().map((a) => a.key).filter((k) => k.startsWith('take-interrupted')), [`take-interrupted:12:2:${secondGap.from}`]);
    assert.deepEqual(third.log.takeStore.get(take.id).gaps.at(-1)?.to, restart + 25_000, 'the take ended before any shot came: the gap ran to its end');
    assert.match(third.log.alerts.active().find((a) => a.kind === 'take-interrupted')!.message, /; the take ended then$/);
    third.log.close();
    second.log.db.close();
  });

  test('a second restart before any shot came widens the same gap rather than noting another', () => {
    const { dir, take, lastFrame } = crashDuringTake();
    const second = openLog(dir, { now: T0 + 100_000 });
    second.log.close();
    const third = openLog(dir, { now: T0 + 200_000 });
    assert.deepEqual(third.log.takeStore.get(take.id).gaps, [{ from: lastFrame, to: T0 + 200_000 }]);
    third.log.close();
  });

  test('restarted after a long outage: the take ends at its last frame, its plan is checked, and the alert says so', () => {
    const { dir, take, lastFrame } = crashDuringTake();
    const restart = lastFrame + 2 * 3600_000;
    const second = openLog(dir, { now: restart });
    assert.deepEqual(second.log.runningTakes(), []);
    assert.equal(second.log.takeStore.get(take.id).endedAt, lastFrame, 'ended at its last shot’s out point');
    assert.deepEqual(
      second.log.alerts.active().map((a) => [a.key, a.kind === 'plan-missing' ? a.scene : a.message]),
      [
        ['plan-missing:12:2', '12'],
        [
          `take-interrupted:12:2:${lastFrame}`,
          `The server restarted during scene 12 take 2 after 2 h down (longer than 15 min): the take was ended at its last frame, ${clockTime(lastFrame)}; no shots from ${clockTime(lastFrame)} to ${clockTime(restart)}`,
        ],
      ],
    );
    second.log.close();
  });

  test('shots.resumeTakeWithinS sets how long an outage a take runs on after', () => {
    const { dir, take, lastFrame } = crashDuringTake();
    const config = { ...CONFIG, shots: { ...CONFIG.shots, resumeTakeWithinS: 10 } };
    const second = openLog(dir, { now: lastFrame + 11_000, config });
    assert.equal(second.log.takeStore.get(take.id).endedAt, lastFrame);
    second.log.close();
  });
});
