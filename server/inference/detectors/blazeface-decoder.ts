/**
 * Decodes BlazeFace raw outputs (see models/blazeface-back.manifest.json) into
 * faces, as MediaPipe's TensorsToDetectionsCalculator does: anchor-relative
 * box + 6 keypoints, sigmoid scores, then weighted NMS.
 */
import { nms, type Box } from './nms.js';
import { BLAZEFACE_BACK_ANCHORS, generateSsdAnchors, type Anchor } from './ssd-anchors.js';

export const FACE_KEYPOINTS = ['right_eye', 'left_eye', 'nose_tip', 'mouth_center', 'right_ear_tragion', 'left_ear_tragion'] as const;
const NUM_COORDS = 16;

export interface Face {
  /** Normalized to the model input (0..1). */
  box: Box;
  points: { x: number; y: number }[];
  score: number;
}

export interface BlazeFaceOptions {
  anchors?: Anchor[];
  inputSize?: number;
  minScore?: number;
  iouThreshold?: number;
  weighted?: boolean;
  maxFaces?: number;
}

let backAnchors: Anchor[] | undefined;
export function blazeFaceBackAnchors(): Anchor[] {
  backAnchors ??= generateSsdAnchors(BLAZEFACE_BACK_ANCHORS);
  return backAnchors;
}

export const sigmoid = (x: number): number => 1 / (1 + Math.exp(-Math.min(Math.max(x, -100), 100)));

/**
 * `parts` are the output pairs in anchor order (scores [B, n, 1], boxes [B, n, 16]),
 * e.g. [[scores_16, boxes_16], [scores_8, boxes_8]] for blazeface-back; `batch`
 * picks the image and `batchSize` is B.
 */
export function decodeBlazeFace(parts: [Float32Array, Float32Array][], batch: number, batchSize: number, opts: BlazeFaceOptions = {}): Face[] {
  const anchors = opts.anchors ?? blazeFaceBackAnchors();
  const size = opts.inputSize ?? 256;
  const minScore = opts.minScore ?? 0.5;
  const cands: Face[] = [];
  let a = 0;
  for (const [scores, boxes] of parts) {
    const count = scores.length / batchSize;
    if (boxes.length !== scores.length * NUM_COORDS) throw new Error('scores/boxes size mismatch');
    for (let i = 0; i < count; i++, a++) {
      const score = sigmoid(scores[batch * count + i] ?? -100);
      if (score < minScore) continue;
      const anchor = anchors[a];
      if (!anchor) throw new Error(`no anchor ${a}: outputs do not match the anchor set`);
      const r = (batch * count + i) * NUM_COORDS;
      const v = (k: number): number => (boxes[r + k] ?? 0) / size;
      const cx = v(0) * anchor.w + anchor.xCenter, cy = v(1) * anchor.h + anchor.yCenter;
      const w = v(2) * anchor.w, h = v(3) * anchor.h;
      const points = FACE_KEYPOINTS.map((_, k) => ({ x: v(4 + 2 * k) * anchor.w + anchor.xCenter, y: v(5 + 2 * k) * anchor.h + anchor.yCenter }));
      cands.push({ box: { xMin: cx - w / 2, yMin: cy - h / 2, xMax: cx + w / 2, yMax: cy + h / 2 }, points, score });
    }
  }
  if (a !== anchors.length) throw new Error(`decoded ${a} anchors, expected ${anchors.length}`);
  return nms(cands, opts.iouThreshold ?? 0.3, opts.weighted ?? true, opts.maxFaces ?? Infinity);
}
