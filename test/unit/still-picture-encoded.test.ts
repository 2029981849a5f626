/**
 * StillPictureWatch on real decoded frames: a held frame sent through lossy
 * encoders, still scenes with a live sensor's noise, and moving footage,
 * decoded by real ffmpeg with the ingest's own filter (5 fps, the model's
 * 320x192, RGB24), one frame every 200 ms.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { StillPictureWatch } from '../../server/analysis/still-picture.js';
import { videoFilter } from '../../server/ingest/ffmpeg-args.js';
import { CLIPS_DIR } from '../support/cut-clips.js';
import { tempDir } from '../support/media.js';

const FFMPEG = '/usr/bin/ffmpeg';
const W = 320, H = 192, FPS = 5;
const STEP_MS = 1000 / FPS;

/** The frames ffmpeg decodes from `input` (its input options and file), as ingest scales them; `before` filters first. */
function decoded(input: string[], before?: string): Uint8Array[] {
  const vf = [before, videoFilter({ width: W, height: H, fps: FPS, resize: 'stretch' })].filter(Boolean).join(',');
  const raw = execFileSync(FFMPEG, ['-hide_banner', '-loglevel', 'error', ...input, '-vf', vf, '-pix_fmt', 'rgb24', '-f', 'rawvideo', '-'], { maxBuffer: 1 << 30 });
  const size = W * H * 3;
  const frames: Uint8Array[] = [];
  for (let o = 0; o + size <= raw.length; o += size) frames.push(new Uint8Array(raw.subarray(o, o + size)));
  assert.ok(frames.length > 10, `ffmpeg decoded ${frames.length} frames from ${input.join(' ')}`);
  return frames;
}

/** What the watch said of each frame, as since-times (ms). */
function watched(frames: readonly Uint8Array[]): (number | null)[] {
  const watch = new StillPictureWatch();
  return frames.map((data, i) => watch.observe({ cameraId: 'cam', session: 1, data, width: W, height: H, captureTime: i * STEP_MS }));
}

/** The longest a picture was reported unchanged, ms. */
function longestStill(frames: readonly Uint8Array[]): number {
  return Math.max(0, ...watched(frames).map((since, i) => (since === null ? 0 : i * STEP_MS - since)));
}

function identicalPairs(frames: readonly Uint8Array[]): number {
  let same = 0;
  for (let i = 1; i < frames.length; i++) if (Buffer.compare(frames[i]!, frames[i - 1]!) === 0) same++;
  return same;
}

/** One frame of a real clip, as a capture card would hold it. */
function heldFrame(dir: string): string {
  const png = path.join(dir, 'held.png');
  execFileSync(FFMPEG, ['-hide_banner', '-loglevel', 'error', '-y', '-ss', '1.5', '-i', path.join(CLIPS_DIR, 'tos_zwm_clip01_10s.mp4'), '-frames:v', '1', png]);
  return png;
}

describe('still picture, real frames', () => {
  const dir = tempDir();
  const png = heldFrame(dir);

  test('a held frame through lossy encoders is still from its first frame, though its frames differ', () => {
    const encoders: Record<string, string[]> = {
      'x264 300 kbit/s, GOP 250': ['-c:v', 'libx264', '-b:v', '300k', '-g', '250'],
      'x264 300 kbit/s, GOP 50': ['-c:v', 'libx264', '-b:v', '300k', '-g', '50'],
      'x264 CRF 35': ['-c:v', 'libx264', '-crf', '35'],
      'mpeg4 q20': ['-c:v', 'mpeg4', '-q:v', '20'],
    };
    for (const [name, args] of Object.entries(encoders)) {
      const file = path.join(dir, `held-${name.replace(/\W+/g, '-')}.mp4`);
      execFileSync(FFMPEG, ['-hide_banner', '-loglevel', 'error', '-y', '-loop', '1', '-framerate', '25', '-i', png, '-t', '10', '-pix_fmt', 'yuv420p', ...args, file]);
      const frames = decoded(['-i', file]);
      assert.ok(identicalPairs(frames) < frames.length - 1, `${name}: the encoder changes the held frame (the exact test misses it)`);
      const seen = watched(frames);
      assert.equal(seen.at(-1), 0, `${name}: still since the first frame at the end (said ${seen.join(' ')})`);
    }
  });

  test('still scenes with a live sensor\'s noise are never still', () => {
    const scenes: [string, string[], string][] = [
      ['a held film frame with faint noise', ['-loop', '1', '-framerate', '25', '-t', '10', '-i', png], 'noise=alls=2:allf=t+u'],
      ['a held film frame with more noise', ['-loop', '1', '-framerate', '25', '-t', '10', '-i', png], 'noise=alls=3:allf=t+u'],
      ['a grey wall', ['-f', 'lavfi', '-i', 'color=gray:s=640x360:r=25,noise=alls=2:allf=t+u', '-t', '10'], ''],
      ['a dark room', ['-f', 'lavfi', '-i', 'color=0x101010:s=640x360:r=25,noise=alls=2:allf=t+u', '-t', '10'], ''],
    ];
    for (const [name, input, noise] of scenes) {
      const frames = decoded(input, noise || undefined);
      assert.equal(identicalPairs(frames), 0, `${name}: frames differ`);
      assert.equal(longestStill(frames), 0, `${name}: never still`);
    }
  });

  test('moving footage, and a fixed camera on a corridor people walk through, are never still', () => {
    for (const [clip, seconds] of [['tos_zwm_clip01_10s.mp4', 10], ['openmpf_video_02_hikers_17s.mp4', 17], ['intel_one_by_one_person_detection_2m19s.mp4', 60]] as const) {
      const frames = decoded(['-t', String(seconds), '-i', path.join(CLIPS_DIR, clip)]);
      assert.equal(longestStill(frames), 0, `${clip}: never still`);
    }
  });
});
