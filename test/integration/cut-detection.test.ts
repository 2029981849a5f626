/**
 * The cut detector on real decodes: generated clips whose cuts are known to
 * the frame (test/support/cut-clips.ts) and the real montage in
 * ../shared/fixtures/clips, through the Debian ffmpeg with the same filter the
 * server uses (cutFrameFilter).
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CutDetector, type CutEvent } from '../../server/cuts/cut-detector.js';
import { decodeCutFrames } from '../../server/cuts/decode-cut-frames.js';
import { scoreCuts } from '../../server/cuts/cut-scoring.js';
import { CUT_CLIP_SPECS, makeCutClips, montageTruth, type CutClip } from '../support/cut-clips.js';

const TOLERANCE = 2;

async function decode(file: string): Promise<Uint8Array[]> {
  const frames: Uint8Array[] = [];
  await decodeCutFrames('ffmpeg', file, { fps: null }, (data) => frames.push(data));
  return frames;
}

/** All cuts of a stream, checking on the way that none comes after decidedThrough vouched for its frame. */
function detect(frames: Uint8Array[], fps: number): CutEvent[] {
  const detector = new CutDetector(fps);
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

const show = (events: CutEvent[]) => JSON.stringify(events.map((e) => `${e.kind}@${e.frame}`));

describe('generated clips', () => {
  const clips = new Map<string, CutClip>();
  before(async () => {
    for (const clip of await makeCutClips()) clips.set(clip.name, clip);
  });

  for (const spec of CUT_CLIP_SPECS) {
    test(`${spec.name}: ${spec.description}`, async () => {
      const clip = clips.get(spec.name)!;
      const frames = await decode(clip.path);
      assert.equal(frames.length, clip.frames, 'the clip has the frames its truth counts');
      const events = detect(frames, clip.fps);
      const left = [...events];
      const take = (match: (e: CutEvent) => boolean, what: string) => {
        const at = left.findIndex(match);
        assert.notEqual(at, -1, `${what} not found in ${show(events)}`);
        left.splice(at, 1);
      };
      for (const cut of clip.hardCuts) take((e) => e.kind === 'hard' && Math.abs(e.frame - cut) <= TOLERANCE, `hard cut at ${cut}`);
      for (const t of clip.transitions) {
        take((e) => e.kind === t.kind && e.frame >= t.startFrame - TOLERANCE && e.frame <= t.endFrame + TOLERANCE, `${t.kind} over ${t.startFrame}-${t.endFrame}`);
      }
      assert.deepEqual(show(left), '[]', `cuts where there are none (flashes at ${JSON.stringify(clip.flashes)})`);
    });
  }
});

describe('montage of real footage (../shared/fixtures/clips)', () => {
  const truth = montageTruth();
  let events: CutEvent[] = [];
  before(async () => {
    const frames = await decode(truth.path);
    assert.equal(frames.length, truth.frames);
    events = detect(frames, truth.fps);
  });

  const inFlashSegment = (e: CutEvent) => e.frame >= truth.flashDissolveSegment.startFrame && e.frame <= truth.flashDissolveSegment.endFrame;

  test('hard cuts: F1 >= 0.96 within 2 frames (every other report counts against it)', () => {
    // The flash dissolve in segment 4 is a real change of view but not a hard
    // cut: a gradual report there is left out of this score, a hard one is not.
    const scored = events.filter((e) => !(e.kind !== 'hard' && inFlashSegment(e)));
    const score = scoreCuts(scored.map((e) => e.frame), truth.hardCuts, TOLERANCE);
    assert.ok(score.f1 >= 0.96, `F1 ${score.f1.toFixed(3)}: false ${JSON.stringify(score.falsePositives)}, missed ${JSON.stringify(score.missed)}`);
    assert.ok(scored.every((e) => e.kind === 'hard'), show(scored));
  });

  test('the VFX flicker (frames 192-204) is no cut', () => {
    const { startFrame, endFrame } = truth.flicker;
    assert.deepEqual(show(events.filter((e) => e.frame >= startFrame - TOLERANCE && e.frame <= endFrame + TOLERANCE)), '[]');
  });

  test('the white-flash dissolve in segment 4 is one gradual transition', () => {
    const there = events.filter(inFlashSegment);
    assert.equal(there.length, 1, show(there));
    assert.notEqual(there[0]!.kind, 'hard');
    assert.ok(there[0]!.startFrame < there[0]!.frame && there[0]!.frame < there[0]!.endFrame);
  });
});
