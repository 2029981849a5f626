/**
 * The dashboard's store (web/src/lib/live-state.svelte.ts), compiled with
 * Svelte's compiler and driven by the server's events as the connection
 * would: cameras, readouts, previews, shots for timelines, takes, alerts.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import type * as LiveStateModule from '../../web/src/lib/live-state.svelte.js';
import type { Alert, ShotRecord } from '../../server/shared/shots.js';
import type { CameraStatus, Readout } from '../../server/shared/socket-events.js';
import { REPO_DIR } from '../support/server-harness.js';
import { loadSvelteModule } from '../support/svelte-module.js';

let mod: typeof LiveStateModule;
before(async () => {
  mod = await loadSvelteModule<typeof LiveStateModule>(path.join(REPO_DIR, 'web', 'src', 'lib', 'live-state.svelte.ts'));
});

function status(cameraId: string, extra: Partial<CameraStatus> = {}): CameraStatus {
  return {
    cameraId,
    name: cameraId.toUpperCase(),
    enabled: true,
    sourceKind: 'testsrc',
    source: 'testsrc2',
    state: 'live',
    since: 0,
    analysisFps: 5,
    measuredFps: 5,
    framesIn: 0,
    framesDropped: 0,
    reconnects: 0,
    stalls: 0,
    lastError: null,
    errorCode: null,
    lastStderr: [],
    ...extra,
  };
}

function shot(id: number, cameraId: string, inTime: number, outTime: number): ShotRecord {
  return { id, cameraId, status: 'closed', inTime, outTime, scale: 'MS' } as ShotRecord;
}

function alert(key: string, severity: Alert['severity'], since: number, resolvedAt: number | null = null): Alert {
  return { key, kind: 'doubling', severity, cameraIds: ['a'], message: key, since, resolvedAt };
}

function state() {
  const live = new mod.LiveState();
  const urls: string[] = [];
  const revoked: string[] = [];
  live.makeUrl = () => {
    urls.push(`blob:${urls.length}`);
    return urls.at(-1)!;
  };
  live.revokeUrl = (url) => revoked.push(url);
  live.hello({ version: '1', model: 'm', executionProvider: 'cpu', labels: [] }, [status('b'), status('a', { state: 'stalled' })]);
  return { live, urls, revoked };
}

describe('dashboard store', () => {
  test('hello lists cameras in the server\'s order; live count; a later hello drops cameras the server no longer has', () => {
    const { live } = state();
    assert.deepEqual(
      live.list.map((c) => c.id),
      ['b', 'a'],
    );
    assert.equal(live.liveCount, 1);
    live.hello({ version: '1', model: 'm', executionProvider: 'cpu', labels: [] }, [status('b')]);
    assert.deepEqual(
      live.list.map((c) => c.id),
      ['b'],
    );
  });

  test('a rename moves no camera; one added goes last, one removed leaves the rest in place; a later hello takes the server\'s order', () => {
    const { live } = state();
    const ids = () => live.list.map((c) => c.id);
    live.status(status('a', { name: 'AAA first by name' }));
    live.status(status('b', { name: 'zzz last by name' }));
    assert.deepEqual(ids(), ['b', 'a']);
    assert.equal(live.list[1]!.status.name, 'AAA first by name');
    live.status(status('0'));
    assert.deepEqual(ids(), ['b', 'a', '0']);
    live.removed('b');
    assert.deepEqual(ids(), ['a', '0']);
    live.hello({ version: '1', model: 'm', executionProvider: 'cpu', labels: [] }, [status('c'), status('0'), status('a')]);
    assert.deepEqual(ids(), ['c', '0', 'a']);
  });

  test('readouts of unknown cameras are dropped and counted; staleness by local receive time', () => {
    const { live } = state();
    const readout = { cameraId: 'a', label: 'CU' } as Readout;
    assert.equal(live.readout(readout, 1000), true);
    assert.equal(live.readout({ ...readout, cameraId: 'zz' }, 1000), false);
    assert.equal(live.droppedReadouts, 1);
    live.now = 1000 + mod.STALE_READOUT_MS - 1;
    assert.equal(live.isStale(live.cameras.get('a')!), false);
    live.now = 1000 + mod.STALE_READOUT_MS + 1;
    assert.equal(live.isStale(live.cameras.get('a')!), true);
  });

  test('previews become object URLs; the previous one and a removed camera’s are revoked', () => {
    const { live, revoked } = state();
    const jpeg = new Uint8Array([0xff, 0xd8]);
    live.previewed({ cameraId: 'a', captureTime: 1, width: 2, height: 2, jpeg });
    live.previewed({ cameraId: 'a', captureTime: 2, width: 2, height: 2, jpeg });
    assert.equal(live.cameras.get('a')!.preview!.url, 'blob:1');
    assert.deepEqual(revoked, ['blob:0']);
    live.previewed({ cameraId: 'nobody', captureTime: 2, width: 2, height: 2, jpeg });
    live.focused = 'a';
    live.removed('a');
    assert.deepEqual(revoked, ['blob:0', 'blob:1']);
    assert.equal(live.focused, null, 'removing the focused camera returns to the wall');
  });

  test('a preview far behind the latest readout is not the live picture (back on the wall after another view)', () => {
    const { live } = state();
    const jpeg = new Uint8Array([0xff, 0xd8]);
    const entry = live.cameras.get('a')!;
    const shown = () => entry.livePreview;
    live.previewed({ cameraId: 'a', captureTime: 10_000, width: 2, height: 2, jpeg });
    assert.equal(shown()?.captureTime, 10_000, 'no readout yet: the preview is all there is');
    live.readout({ cameraId: 'a', label: 'CU', captureTime: 10_000 + mod.PREVIEW_BEHIND_MS } as Readout, 1000);
    assert.equal(shown()?.captureTime, 10_000, 'within PREVIEW_BEHIND_MS of the readout');
    live.readout({ cameraId: 'a', label: 'CU', captureTime: 200_000 } as Readout, 2000);
    assert.equal(shown(), null, 'minutes behind: no picture rather than an old one');
    live.previewed({ cameraId: 'a', captureTime: 200_200, width: 2, height: 2, jpeg });
    assert.equal(shown()?.captureTime, 200_200);
  });

  test('shots: replaced by id, kept in time order, only the timeline window and at most MAX per camera', () => {
    const { live } = state();
    const now = 10 * 60 * 1000 + 100_000;
    live.shot(shot(2, 'a', now - 5000, now - 1000), now);
    live.shot(shot(1, 'a', now - 9000, now - 5000), now);
    live.shot({ ...shot(2, 'a', now - 5000, now), status: 'open' }, now);
    const shots = live.cameras.get('a')!.shots;
    assert.deepEqual(
      shots.map((s) => [s.id, s.outTime]),
      [
        [1, now - 5000],
        [2, now],
      ],
    );
    live.shot(shot(3, 'a', now + 1, now + 2), now + mod.TIMELINE_WINDOW_MS - 1);
    assert.deepEqual(
      live.cameras.get('a')!.shots.map((s) => s.id),
      [2, 3],
      'shots that ended before the window are dropped',
    );
    for (let i = 10; i < 10 + mod.MAX_SHOTS_PER_CAMERA + 5; i++) live.shot(shot(i, 'b', now + i, now + i + 1), now);
    assert.equal(live.cameras.get('b')!.shots.length, mod.MAX_SHOTS_PER_CAMERA);
    live.shot(shot(99, 'zz', 0, 1), now);
    assert.equal(live.cameras.has('zz'), false, 'a shot of an unknown camera adds nothing');
  });

  test('alerts: active ones by severity then age; resolving moves one to the history', () => {
    const { live } = state();
    live.alert(alert('w-old', 'warning', 1));
    live.alert(alert('c', 'critical', 5));
    live.alert(alert('w-new', 'warning', 3));
    live.alert(alert('i', 'info', 0));
    assert.deepEqual(
      live.activeAlerts.map((a) => a.key),
      ['c', 'w-old', 'w-new', 'i'],
    );
    live.alert(alert('c', 'critical', 5, 9));
    assert.deepEqual(
      live.activeAlerts.map((a) => a.key),
      ['w-old', 'w-new', 'i'],
    );
    assert.deepEqual(
      live.resolvedAlerts.map((a) => [a.key, a.resolvedAt]),
      [['c', 9]],
    );
  });

  test('takeOf: the newest running take naming the camera or covering all (but those it has left)', () => {
    const { live } = state();
    live.setTakes([
      { id: 1, scene: '12', take: '3', cameras: null, exceptCameras: [], gaps: [], startedAt: 0, endedAt: null, mark: null },
      { id: 2, scene: '14', take: '1', cameras: ['b'], exceptCameras: [], gaps: [], startedAt: 1, endedAt: null, mark: null },
    ]);
    assert.equal(live.takeOf('a')?.scene, '12');
    assert.equal(live.takeOf('b')?.scene, '14');
    live.setTakes([{ id: 1, scene: '12', take: '3', cameras: null, exceptCameras: ['b'], gaps: [], startedAt: 0, endedAt: null, mark: null }]);
    assert.equal(live.takeOf('a')?.scene, '12');
    assert.equal(live.takeOf('b'), null, 'ended on b alone: b is in no take');
    live.setTakes([]);
    assert.equal(live.takeOf('a'), null);
  });
});

describe('take marks heard', () => {
  test('take:mark is counted and kept (the latest MAX_RECENT_TAKE_MARKS); marksSince gives what a view has not taken in, or null when it missed more than are kept', () => {
    const { live } = state();
    assert.deepEqual(live.takeMarks, { count: 0, recent: [] });
    assert.deepEqual(mod.marksSince(live.takeMarks, 0), []);
    live.takeMarked({ scene: '12', take: '1', mark: 'ng' });
    live.takeMarked({ scene: '12', take: '2', mark: 'circled' });
    assert.equal(live.takeMarks.count, 2);
    assert.deepEqual(mod.marksSince(live.takeMarks, 1), [{ scene: '12', take: '2', mark: 'circled' }]);
    assert.deepEqual(mod.marksSince(live.takeMarks, 0)!.map((m) => m.take), ['1', '2']);
    assert.deepEqual(mod.marksSince(live.takeMarks, 2), []);
    for (let i = 0; i < mod.MAX_RECENT_TAKE_MARKS; i++) live.takeMarked({ scene: '12', take: String(i), mark: null });
    assert.equal(live.takeMarks.count, mod.MAX_RECENT_TAKE_MARKS + 2);
    assert.equal(live.takeMarks.recent.length, mod.MAX_RECENT_TAKE_MARKS);
    assert.equal(mod.marksSince(live.takeMarks, 2)!.length, mod.MAX_RECENT_TAKE_MARKS);
    assert.equal(mod.marksSince(live.takeMarks, 1), null, 'one more than is kept: list the shots again');
  });

  test('every hello counts as a connection (a view reads its shots again after a reconnection)', () => {
    const { live } = state();
    assert.equal(live.connections, 1);
    live.hello({ version: '1', model: 'm', executionProvider: 'cpu', labels: [] }, [status('a')]);
    assert.equal(live.connections, 2);
  });

  test("a hello drops the active alerts: the server's own follow it (a restarted server has not the old process's)", () => {
    const { live } = state();
    live.alert(alert('stalled:a', 'critical', 1));
    live.alert(alert('w', 'warning', 2));
    live.alert(alert('gone', 'info', 3, 4));
    live.hello({ version: '1', model: 'm', executionProvider: 'cpu', labels: [] }, [status('a')]);
    assert.equal(live.activeAlerts.length, 0, "the old server's alerts are gone");
    live.alert(alert('w', 'warning', 7));
    assert.deepEqual(live.activeAlerts.map((a) => [a.key, a.since]), [['w', 7]], 'the new server\'s alert, with its own since');
    assert.deepEqual(live.resolvedAlerts.map((a) => a.key), ['gone'], 'the history of resolved alerts stays');
  });
});

describe('the scale of a camera with no picture', () => {
  test('live and stalled keep the last readout (no flicker on a stall); other states and a disabled camera show none, the last label in the title', () => {
    assert.equal(mod.hiddenScale(status('a')), null);
    assert.equal(mod.hiddenScale(status('a', { state: 'stalled' }), 'MS'), null, 'a stall keeps the readout (it greys once stale)');
    for (const state of ['restarting', 'failed', 'stopped', 'waiting', 'gone', 'starting'] as const) {
      assert.deepEqual(mod.hiddenScale(status('a', { state }), 'CU'), { text: '—', why: `no scale: the camera is ${state}`, title: `no scale: the camera is ${state} (last read: CU)` }, state);
    }
    assert.deepEqual(mod.hiddenScale(status('a', { state: 'stopped', enabled: false }), 'WS'), { text: 'disabled', why: 'no scale: the camera is disabled', title: 'no scale: the camera is disabled (last read: WS)' });
    assert.deepEqual(mod.hiddenScale(status('a', { state: 'failed' })), { text: '—', why: 'no scale: the camera is failed', title: 'no scale: the camera is failed' });
  });
});

describe('what the page last heard', () => {
  test('the connection lost, what the page holds is as of the last word heard (not when the loss was noticed); connected again, live', () => {
    const { live } = state();
    assert.equal(live.lastHeardAt, null);
    live.lost();
    assert.equal(live.lastHeardAt, null, 'nothing heard yet: no time to give');
    live.heard(1000);
    live.heard(2000);
    assert.equal(live.lastHeardAt, null, 'connected: nothing is "as of"');
    live.lost();
    live.heard(5000);
    assert.equal(live.lastHeardAt, 2000, 'the last word before the loss, kept');
    live.found();
    assert.equal(live.lastHeardAt, null);
    live.lost();
    assert.equal(live.lastHeardAt, 5000);
  });
});
