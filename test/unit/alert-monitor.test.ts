import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AlertMonitor, alertSettingsSchema, formatDuration, type AlertSettingsInput } from '../../server/coverage/alert-monitor.js';
import type { CanonicalScale } from '../../server/shared/scale.js';
import type { Alert, PlanItemStatus } from '../../server/shared/shots.js';
import type { CameraState, CameraStatus } from '../../server/shared/socket-events.js';

const T0 = Date.UTC(2025, 0, 1, 10, 0, 0);
const at = (seconds: number) => T0 + seconds * 1000;

function cameraStatus(cameraId: string, state: CameraState, sinceS: number, name = cameraId): CameraStatus {
  return {
    cameraId,
    name,
    enabled: state !== 'stopped',
    sourceKind: 'testsrc',
    source: 'testsrc2',
    state,
    since: at(sinceS),
    analysisFps: 5,
    measuredFps: state === 'live' ? 5 : 0,
    framesIn: 0,
    framesDropped: 0,
    reconnects: 0,
    stalls: 0,
    lastError: null,
    errorCode: null,
    lastStderr: [],
  };
}

/** A monitor plus a script: cameras go live, show labels, time passes. */
function harness(settings: AlertSettingsInput = {}) {
  const events: Alert[] = [];
  const monitor = new AlertMonitor((alert) => events.push(alert), settings);
  return {
    monitor,
    events,
    /** The same events, unnarrowed: assert.deepEqual(h.events, []) narrows h.events to never[]. */
    log: (): Alert[] => events,
    live(sinceS: number, ...ids: string[]) {
      for (const id of ids) monitor.cameraStatus(cameraStatus(id, 'live', sinceS), at(sinceS));
    },
    state(id: string, state: CameraState, s: number) {
      monitor.cameraStatus(cameraStatus(id, state, s), at(s));
    },
    show(s: number, labels: Record<string, CanonicalScale>) {
      for (const [id, label] of Object.entries(labels)) monitor.readout(id, label, at(s));
    },
    tick(s: number) {
      monitor.tick(at(s));
    },
    raised: () => events.filter((e) => e.resolvedAt === null).map((e) => e.key),
    resolved: () => events.filter((e) => e.resolvedAt !== null).map((e) => e.key),
    activeKeys: () => monitor.active().map((a) => a.key),
  };
}

function missing(id: string, label: string, needed = 1, shotIds: number[] = []): PlanItemStatus {
  return { id, label, met: false, shotIds, needed };
}

describe('alert settings', () => {
  test('defaults, strict keys, and a description on every field', () => {
    assert.deepEqual(alertSettingsSchema.parse({}), { doublingS: 10, doublingIgnore: [], doublingCameras: null, stuckS: 300, stalledS: 3, noPictureS: 5, frozenS: 10 });
    assert.equal(alertSettingsSchema.safeParse({ doublingSeconds: 5 }).success, false);
    assert.equal(alertSettingsSchema.safeParse({ doublingIgnore: ['XX'] }).success, false);
    assert.equal(alertSettingsSchema.safeParse({ stuckS: 0 }).success, false);
    for (const [key, field] of Object.entries(alertSettingsSchema.shape)) assert.ok(field.description, `${key} has no description`);
  });

  test('the monitor validates its settings', () => {
    assert.throws(() => new AlertMonitor(() => {}, { stalledS: -1 }));
  });
});

describe('doubling', () => {
  test('two live cameras on the same scale for more than doublingS, then resolved when one moves', () => {
    const h = harness();
    h.live(0, 'cam-1', 'cam-2');
    h.show(1, { 'cam-1': 'WS' });
    h.show(2, { 'cam-2': 'WS' });
    h.tick(12);
    assert.deepEqual(h.events, [], 'exactly doublingS (10 s) is not more than it');
    h.tick(14);
    assert.deepEqual(h.events, [
      {
        key: 'doubling:WS:cam-1+cam-2',
        kind: 'doubling',
        severity: 'warning',
        cameraIds: ['cam-1', 'cam-2'],
        scale: 'WS',
        message: 'cam-1 and cam-2 both on WS for 12 s',
        since: at(2),
        resolvedAt: null,
      },
    ]);
    h.tick(20);
    assert.equal(h.events.length, 1, 'raised once, not on every tick');
    assert.deepEqual(h.activeKeys(), ['doubling:WS:cam-1+cam-2']);

    h.show(21, { 'cam-2': 'MS' });
    assert.equal(h.events.length, 2);
    assert.deepEqual(h.events[1], { ...h.log()[0]!, resolvedAt: at(21) });
    assert.deepEqual(h.activeKeys(), []);
  });

  test('three cameras, two sharing a label: one alert naming those two', () => {
    const h = harness();
    h.live(0, 'cam-3', 'cam-1', 'cam-2');
    h.show(0, { 'cam-3': 'CU', 'cam-1': 'MS', 'cam-2': 'CU' });
    h.tick(11);
    const active = h.monitor.active();
    assert.deepEqual(
      active.map((a) => [a.key, a.cameraIds]),
      [['doubling:CU:cam-2+cam-3', ['cam-2', 'cam-3']]],
    );
    assert.equal(active[0]!.message, 'cam-2 and cam-3 both on CU for 11 s');
  });

  test('three cameras on one label are one group; messages use camera names', () => {
    const events: Alert[] = [];
    const monitor = new AlertMonitor((a) => events.push(a));
    for (const [id, name] of [['b', 'Jib'], ['a', 'Steadicam'], ['c', 'Wide']]) monitor.cameraStatus(cameraStatus(id!, 'live', 0, name), at(0));
    for (const id of ['a', 'b', 'c']) monitor.readout(id, 'FS', at(0));
    monitor.tick(at(15));
    assert.deepEqual(
      events.map((e) => [e.key, e.message]),
      [['doubling:FS:a+b+c', 'Steadicam, Jib and Wide all on FS for 15 s']],
    );
  });

  test('a camera joining late waits its own doublingS, then the group grows', () => {
    const h = harness();
    h.live(0, 'cam-1', 'cam-2', 'cam-3');
    h.show(0, { 'cam-1': 'MS', 'cam-2': 'MS', 'cam-3': 'CU' });
    h.tick(11);
    h.show(12, { 'cam-3': 'MS' });
    h.tick(20);
    assert.deepEqual(h.activeKeys(), ['doubling:MS:cam-1+cam-2']);
    h.tick(23);
    assert.deepEqual(h.resolved(), ['doubling:MS:cam-1+cam-2']);
    assert.deepEqual(h.activeKeys(), ['doubling:MS:cam-1+cam-2+cam-3']);
    assert.equal(h.monitor.active()[0]!.since, at(12));
  });

  test('a camera going stalled mid-doubling breaks the group; on return it must settle again', () => {
    const h = harness();
    h.live(0, 'cam-1', 'cam-2');
    h.show(0, { 'cam-1': 'WS', 'cam-2': 'WS' });
    h.tick(11);
    assert.deepEqual(h.activeKeys(), ['doubling:WS:cam-1+cam-2']);

    h.state('cam-2', 'stalled', 12);
    assert.deepEqual(h.resolved(), ['doubling:WS:cam-1+cam-2']);
    assert.equal(h.events.at(-1)!.resolvedAt, at(12));
    h.tick(14);
    assert.deepEqual(h.activeKeys(), [], 'stalled for 2 s: not yet an alert');
    h.tick(16);
    assert.deepEqual(h.activeKeys(), ['stalled:cam-2']);

    h.state('cam-2', 'live', 17);
    h.show(17.2, { 'cam-1': 'WS', 'cam-2': 'WS' });
    assert.deepEqual(h.activeKeys(), []);
    h.tick(27);
    assert.deepEqual(h.activeKeys(), []);
    h.tick(27.5);
    assert.deepEqual(h.activeKeys(), ['doubling:WS:cam-1+cam-2']);
  });

  test('a camera that is not live does not count', () => {
    const h = harness();
    h.live(0, 'cam-1');
    h.state('cam-2', 'starting', 0);
    h.show(0, { 'cam-1': 'MS', 'cam-2': 'MS' });
    h.tick(30);
    assert.deepEqual(h.events, []);
  });

  test('a camera with readouts but no status yet counts as live', () => {
    const h = harness();
    h.show(0, { x: 'MS', y: 'MS' });
    h.tick(11);
    assert.deepEqual(h.activeKeys(), ['doubling:MS:x+y']);
  });

  test('doublingIgnore scales and cameras left out of doublingCameras never double', () => {
    const h = harness({ doublingIgnore: ['EWS'], doublingCameras: ['cam-1', 'cam-2', 'cam-3'] });
    h.live(0, 'cam-1', 'cam-2', 'cam-3', 'cam-4');
    h.show(0, { 'cam-1': 'EWS', 'cam-2': 'EWS', 'cam-3': 'MS', 'cam-4': 'MS' });
    h.tick(30);
    assert.deepEqual(h.activeKeys(), []);
    h.show(31, { 'cam-2': 'MS' });
    h.tick(42);
    assert.deepEqual(h.activeKeys(), ['doubling:MS:cam-2+cam-3']);
  });

  test('a dismissed doubling stays quiet while it holds and comes back after it clears', () => {
    const h = harness();
    h.live(0, 'cam-1', 'cam-2');
    h.show(0, { 'cam-1': 'MS', 'cam-2': 'MS' });
    h.tick(11);
    assert.equal(h.monitor.dismiss('doubling:MS:cam-1+cam-2', at(12)), true);
    assert.deepEqual(h.resolved(), ['doubling:MS:cam-1+cam-2']);
    assert.equal(h.events.at(-1)!.resolvedAt, at(12));
    h.tick(30);
    assert.deepEqual(h.activeKeys(), []);
    h.show(31, { 'cam-2': 'CU' });
    h.show(32, { 'cam-2': 'MS' });
    h.tick(43);
    assert.deepEqual(h.activeKeys(), ['doubling:MS:cam-1+cam-2']);
    assert.equal(h.monitor.dismiss('doubling:nothing', at(44)), false);
  });
});

describe('stuck', () => {
  test('one label for more than stuckS raises an info alert; a label change resolves it', () => {
    const h = harness();
    h.live(0, 'cam-1');
    h.show(0, { 'cam-1': 'WS' });
    h.show(200, { 'cam-1': 'WS' });
    h.tick(300);
    assert.deepEqual(h.events, []);
    h.tick(301);
    assert.deepEqual(h.events, [
      { key: 'stuck:cam-1', kind: 'stuck', severity: 'info', cameraIds: ['cam-1'], scale: 'WS', message: 'cam-1 has been on WS for 5 min 1 s', since: at(0), resolvedAt: null },
    ]);
    h.show(400, { 'cam-1': 'MS' });
    assert.deepEqual(h.events[1], { ...h.log()[0]!, resolvedAt: at(400) });
    h.tick(650);
    assert.deepEqual(h.activeKeys(), []);
  });

  test('stuckS null turns the rule off; a camera going off air clears it', () => {
    const off = harness({ stuckS: null });
    off.show(0, { 'cam-1': 'WS' });
    off.tick(10_000);
    assert.deepEqual(off.events, []);

    const h = harness({ stuckS: 60 });
    h.live(0, 'cam-1');
    h.show(0, { 'cam-1': 'WS' });
    h.tick(61);
    assert.deepEqual(h.activeKeys(), ['stuck:cam-1']);
    h.state('cam-1', 'stopped', 62);
    assert.deepEqual(h.resolved(), ['stuck:cam-1']);
  });
});

describe('stalled', () => {
  test('stalled then restarting for more than stalledS is one critical alert, resolved when live', () => {
    const h = harness();
    h.live(0, 'cam-1');
    h.state('cam-1', 'stalled', 10);
    h.tick(13);
    assert.deepEqual(h.events, [], 'exactly 3 s is not more than stalledS');
    h.state('cam-1', 'restarting', 13.5);
    h.state('cam-1', 'starting', 13.8);
    h.tick(14);
    assert.deepEqual(h.events, [
      {
        key: 'stalled:cam-1',
        kind: 'stalled',
        severity: 'critical',
        cameraIds: ['cam-1'],
        // Raised by the 'restarting' status at 13.5 s, the first event past stalledS.
        message: 'cam-1 has no picture (restarting)',
        since: at(10),
        resolvedAt: null,
      },
    ]);
    h.state('cam-1', 'failed', 20);
    h.tick(25);
    assert.equal(h.events.length, 1, 'the outage is one alert through every state');
    h.state('cam-1', 'live', 30);
    assert.deepEqual(h.events[1], { ...h.log()[0]!, resolvedAt: at(30) });
  });

  test("the stalled alert says the camera's reason, not a duration frozen at raise time", () => {
    const h = harness();
    h.live(0, 'cam-1');
    const down = (lastError: string | null): CameraStatus => ({ ...cameraStatus('cam-1', 'restarting', 10), lastError });
    h.monitor.cameraStatus(down('rtsp://10.0.0.21/stream1: connection refused: nothing accepts connections at that address and port'), at(10));
    h.tick(14);
    assert.equal(h.events.length, 1);
    assert.equal(h.events[0]!.message, 'cam-1 has no picture (restarting): rtsp://10.0.0.21/stream1: connection refused: nothing accepts connections at that address and port');
    assert.equal(h.events[0]!.since, at(10));
    h.tick(600);
    assert.equal(h.events.length, 1, 'nine minutes on, the same text still holds');
    assert.doesNotMatch(h.events[0]!.message, /\d+ s\b|for \d/);
  });

  test("a readout of another camera, timed when its frame was captured (behind the clock), neither resolves nor re-raises it", () => {
    // A review killed camB's RTSP server: its stalled alert was raised at 3.6 s, resolved at 3.8 s
    // and raised again at 4.9 s (same since), as camA's readouts (their capture times 0.1-0.8 s
    // behind) judged the outage with a "now" still under stalledS.
    const h = harness();
    h.live(0, 'camA', 'camB');
    h.state('camB', 'restarting', 10);
    h.tick(13.2);
    assert.deepEqual(h.raised(), ['stalled:camB']);
    h.show(12.6, { camA: 'MS' });
    h.show(13.0, { camA: 'MS' });
    h.tick(14);
    assert.deepEqual(h.resolved(), [], 'not resolved by a readout captured before the tick that raised it');
    assert.deepEqual(h.raised(), ['stalled:camB'], 'raised once');
    assert.deepEqual(h.activeKeys(), ['stalled:camB']);
    h.state('camB', 'live', 20);
    assert.deepEqual(h.resolved(), ['stalled:camB']);
    assert.equal(h.events.at(-1)!.resolvedAt, at(20));
  });

  test('a readout captured before the tick that raised a stuck alert does not resolve it either', () => {
    const h = harness({ stuckS: 10, doublingS: 100 });
    h.live(0, 'camA', 'camB');
    h.show(0, { camA: 'WS' });
    h.tick(10.5);
    assert.deepEqual(h.raised(), ['stuck:camA']);
    h.show(9.9, { camB: 'CU' });
    h.show(10.2, { camA: 'WS' });
    assert.deepEqual(h.resolved(), []);
    assert.deepEqual(h.raised(), ['stuck:camA']);
  });

  test('status.since dates the outage, so a camera failed long ago alerts at once', () => {
    const h = harness();
    h.monitor.cameraStatus(cameraStatus('cam-1', 'failed', 0), at(60));
    assert.deepEqual(h.raised(), ['stalled:cam-1']);
    assert.equal(h.events[0]!.since, at(0));
  });

  test("'stopped' is not an alert and clears one; 'starting' of a new camera is not an outage", () => {
    const h = harness();
    h.state('cam-1', 'starting', 0);
    h.tick(30);
    assert.deepEqual(h.events, []);
    h.state('cam-1', 'stopped', 31);
    h.tick(60);
    assert.deepEqual(h.events, []);
    h.state('cam-1', 'failed', 61);
    h.tick(65);
    assert.deepEqual(h.activeKeys(), ['stalled:cam-1']);
    h.state('cam-1', 'stopped', 66);
    assert.deepEqual(h.resolved(), ['stalled:cam-1']);
  });

  test('a removed camera resolves its alerts, and late readouts do not bring it back', () => {
    const h = harness({ stuckS: 5 });
    h.live(0, 'cam-1', 'cam-2');
    h.show(0, { 'cam-1': 'MS', 'cam-2': 'MS' });
    h.tick(11);
    assert.deepEqual(h.activeKeys().sort(), ['doubling:MS:cam-1+cam-2', 'stuck:cam-1', 'stuck:cam-2']);
    h.monitor.cameraRemoved('cam-2', at(12));
    assert.deepEqual(h.resolved().sort(), ['doubling:MS:cam-1+cam-2', 'stuck:cam-2']);
    h.show(12.1, { 'cam-2': 'MS' });
    h.tick(40);
    assert.deepEqual(h.activeKeys(), ['stuck:cam-1']);
    h.live(41, 'cam-2');
    h.show(41, { 'cam-2': 'MS' });
    h.tick(52);
    assert.ok(h.activeKeys().includes('doubling:MS:cam-1+cam-2'), 'added again: counted again');
  });
});

describe('plan-missing', () => {
  const items = [missing('master', 'Master'), missing('singles', 'Singles', 2, [7])];

  test('a take ending with items missing raises a warning naming them; planSatisfied resolves it', () => {
    const h = harness();
    h.monitor.takeEnded('12', '3', items, at(100));
    assert.deepEqual(h.events, [
      {
        key: 'plan-missing:12:3',
        kind: 'plan-missing',
        severity: 'warning',
        cameraIds: [],
        scene: '12',
        message: 'Scene 12 take 3 ended without Master; Singles (1 of 2)',
        since: at(100),
        resolvedAt: null,
      },
    ]);
    h.tick(10_000);
    assert.deepEqual(h.activeKeys(), ['plan-missing:12:3'], 'ticks do not touch plan alerts');
    h.monitor.planSatisfied('13', at(200));
    assert.equal(h.events.length, 1, 'another scene is another plan');
    h.monitor.planSatisfied('12', at(300));
    assert.deepEqual(h.events[1], { ...h.log()[0]!, resolvedAt: at(300) });
  });

  test('dismiss resolves it; nothing missing raises nothing', () => {
    const h = harness();
    h.monitor.takeEnded('12', '1', [], at(0));
    assert.deepEqual(h.events, []);
    h.monitor.takeEnded('12', '2', items, at(10));
    assert.equal(h.monitor.dismiss('plan-missing:12:2', at(11)), true);
    assert.deepEqual(h.resolved(), ['plan-missing:12:2']);
    assert.deepEqual(h.activeKeys(), []);
  });

  test("a later take replaces the scene's alert, the same take ending twice is not raised twice, a complete take clears it", () => {
    const h = harness();
    h.monitor.takeEnded('12', '1', items, at(0));
    h.monitor.takeEnded('12', '1', items, at(1));
    assert.equal(h.events.length, 1);
    h.monitor.takeEnded('12', '2', [items[0]!], at(10));
    assert.deepEqual(h.resolved(), ['plan-missing:12:1']);
    assert.deepEqual(h.activeKeys(), ['plan-missing:12:2']);
    assert.equal(h.monitor.active()[0]!.message, 'Scene 12 take 2 ended without Master');
    h.monitor.takeEnded('12', '3', [], at(20));
    assert.deepEqual(h.activeKeys(), []);
  });

  test('labels holding commas stay apart: items are separated by "; "', () => {
    const h = harness();
    h.monitor.takeEnded('12', '1', [missing('mid', 'MS to MWS, CU or tighter'), missing('anna', 'single, Anna')], at(0));
    assert.equal(h.monitor.active()[0]!.message, 'Scene 12 take 1 ended without MS to MWS, CU or tighter; single, Anna');
  });

  test('scene names containing ":" do not clear each other', () => {
    const h = harness();
    h.monitor.takeEnded('12', 'A:1', items, at(0));
    h.monitor.takeEnded('12:A', '1', items, at(0));
    h.monitor.planSatisfied('12', at(5));
    assert.deepEqual(h.activeKeys(), ['plan-missing:12:A:1']);
    assert.equal(h.monitor.active()[0]!.message, 'Scene 12:A take 1 ended without Master; Singles (1 of 2)');
  });
});

describe('active alerts', () => {
  test('most severe first, then oldest; copies, not the monitor’s state', () => {
    const h = harness({ stuckS: 20 });
    h.live(0, 'cam-1', 'cam-2');
    h.show(0, { 'cam-1': 'MS', 'cam-2': 'MS' });
    h.monitor.takeEnded('1', '1', [missing('ms', 'MS')], at(5));
    h.state('cam-3', 'failed', 8);
    h.tick(21);
    assert.deepEqual(h.activeKeys(), ['stalled:cam-3', 'doubling:MS:cam-1+cam-2', 'plan-missing:1:1', 'stuck:cam-1', 'stuck:cam-2']);
    const first = h.monitor.active()[0]!;
    first.cameraIds.push('x');
    first.message = 'changed';
    assert.deepEqual(h.monitor.active()[0]!.cameraIds, ['cam-3']);
  });

  test('durations read the way a mixer says them', () => {
    assert.equal(formatDuration(12_400), '12 s');
    assert.equal(formatDuration(300_000), '5 min');
    assert.equal(formatDuration(90_000), '1 min 30 s');
    assert.equal(formatDuration(2 * 3600_000 + 5 * 60_000 + 10_000), '2 h 5 min');
    assert.equal(formatDuration(3600_000), '1 h');
  });
});

describe('adopting alerts from another judge (a cluster whose judging node changed)', () => {
  /** The first judge: cam-1 and cam-2 doubled on WS, cam-3 stuck on CU, cam-4 without picture, scene 12 missing a master. */
  function firstJudge() {
    const h = harness({ stuckS: 60 });
    h.live(0, 'cam-1', 'cam-2', 'cam-3', 'cam-4');
    h.show(1, { 'cam-1': 'MS', 'cam-2': 'MCU', 'cam-3': 'CU', 'cam-4': 'MS' });
    h.state('cam-4', 'stalled', 30);
    h.show(50, { 'cam-1': 'WS', 'cam-2': 'WS' });
    h.monitor.takeEnded('12', '3', [missing('master', 'Master')], at(40));
    h.tick(70);
    assert.deepEqual(h.activeKeys().sort(), ['doubling:WS:cam-1+cam-2', 'plan-missing:12:3', 'stalled:cam-4', 'stuck:cam-3']);
    return h.monitor.active();
  }

  test('what still holds stays active under its key and start, with nothing announced again', () => {
    const adopted = firstJudge();
    const h = harness({ stuckS: 60 });
    // The new judge hears every camera's status first, then adopts.
    h.live(0, 'cam-1', 'cam-2', 'cam-3');
    h.state('cam-4', 'restarting', 30);
    h.monitor.adopt(adopted, at(71));
    h.show(72, { 'cam-1': 'WS', 'cam-2': 'WS', 'cam-3': 'CU' });
    h.tick(80);
    assert.deepEqual(h.log(), [], 'nothing raised twice, nothing resolved');
    const byKey = (alerts: Alert[]) => [...alerts].sort((a, b) => a.key.localeCompare(b.key));
    assert.deepEqual(byKey(h.monitor.active()), byKey(adopted), 'the same alerts, as they were');
    // Then each clears as it would have on the first judge, with its original start.
    h.show(81, { 'cam-2': 'MS' });
    h.state('cam-4', 'live', 82);
    h.monitor.planSatisfied('12', at(83));
    h.show(84, { 'cam-3': 'MCU' });
    assert.deepEqual(
      h.log().map((a) => [a.key, a.since, a.resolvedAt]),
      [
        ['doubling:WS:cam-1+cam-2', at(50), at(81)],
        ['stalled:cam-4', at(30), at(82)],
        ['plan-missing:12:3', at(40), at(83)],
        ['stuck:cam-3', at(1), at(84)],
      ],
    );
  });

  test('what no longer holds is resolved at once: a camera live again, a camera the new judge does not know, another scale', () => {
    const adopted = firstJudge();
    const h = harness({ stuckS: 60 });
    h.live(0, 'cam-1', 'cam-3', 'cam-4');
    h.show(70, { 'cam-1': 'WS', 'cam-3': 'MS' });
    h.monitor.adopt(adopted, at(71));
    assert.deepEqual(h.resolved().sort(), ['doubling:WS:cam-1+cam-2', 'stalled:cam-4', 'stuck:cam-3']);
    assert.deepEqual(h.raised(), []);
    assert.deepEqual(h.activeKeys(), ['plan-missing:12:3']);
  });

  test("a node's own alerts (storage, engines) and resolved ones are not adopted", () => {
    const h = harness();
    const own: Alert = { key: 'storage:shot-log@a', kind: 'storage', severity: 'critical', cameraIds: [], message: 'Node a: full', since: at(1), resolvedAt: null };
    const done: Alert = { key: 'stuck:cam-1', kind: 'stuck', severity: 'info', cameraIds: ['cam-1'], scale: 'WS', message: 'x', since: at(1), resolvedAt: at(2) };
    h.live(0, 'cam-1');
    h.monitor.adopt([own, done], at(5));
    assert.deepEqual(h.activeKeys(), []);
    assert.deepEqual(h.log(), []);
  });
});

describe('system alerts in a cluster', () => {
  test("each node's keys name it", () => {
    const events: Alert[] = [];
    const monitor = new AlertMonitor((alert) => events.push(alert), {}, { node: 'b' });
    monitor.storageFault({ since: at(1), message: 'Node b: disk full' }, at(1));
    monitor.clusterFault({ since: at(1), message: 'Redis unreachable' }, at(1));
    assert.deepEqual(monitor.active().map((a) => a.key).sort(), ['cluster:engines@b', 'storage:shot-log@b']);
  });
});

describe('no picture', () => {
  test('a live camera sending black for more than noPictureS: a warning that says what it shows, resolved when a picture returns', () => {
    const h = harness({ noPictureS: 5, doublingS: 10 });
    h.live(0, 'cam-1', 'cam-2');
    h.show(1, { 'cam-1': 'MS', 'cam-2': 'WS' });
    for (let s = 2; s <= 7; s++) h.monitor.readout('cam-1', 'MS', at(s), { noPicture: 'black' });
    h.tick(7);
    assert.deepEqual(h.activeKeys(), [], 'black for 5 s: not yet');
    h.monitor.readout('cam-1', 'MS', at(7.5), { noPicture: 'black' });
    h.tick(8);
    const alert = h.monitor.active()[0]!;
    assert.deepEqual([alert.key, alert.kind, alert.severity, alert.cameraIds, alert.since], ['no-picture:cam-1', 'no-picture', 'warning', ['cam-1'], at(2)]);
    assert.match(alert.message, /^cam-1 has sent a black picture for 6 s: no signal, or a capped lens\?$/);
    // A blue screen after the black is still no picture, since the black began.
    h.monitor.readout('cam-1', 'MS', at(9), { noPicture: 'plain' });
    h.tick(9);
    assert.deepEqual(h.activeKeys(), ['no-picture:cam-1']);
    h.show(10, { 'cam-1': 'MS' });
    assert.deepEqual(h.activeKeys(), []);
    assert.deepEqual(h.resolved(), ['no-picture:cam-1']);
  });

  test('cameras with no picture hold no scale: two black cameras do not double up, and neither is stuck', () => {
    const h = harness({ noPictureS: null, doublingS: 2, stuckS: 3 });
    h.live(0, 'cam-1', 'cam-2');
    for (let s = 1; s <= 20; s++) {
      h.monitor.readout('cam-1', 'ECU', at(s), { noPicture: 'black' });
      h.monitor.readout('cam-2', 'ECU', at(s), { noPicture: 'black' });
    }
    h.tick(20);
    assert.deepEqual(h.log(), [], 'noPictureS null: no alert at all');
    // Back to a picture: the label's time starts then, not when the black began.
    h.show(21, { 'cam-1': 'CU', 'cam-2': 'CU' });
    h.tick(22.5);
    assert.deepEqual(h.activeKeys(), []);
    h.tick(23.5);
    assert.deepEqual(h.activeKeys(), ['doubling:CU:cam-1+cam-2']);
  });

  test('a camera that goes down forgets its black; a judge taking over keeps the alert\'s start', () => {
    const h = harness({ noPictureS: 2 });
    h.live(0, 'cam-1');
    for (let s = 1; s <= 4; s++) h.monitor.readout('cam-1', 'MS', at(s), { noPicture: 'black' });
    h.tick(4);
    const raised = h.monitor.active();
    assert.deepEqual(raised.map((a) => a.key), ['no-picture:cam-1']);
    h.state('cam-1', 'stalled', 5);
    h.tick(5);
    assert.ok(!h.activeKeys().includes('no-picture:cam-1'), 'stalled is its own alert');
    // Another monitor (the next judge in a cluster) adopts the alert while the camera is still black.
    const next = harness({ noPictureS: 2 });
    next.live(0, 'cam-1');
    next.monitor.readout('cam-1', 'MS', at(4), { noPicture: 'black' });
    next.monitor.adopt(raised, at(4));
    assert.deepEqual(next.monitor.active().map((a) => [a.key, a.since]), [['no-picture:cam-1', at(1)]]);
    assert.deepEqual(next.log(), [], 'taken over as it stands: not announced again');
  });
});

describe('frozen', () => {
  test('a live camera whose picture has not changed for more than frozenS: a warning from the first identical frame, resolved when it changes', () => {
    const h = harness({ frozenS: 10, noPictureS: 5 });
    h.live(0, 'cam-1');
    h.show(1, { 'cam-1': 'MS' });
    // From 2 s on, every frame is the frame of 2 s, byte for byte.
    for (let s = 2.2; s <= 12; s += 0.2) h.monitor.readout('cam-1', 'MS', at(s), { stillSince: at(2) });
    h.tick(12);
    assert.deepEqual(h.activeKeys(), [], 'unchanged for 10 s: not yet');
    h.monitor.readout('cam-1', 'MS', at(12.6), { stillSince: at(2) });
    const alert = h.monitor.active()[0]!;
    assert.deepEqual([alert.key, alert.kind, alert.severity, alert.since], ['frozen:cam-1', 'frozen', 'warning', at(2)]);
    assert.match(alert.message, /^The picture of cam-1 has not changed for 11 s: a frozen feed, or a still picture \(bars, a slate\)\?$/);
    // The picture moves again.
    h.show(13, { 'cam-1': 'MS' });
    assert.deepEqual(h.activeKeys(), []);
    assert.deepEqual(h.resolved(), ['frozen:cam-1']);
  });

  test('a black feed is no picture, not frozen; a camera that goes down is neither; null turns it off', () => {
    const h = harness({ frozenS: 2, noPictureS: 2 });
    h.live(0, 'cam-1');
    for (let s = 1; s <= 6; s++) h.monitor.readout('cam-1', 'MS', at(s), { noPicture: 'black', stillSince: at(1) });
    h.tick(6);
    assert.deepEqual(h.activeKeys(), ['no-picture:cam-1']);
    const off = harness({ frozenS: null });
    off.live(0, 'cam-1');
    for (let s = 1; s <= 60; s++) off.monitor.readout('cam-1', 'MS', at(s), { stillSince: at(1) });
    assert.deepEqual(off.log(), []);
    const down = harness({ frozenS: 2, stalledS: 100 });
    down.live(0, 'cam-1');
    for (let s = 1; s <= 2; s++) down.monitor.readout('cam-1', 'MS', at(s), { stillSince: at(1) });
    down.state('cam-1', 'stalled', 2.5);
    down.tick(10);
    assert.deepEqual(down.log(), [], 'stalled: the still run is over');
  });
});

describe('no picture and frozen: outages, odd times, a new judge', () => {
  test('a frozen run never spans an outage, nor starts before the camera went live or after the readout', () => {
    const h = harness({ frozenS: 10, stalledS: 100 });
    h.live(0, 'cam-1');
    for (let s = 1; s <= 5; s++) h.monitor.readout('cam-1', 'MS', at(s), { stillSince: at(1) });
    h.state('cam-1', 'stalled', 6);
    h.live(60, 'cam-1');
    // Back with the same still since 1 s (a node whose watch spans the outage, or a bad value from Redis): counted from 60 s.
    h.monitor.readout('cam-1', 'MS', at(61), { stillSince: at(1) });
    h.monitor.readout('cam-1', 'MS', at(61), { stillSince: 0 });
    assert.deepEqual(h.activeKeys(), [], 'not frozen for an hour, nor since 1970');
    h.tick(70.5);
    assert.deepEqual(h.activeKeys(), ['frozen:cam-1']);
    assert.equal(h.monitor.active()[0]!.since, at(60));
    // A stillSince still to come is taken as the readout's own time.
    const late = harness({ frozenS: 10 });
    late.live(0, 'cam-1');
    late.monitor.readout('cam-1', 'MS', at(5), { stillSince: at(3600) });
    late.monitor.readout('cam-1', 'MS', at(15.5), { stillSince: at(3600) });
    assert.deepEqual(late.monitor.active().map((a) => [a.key, a.since]), [['frozen:cam-1', at(5)]]);
  });

  test('a judge that takes over before any readout of the camera keeps its no-picture and frozen alerts, unannounced', () => {
    const old = harness({ noPictureS: 2, frozenS: 2 });
    old.live(0, 'cam-1', 'cam-2');
    for (let s = 1; s <= 4; s++) {
      old.monitor.readout('cam-1', 'MS', at(s), { noPicture: 'black' });
      old.monitor.readout('cam-2', 'MS', at(s), { stillSince: at(1) });
    }
    const raised = old.monitor.active();
    assert.deepEqual(raised.map((a) => a.key).sort(), ['frozen:cam-2', 'no-picture:cam-1']);
    const next = harness({ noPictureS: 2, frozenS: 2 });
    next.live(0, 'cam-1', 'cam-2');
    next.monitor.adopt(raised, at(4.1));
    next.tick(4.5);
    assert.deepEqual(next.log(), [], 'neither resolved nor raised again');
    next.monitor.readout('cam-1', 'MS', at(5), { noPicture: 'black' });
    next.monitor.readout('cam-2', 'MS', at(5), { stillSince: at(1) });
    assert.deepEqual(next.monitor.active().map((a) => [a.key, a.since]).sort(), [['frozen:cam-2', at(1)], ['no-picture:cam-1', at(1)]]);
    // A readout that says otherwise resolves them.
    next.show(6, { 'cam-1': 'MS', 'cam-2': 'WS' });
    assert.deepEqual(next.resolved().sort(), ['frozen:cam-2', 'no-picture:cam-1']);
  });
});

describe('alerts about past events: take-interrupted, and restore after a restart', () => {
  test('a take-interrupted alert stays through ticks until dismissed, and is not raised twice', () => {
    const h = harness();
    h.monitor.takeInterrupted('take-interrupted:12:7:1', '12', 'The server restarted during scene 12 take 7: no shots from 10:00:00 to 10:00:30; the take runs on', at(30));
    h.monitor.takeInterrupted('take-interrupted:12:7:1', '12', 'again', at(31));
    h.monitor.tick(at(3600));
    assert.deepEqual(
      h.log().map((a) => [a.key, a.kind, a.severity, a.scene, a.resolvedAt]),
      [['take-interrupted:12:7:1', 'take-interrupted', 'warning', '12', null]],
    );
    assert.equal(h.monitor.dismiss('take-interrupted:12:7:1', at(3601)), true);
    assert.deepEqual(h.monitor.active(), []);
  });

  test('a take-interrupted alert says more once the gap is known: the same alert told again; one dismissed meanwhile stays dismissed', () => {
    const h = harness();
    h.monitor.takeInterrupted('take-interrupted:12:7:1', '12', 'no shots since 10:00:00; the take runs on', at(30));
    h.monitor.takeInterruptedSaysMore('take-interrupted:12:7:1', 'no shots from 10:00:00 to 10:00:38; the take runs on');
    h.monitor.takeInterruptedSaysMore('take-interrupted:12:7:1', 'no shots from 10:00:00 to 10:00:38; the take runs on');
    assert.deepEqual(
      h.log().map((a) => [a.key, a.message, a.since, a.resolvedAt]),
      [
        ['take-interrupted:12:7:1', 'no shots since 10:00:00; the take runs on', at(30), null],
        ['take-interrupted:12:7:1', 'no shots from 10:00:00 to 10:00:38; the take runs on', at(30), null],
      ],
      'told twice, the second time with the gap; the same message again is no news',
    );
    assert.equal(h.monitor.active()[0]!.message, 'no shots from 10:00:00 to 10:00:38; the take runs on');
    h.monitor.takeInterrupted('take-interrupted:12:8:1', '12', 'no shots since 10:01:00; the take runs on', at(60));
    h.monitor.dismiss('take-interrupted:12:8:1', at(61));
    h.monitor.takeInterruptedSaysMore('take-interrupted:12:8:1', 'no shots from 10:01:00 to 10:01:09; the take runs on');
    assert.deepEqual(h.monitor.active().map((a) => a.key), ['take-interrupted:12:7:1'], 'dismissed stays dismissed');
  });

  test('a take-interrupted alert is its key’s (the take and its gap): raised again for the gap, kept as it stands whatever it says by now; another gap is another alert', () => {
    const h = harness();
    const gap = 'take-interrupted:12:7:1757390401960@a';
    h.monitor.takeInterrupted(gap, '12', 'no shots since 10:00:01; the take runs on', at(20));
    h.monitor.takeInterruptedSaysMore(gap, 'no shots from 10:00:01 to 10:00:38; the take runs on');
    h.monitor.takeInterrupted(gap, '12', 'no shots since 10:00:01; the take runs on', at(40));
    assert.deepEqual(
      h.monitor.active().map((a) => [a.key, a.message, a.since]),
      [[gap, 'no shots from 10:00:01 to 10:00:38; the take runs on', at(20)]],
      'one alert, its message as updated',
    );
    assert.equal(h.log().length, 2, 'raised, then told once more: not raised again');
    // Another gap's key is another alert, even one whose message reads the same: the key decides, not the wording.
    const later = 'take-interrupted:12:7:1757390401999@a';
    h.monitor.takeInterrupted(later, '12', 'no shots from 10:00:01 to 10:00:38; the take runs on', at(50));
    h.monitor.takeInterruptedSaysMore(later, 'no shots from 10:00:01 to 10:00:55; the take runs on');
    assert.deepEqual(
      h.monitor.active().map((a) => [a.key, a.message]),
      [
        [gap, 'no shots from 10:00:01 to 10:00:38; the take runs on'],
        [later, 'no shots from 10:00:01 to 10:00:55; the take runs on'],
      ],
    );
  });

  test('restore: plan-missing and take-interrupted alerts active again, not announced; a later take of the scene resolves the plan one', () => {
    const h = harness();
    const planAlert: Alert = { key: 'plan-missing:12:3', kind: 'plan-missing', severity: 'warning', cameraIds: [], scene: '12', message: 'Scene 12 take 3 ended without Master', since: at(0), resolvedAt: null };
    const stuck: Alert = { key: 'stuck:cam-1', kind: 'stuck', severity: 'info', cameraIds: ['cam-1'], scale: 'WS', message: 'stuck', since: at(0), resolvedAt: null };
    h.monitor.restore([planAlert, stuck]);
    h.monitor.tick(at(10));
    assert.deepEqual(h.log(), [], 'nothing announced again');
    assert.deepEqual(h.monitor.active().map((a) => a.key), ['plan-missing:12:3'], 'conditions are not restored: the monitor sees them again or not');
    h.monitor.takeEnded('12', '4', [], at(20));
    assert.deepEqual(h.log().map((a) => [a.key, a.resolvedAt]), [['plan-missing:12:3', at(20)]]);
  });
});
