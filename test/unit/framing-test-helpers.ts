/** Hand-built detections for the framing unit tests (frame 320x192, coordinates 0..1). */
import type { Keypoint, Person } from '../../server/inference/detectors/movenet-decoder.js';
import type { FrameFace } from '../../server/inference/framing/detector-runner.js';
import { KEYPOINT_GROUPS } from '../../server/inference/framing/framing-features.js';

const W = 320, H = 192;

/** A person whose listed keypoint groups are seen (score 0.8) at the given y; the rest unseen. */
export function person(parts: Partial<Record<keyof typeof KEYPOINT_GROUPS, number>>, box = { xMin: 0.35, yMin: 0.05, xMax: 0.65, yMax: 0.95 }, score = 0.6): Person {
  const keypoints: Keypoint[] = Array.from({ length: 17 }, () => ({ x: 0.5, y: 0.5, score: 0.05 }));
  for (const [group, y] of Object.entries(parts)) {
    KEYPOINT_GROUPS[group as keyof typeof KEYPOINT_GROUPS].forEach((j, i) => { keypoints[j] = { x: 0.45 + 0.1 * (i % 2), y: y!, score: 0.8 }; });
  }
  return { keypoints, box, score };
}

/** A face `h` of the frame height tall, centred at (cx, cy), in frame coordinates. */
export function face(h: number, cx = 0.5, cy = 0.45, score = 0.9): FrameFace {
  const w = (h * H) / W;
  return { box: { xMin: cx - w / 2, yMin: cy - h / 2, xMax: cx + w / 2, yMax: cy + h / 2 }, score, points: [{ x: cx - w / 5, y: cy - h / 8 }, { x: cx + w / 5, y: cy - h / 8 }, { x: cx, y: cy }, { x: cx, y: cy + h / 4 }, { x: cx - w / 2, y: cy }, { x: cx + w / 2, y: cy }] };
}

