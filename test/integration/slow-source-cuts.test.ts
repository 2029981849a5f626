/**
 * The cut detector on a source slower than its rate, as a live camera fallen
 * to 2 fps gives it: real clips decoded with real ffmpeg at 2 fps, then filled
 * back to the 25 fps timecode rate by the same cut filter the server uses
 * (cutFrameFilter), so each picture comes 12-13 times. A review found hard
 * cuts at +0.5, +7.5, +16.5 and +19.5 s inside one held shot of walkers.mp4
 * served over RTSP at 2 fps (exactly one per loop at 25 fps): walking at
 * 2 fps changes a picture as much as a cut does at 25.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CUT_FRAME_BYTES, CutDetector, cutFrameFilter, type CutEvent } from '../../server/cuts/cut-detector.js';
import { scoreCuts } from '../../server/cuts/cut-scoring.js';
import { montageTruth } from '../support/cut-clips.js';
import { REPO_DIR } from '../support/server-harness.js';

const DETECTOR_FPS = 25;
const SOURCE_FPS = 2;
/** One picture of the 2 fps source at 25 fps, and a frame: a cut shows with the first picture after it. */
const PICTURE_TOLERANCE = Math.ceil(DETECTOR_FPS / SOURCE_FPS) + 1;

/** The clip as a 2 fps camera's cut frames: its pictures at 2 fps, each repeated to fill 25 fps. */
function slowSourceFrames(file: string): Uint8Array[] {
  const raw = execFileSync('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-i', file, '-an', '-vf', `fps=${SOURCE_FPS},${cutFrameFilter(DETECTOR_FPS)}`, '-f', 'rawvideo', 'pipe:1'], { maxBuffer: 256 * 1024 * 1024 });
  const frames: Uint8Array[] = [];
  for (let at = 0; at + CUT_FRAME_BYTES <= raw.length; at += CUT_FRAME_BYTES) frames.push(new Uint8Array(raw.subarray(at, at + CUT_FRAME_BYTES)));
  return frames;
}

/** All cuts, checking on the way that none comes after decidedThrough vouched for its frame (a slow source's wait included). */
function detect(frames: Uint8Array[]): CutEvent[] {
  const detector = new CutDetector(DETECTOR_FPS);
  const events: CutEvent[] = [];
  let decided = -1;
  const take = (found: CutEvent[]) => {
    for (const e of found) assert.ok(e.frame > decided, `cut at ${e.frame} came after decidedThrough ${decided}`);
    events.push(...found);
  };
  frames.forEach((frame, i) => {
    take(detector.push(frame, i));
    assert.ok(detector.decidedThrough >= decided && detector.decidedThrough <= i);
    decided = detector.decidedThrough;
  });
  take(detector.flush());
  return events;
}

const show = (events: CutEvent[]) => JSON.stringify(events.map((e) => `${e.kind}@${(e.frame / DETECTOR_FPS).toFixed(2)}s`));

describe('a source at 2 fps, its pictures repeated to fill 25 fps', () => {
  test('walkers.mp4 (people walking, one held shot) has no cut', () => {
    const events = detect(slowSourceFrames(path.join(REPO_DIR, 'media', 'demo', 'walkers.mp4')));
    assert.deepEqual(show(events), '[]');
  });

  test('hikers.mp4 (one shot, hikers walking up to the camera) has no cut', () => {
    const events = detect(slowSourceFrames(path.join(REPO_DIR, 'media', 'demo', 'hikers.mp4')));
    assert.deepEqual(show(events), '[]');
  });

  test('the montage: its real cuts are still found (9 of 11), within one picture, and nothing else', () => {
    const truth = montageTruth();
    const events = detect(slowSourceFrames(truth.path));
    const hard = events.filter((e) => e.kind === 'hard').map((e) => e.frame);
    // Its cuts at 25 fps: the montage is 24 fps.
    const cuts = truth.hardCuts.map((frame) => Math.round((frame / truth.fps) * DETECTOR_FPS));
    const score = scoreCuts(hard, cuts, PICTURE_TOLERANCE);
    assert.deepEqual(score.falsePositives, [], show(events));
    // 7.71 s and 10.00 s are cuts between two fast-moving shots (a 2 fps picture of
    // the runners changes by as much as the cut does): not told from motion at 2 fps.
    assert.ok(score.truePositives >= 9, `${score.truePositives} of ${cuts.length} found: ${show(events)}`);
  });
});
