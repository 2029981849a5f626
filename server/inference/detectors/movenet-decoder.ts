/**
 * Decodes the raw MoveNet MultiPose heads (see models/movenet-multipose.manifest.json)
 * into people. Mirrors, op for op, the decoding that the TF.js graph runs after
 * the point where the ONNX export is cut, so results match the original model:
 * centre peaks (5x5 local max, top 6) -> regressed keypoints -> snapped to the
 * keypoint heatmap peak nearest the regressed point inside the person's box.
 * Pure functions over the batched NHWC outputs; pick an image with `batch`.
 */

export const COCO_KEYPOINTS = [
  'nose', 'left_eye', 'right_eye', 'left_ear', 'right_ear', 'left_shoulder', 'right_shoulder',
  'left_elbow', 'right_elbow', 'left_wrist', 'right_wrist', 'left_hip', 'right_hip',
  'left_knee', 'right_knee', 'left_ankle', 'right_ankle',
] as const;
const K = COCO_KEYPOINTS.length;

export interface MoveNetHeads {
  center: Float32Array; // [B, gh, gw, 1]
  keypointHeatmap: Float32Array; // [B, gh, gw, 17]
  keypointRegress: Float32Array; // [B, gh, gw, 34]
  keypointOffset: Float32Array; // [B, gh, gw, 34]
  boxScale: Float32Array; // [B, gh, gw, 2]
  boxOffset: Float32Array; // [B, gh, gw, 2]
  gridHeight: number;
  gridWidth: number;
}

export interface Keypoint { y: number; x: number; score: number }
export interface Person {
  /** 17 COCO keypoints, y/x normalized to the model input (0..1). */
  keypoints: Keypoint[];
  /** Normalized to the model input, clipped to 0..1. */
  box: { yMin: number; xMin: number; yMax: number; xMax: number };
  score: number;
}

// Constants read from the TF.js graph (stored there as float16).
const PEAK_EPS = 1.0132789611816406e-6; // Less/y: "is a 5x5 local maximum"
const SPREAD = 0.300048828125; // mul_6/y: Gaussian spread, x min(gh, gw)
const KEYPOINT_THRESHOLD = 0.126953125; // Greater_1/y: keypoints counted in the person score
const MAX_PEOPLE = 6; // TopKV2/k
const PEAK_WINDOW = 5; // MaxPool ksize

/** Centre-map peaks: cells equal to their 5x5 neighbourhood max (TF SAME pooling). */
function centerPeaks(c: Float32Array, base: number, gh: number, gw: number, k: number): { idx: number; score: number }[] {
  const r = Math.floor((PEAK_WINDOW - 1) / 2);
  // TopK by value, ties to the lower index (as TF): scanning in raster order and
  // inserting only on strictly greater keeps earlier cells ahead of equal later ones.
  const top: { idx: number; score: number }[] = [];
  for (let y = 0; y < gh; y++) {
    for (let x = 0; x < gw; x++) {
      const v = c[base + y * gw + x] ?? 0;
      // A cell's score is v or 0, so one that cannot beat the k-th is skipped before its window is read.
      if (top.length === k && v <= (top[k - 1]?.score ?? 0)) continue;
      let m = -Infinity;
      for (let yy = Math.max(0, y - r); yy <= Math.min(gh - 1, y + r); yy++) {
        for (let xx = Math.max(0, x - r); xx <= Math.min(gw - 1, x + r); xx++) m = Math.max(m, c[base + yy * gw + xx] ?? 0);
      }
      const score = Math.abs(v - m) < PEAK_EPS ? v : 0;
      if (top.length === k && score <= (top[k - 1]?.score ?? 0)) continue;
      let at = top.length;
      while (at > 0 && score > (top[at - 1]?.score ?? 0)) at--;
      top.splice(at, 0, { idx: y * gw + x, score });
      if (top.length > k) top.pop();
    }
  }
  return top;
}

interface Candidate { cy: number; cx: number; ky: Float32Array; kx: Float32Array; grid: [number, number, number, number]; score: number }

export function decodeMoveNet(h: MoveNetHeads, batch: number, maxPeople = MAX_PEOPLE): Person[] {
  const { gridHeight: gh, gridWidth: gw } = h;
  const hw = gh * gw;
  const at = (arr: Float32Array, ch: number, cell: number, c: number): number => arr[(batch * hw + cell) * ch + c] ?? 0;
  const peaks = centerPeaks(h.center, batch * hw, gh, gw, maxPeople);
  const cands: Candidate[] = peaks.map(({ idx, score }) => {
    const cy = Math.floor(idx / gw), cx = idx - Math.floor(idx / gw) * gw;
    const ky = new Float32Array(K), kx = new Float32Array(K);
    for (let j = 0; j < K; j++) {
      ky[j] = cy + at(h.keypointRegress, 2 * K, idx, 2 * j);
      kx[j] = cx + at(h.keypointRegress, 2 * K, idx, 2 * j + 1);
    }
    const sy = Math.max(at(h.boxScale, 2, idx, 0), 0), sx = Math.max(at(h.boxScale, 2, idx, 1), 0);
    const oy = cy + at(h.boxOffset, 2, idx, 0), ox = cx + at(h.boxOffset, 2, idx, 1);
    const clip = (v: number, hi: number): number => Math.max(Math.min(v, hi), 0);
    const grid: [number, number, number, number] = [clip(oy - sy * 0.5, gh), clip(ox - sx * 0.5, gw), clip(oy + sy * 0.5, gh), clip(ox + sx * 0.5, gw)];
    return { cy, cx, ky, kx, grid, score };
  });
  const denom = Math.min(gh, gw) * SPREAD;
  const weight = (c: Candidate, y: number, x: number, j: number): number => {
    const [y0, x0, y1, x1] = c.grid;
    if (!(y >= y0 && y < y1 && x >= x0 && x < x1)) return 0;
    const dy = y - (c.ky[j] ?? 0), dx = x - (c.kx[j] ?? 0);
    return Math.exp((-1 * (dy * dy + dx * dx)) / denom);
  };
  const colW = new Float64Array(gw);
  return cands.map((c) => {
    const keypoints: Keypoint[] = [];
    let sum = 0, count = 0;
    for (let j = 0; j < K; j++) {
      // ArgMax over the box-masked, distance-weighted heatmap; all-zero -> cell 0, like TF.
      let best = 0, bestVal = 0;
      const [y0, x0, y1, x1] = c.grid;
      const ys = Math.max(0, Math.ceil(y0)), ye = Math.min(gh, y1);
      const xs = Math.max(0, Math.ceil(x0)), xe = Math.min(gw, x1);
      // The Gaussian is separable: exp(-(dy²+dx²)/s) = exp(-dy²/s)·exp(-dx²/s), so only
      // gh + gw exps per keypoint instead of one per cell (same value to float precision).
      for (let x = xs; x < xe; x++) colW[x] = Math.exp(-((x - (c.kx[j] ?? 0)) ** 2) / denom);
      // Heatmap values read by index (NHWC: cell-major, keypoint fastest); this loop is most of the decoding's time.
      const heat = h.keypointHeatmap;
      for (let y = ys; y < ye; y++) {
        const rowW = Math.exp(-((y - (c.ky[j] ?? 0)) ** 2) / denom);
        let i = (batch * hw + y * gw + xs) * K + j;
        for (let x = xs; x < xe; x++, i += K) {
          const v = heat[i]! * rowW * colW[x]!;
          if (v > bestVal) { bestVal = v; best = y * gw + x; }
        }
      }
      const py = Math.floor(best / gw), px = best - py * gw;
      // The graph scores a keypoint by the max over all people's weighted maps at that cell.
      let score = 0;
      for (const o of cands) score = Math.max(score, at(h.keypointHeatmap, K, best, j) * weight(o, py, px, j));
      keypoints.push({
        y: (py + at(h.keypointOffset, 2 * K, best, 2 * j)) / gh,
        x: (px + at(h.keypointOffset, 2 * K, best, 2 * j + 1)) / gw,
        score,
      });
      if (score > KEYPOINT_THRESHOLD) { sum += score; count++; }
    }
    const [y0, x0, y1, x1] = c.grid;
    const n = (v: number, s: number): number => Math.min(Math.max(v / s, 0), 1);
    return { keypoints, box: { yMin: n(y0, gh), xMin: n(x0, gw), yMax: n(y1, gh), xMax: n(x1, gw) }, score: (c.score * sum) / Math.max(count, 1) };
  });
}

/** Packs people like the TF.js model's [6, 56] output (17 x (y, x, score), box, score): for tests and interop. */
export function toMoveNetTensor(people: Person[]): Float32Array {
  const out = new Float32Array(people.length * 56);
  people.forEach((p, i) => {
    p.keypoints.forEach((k, j) => out.set([k.y, k.x, k.score], i * 56 + j * 3));
    out.set([p.box.yMin, p.box.xMin, p.box.yMax, p.box.xMax, p.score], i * 56 + 51);
  });
  return out;
}
