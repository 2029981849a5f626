/**
 * CameraManager: a refused camera edit leaves the camera running as it was;
 * a refused new camera leaves nothing behind; bad calibration heads and
 * timecodes are the request's mistake (CAMERA_INVALID naming the field).
 * Cameras here are disabled test patterns: a real supervisor, no ffmpeg.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { CameraManager, type CameraManagerDeps } from '../../server/app/camera-manager.js';
import type { CameraSource } from '../../server/ingest/camera-source.js';
import { loadHead, saveHead, type FramingHead } from '../../server/calibration/framing-head.js';
import { validateConfig } from '../../server/config/load-config.js';
import type { CameraConfig } from '../../server/config/schema.js';
import { isShotscaleError, ShotscaleError } from '../../server/errors.js';
import type { CameraModelProfile } from '../../server/inference/model-set.js';
import type { ShotScaleModel } from '../../server/inference/model.js';
import { silentLogger } from '../../server/shared/logger.js';
import { cameraTimecode } from '../../server/shots/shot-log.js';
import { tempDir } from '../support/media.js';
import { TINY_HEAD_FEATURES, tinyHead } from '../support/tiny-head.js';

const FEATURES = TINY_HEAD_FEATURES;
const SHOTS = validateConfig({}, '(test)').shots;

function writeHead(file: string): string {
  saveHead(tinyHead(), file);
  return file;
}

interface Harness {
  manager: CameraManager;
  removed: string[];
  forgotten: string[];
  /** Cameras in the scheduler now. */
  scheduled: Set<string>;
  /** The next `count` addCamera() calls throw (a start that fails past every check). */
  failNextStart(count?: number): void;
}

/** A manager over fakes that behave like the real adapters where it matters: heads read from files, the timecode clock of the shot log. */
function harness(options: { shots?: boolean } = {}): Harness {
  const model = { input: { width: 64, height: 64, resize: 'stretch' }, featureNames: FEATURES } as unknown as ShotScaleModel;
  const heads = new Map<string, FramingHead>();
  const head = (file: string) => heads.get(file) ?? heads.set(file, loadHead(file, FEATURES)).get(file)!;
  const models = {
    head,
    profile(camera: CameraConfig): CameraModelProfile {
      const uses = camera.models ?? [{ name: 'default', weight: 1 }];
      return {
        models: uses.map((u) => {
          if (u.name !== 'default') throw new ShotscaleError('CAMERA_INVALID', `unknown model "${u.name}" (known: default)`);
          return { name: u.name, model, weight: u.weight };
        }),
        head: typeof camera.calibration === 'string' ? head(camera.calibration) : null,
      };
    },
  };
  const scheduled = new Set<string>();
  let failStarts = 0;
  const scheduler = {
    addCamera(id: string) {
      if (failStarts > 0) {
        failStarts -= 1;
        throw new Error('no ring for you');
      }
      scheduled.add(id);
    },
    removeCamera: (id: string) => scheduled.delete(id),
    push: () => undefined,
    capacity: () => null,
  };
  const counter = { inc: () => undefined, set: () => undefined };
  const forgotten: string[] = [];
  const metrics = { framesIn: counter, cameraUp: counter, ffmpegRestarts: counter, stalls: counter, forgetCamera: (id: string) => forgotten.push(id) };
  const tracker = { fps: 25, cutFrame: () => undefined, endSession: () => undefined };
  const shotLog = {
    attachCamera: (camera: CameraConfig) => (cameraTimecode(camera, SHOTS.timecode), tracker),
    timecodeFor: (camera: CameraConfig) => cameraTimecode(camera, SHOTS.timecode),
    detachCamera: () => undefined,
    cameraRemoved: () => undefined,
    cameraStatus: () => undefined,
  };
  const removed: string[] = [];
  const deps = {
    ffmpegPath: '/nonexistent/ffmpeg',
    argsContext: {},
    models,
    supervisorSettings: validateConfig({}, '(test)').supervisor,
    baseDir: tempDir('shotscale-manager-'),
    scheduler,
    readouts: { reset: () => undefined, forget: () => undefined },
    metrics,
    clock: () => Date.now(),
    log: silentLogger,
    onStatus: () => undefined,
    onRemoved: (id: string) => removed.push(id),
    shotLog: options.shots === false ? null : shotLog,
  } as unknown as CameraManagerDeps;
  return { manager: new CameraManager(deps), removed, forgotten, scheduled, failNextStart: (count = 1) => (failStarts = count) };
}

const pattern = (id: string, extra: Record<string, unknown> = {}) => ({ id, name: `Camera ${id}`, enabled: false, source: { kind: 'testsrc', width: 64, height: 64, fps: 5 }, ...extra });

function refused(pattern: RegExp) {
  return (error: unknown) => isShotscaleError(error, 'CAMERA_INVALID') && pattern.test(error.message);
}

describe('CameraManager: refused edits keep the camera', () => {
  const dir = tempDir('shotscale-manager-files-');
  const notAHead = path.join(dir, 'passwd');
  writeFileSync(notAHead, 'root:x:0:0:root:/root:/bin/bash\n');

  const edits: [string, Record<string, unknown>, RegExp][] = [
    ['an unknown model', { models: [{ name: 'nope' }] }, /^camera "c1": models: unknown model "nope"/],
    ['a missing head', { calibration: path.join(dir, 'missing.json') }, /^camera "c1": calibration: .*not found/],
    ['a file that is not a head', { calibration: notAHead }, /^camera "c1": calibration: .*is not JSON/],
    ['a device as a head', { calibration: '/dev/zero' }, /^camera "c1": calibration: .*not a regular file/],
    ['a frame past the timecode rate', { timecode: { rate: '25', start: '23:59:59:99' } }, /^camera "c1": timecode start: .*out of range at 25 fps/],
    ['a drop-frame timecode that does not exist', { timecode: { rate: '29.97DF', start: '99:99:99;99' } }, /^camera "c1": timecode start: /],
  ];
  for (const [what, patch, message] of edits) {
    test(`${what}: CAMERA_INVALID, the same camera runs on`, async () => {
      const { manager, removed, scheduled } = harness();
      manager.add(pattern('c1'));
      const running = manager.get('c1');
      const profile = manager.profile('c1');
      await assert.rejects(manager.update('c1', patch), refused(message));
      assert.equal(manager.get('c1'), running, 'the camera was stopped');
      assert.equal(manager.profile('c1'), profile);
      assert.equal(manager.get('c1').camera.name, 'Camera c1');
      assert.ok(scheduled.has('c1'));
      assert.deepEqual(removed, []);
    });
  }

  test('a new camera with the same faults is refused and leaves nothing behind', () => {
    const { manager, scheduled, forgotten } = harness();
    for (const [, patch, message] of edits) {
      assert.throws(() => manager.add(pattern('c1', patch)), refused(message));
      assert.equal(manager.has('c1'), false);
    }
    assert.equal(scheduled.size, 0);
    assert.deepEqual(forgotten, [], 'no metric series was made to forget');
  });

  test('a good edit still restarts the camera with the new settings', async () => {
    const { manager } = harness();
    manager.add(pattern('c1'));
    const before = manager.get('c1');
    const head = writeHead(path.join(dir, 'good.head.json'));
    await manager.update('c1', { name: 'Renamed', calibration: head, timecode: { rate: '24', start: '01:00:00:00' } });
    assert.notEqual(manager.get('c1'), before);
    assert.equal(manager.get('c1').camera.name, 'Renamed');
    assert.equal(manager.profile('c1').head?.taxonomy, 'two');
  });

  test('a start that fails past the checks: the previous settings run again, the answer says so', async () => {
    const { manager, removed, scheduled, failNextStart } = harness();
    manager.add(pattern('c1'));
    failNextStart();
    await assert.rejects(manager.update('c1', { name: 'Renamed' }), refused(/^camera "c1" could not start \(no ring for you\); it runs on with its previous settings$/));
    assert.equal(manager.get('c1').camera.name, 'Camera c1');
    assert.ok(scheduled.has('c1'));
    assert.deepEqual(removed, []);
  });

  test('when even the previous settings cannot start again, the camera is removed and the answer says so', async () => {
    const { manager, removed, scheduled, forgotten, failNextStart } = harness();
    manager.add(pattern('c1'));
    failNextStart(2);
    await assert.rejects(manager.update('c1', { name: 'Renamed' }), refused(/^camera "c1" could not start \(no ring for you\); nor could it start again with its previous settings: it is removed$/));
    assert.equal(manager.has('c1'), false);
    assert.equal(scheduled.size, 0);
    assert.deepEqual(removed, ['c1']);
    assert.deepEqual(forgotten, ['c1']);
  });

  test('a new camera that fails to start is not listed, and its metric series are dropped', () => {
    const { manager, scheduled, forgotten, failNextStart, removed } = harness();
    failNextStart();
    assert.throws(() => manager.add(pattern('c2')), refused(/^camera "c2" could not start \(no ring for you\); it was not added$/));
    assert.equal(manager.has('c2'), false);
    assert.equal(scheduled.size, 0);
    assert.deepEqual(forgotten, ['c2']);
    assert.deepEqual(manager.list(), []);
    // It was listed for a moment: the dashboards are told it is gone.
    assert.deepEqual(removed, ['c2']);
  });

  test('with shots off a timecode is not counted, so not checked', () => {
    const { manager } = harness({ shots: false });
    manager.add(pattern('c3', { timecode: { rate: '25', start: '23:59:59:99' } }));
    assert.equal(manager.has('c3'), true);
  });

  test('validate() (a cluster add) refuses what add() refuses', () => {
    const { manager } = harness();
    assert.throws(() => manager.validate(pattern('c4', { calibration: '/dev/zero' })), refused(/calibration: .*not a regular file/));
    assert.throws(() => manager.validate(pattern('c4', { timecode: { rate: '25', start: '00:00:00:30' } })), refused(/timecode start/));
  });
});

describe('CameraManager: the analysis rate a status shows', () => {
  /** A manager whose scheduler holds stallcam to 2.7 of 4.1 fps, as the governor left it when its publisher stopped. */
  const manager = new CameraManager({ scheduler: { capacity: () => ({ overCapacity: true, capacityFps: 5, demandFps: 4.1, utilisation: 1, cameras: { stallcam: { arrivingFps: 4.1, allowedFps: 2.7 } } }) } } as unknown as CameraManagerDeps);
  const source = (state: string) => ({ status: () => ({ cameraId: 'stallcam', state, measuredFps: 0 }) }) as unknown as CameraSource;

  test('a live camera held to a share shows it', () => {
    assert.equal(manager.statusOf(source('live')).analysisRate, 2.7);
  });

  for (const state of ['stalled', 'waiting', 'restarting', 'failed']) {
    test(`a ${state} camera shows none (the wall read "2.2 fps of 0.0 fps")`, () => {
      assert.equal(manager.statusOf(source(state)).analysisRate, null);
    });
  }
});
