/**
 * Pixel cues that need no detector: where the active picture is (black bars,
 * including the letterbox padding the pipeline added) and a few scene
 * statistics for frames without people (sky, detail, blur, darkness).
 * One pass over the frame's luma; about a millisecond at 320x192.
 */
import type { FrameInput } from '../model.js';

/** The active picture, as fractions of the frame (x0 < x1, y0 < y1). */
export interface ActiveRect { x0: number; y0: number; x1: number; y1: number }

export interface ImageCues {
  lumMean: number;
  lumStd: number;
  satMean: number;
  /** Fraction of pixels on a strong edge (|gradient| > 0.1 of full scale). */
  edgeDensity: number;
  /** Mean |gradient| in the centre half over that in the border ring; > 1 means a sharp subject on a soft background. */
  centreSharpness: number;
  /** Fraction of the top third that is bright and bluish or grey: sky. */
  skyTop: number;
  /** Mean |gradient| of the top third over that of the whole picture: sky and ceilings are smooth. */
  topSmoothness: number;
  /** Fraction of near-black pixels (night, silhouettes). */
  darkFraction: number;
}

// A padded row from ffmpeg is exactly 0; film bars are near-black with noise
// and compression ringing, so a row counts as bar when under 2% of its pixels
// exceed luma 40.
const BAR_LUMA = 40;
const BAR_BRIGHT_FRACTION = 0.02;
/** Bars never take more than this of a side: a dark scene is not a bar. */
const BAR_MAX = 0.4;

const luma = (d: Uint8Array, i: number): number => (d[i]! * 77 + d[i + 1]! * 150 + d[i + 2]! * 29) >> 8;

export function findActiveRect(frame: FrameInput): ActiveRect {
  const { width: W, height: H, data } = frame;
  const rowBar = (y: number): boolean => {
    let bright = 0;
    for (let x = 0; x < W; x++) if (luma(data, (y * W + x) * 3) > BAR_LUMA) bright++;
    return bright <= BAR_BRIGHT_FRACTION * W;
  };
  let top = 0, bottom = H;
  while (top < H * BAR_MAX && rowBar(top)) top++;
  while (bottom > H * (1 - BAR_MAX) && rowBar(bottom - 1)) bottom--;
  // A frame black all over (fade, lens cap) has no bars: it is all picture.
  if (top >= H * BAR_MAX && bottom <= H * (1 - BAR_MAX)) return { x0: 0, y0: 0, x1: 1, y1: 1 };
  const colBar = (x: number): boolean => {
    let bright = 0;
    for (let y = top; y < bottom; y++) if (luma(data, (y * W + x) * 3) > BAR_LUMA) bright++;
    return bright <= BAR_BRIGHT_FRACTION * (bottom - top);
  };
  let left = 0, right = W;
  while (left < W * BAR_MAX && colBar(left)) left++;
  while (right > W * (1 - BAR_MAX) && colBar(right - 1)) right--;
  let [barTop, barBottom] = pairedBars(top, H - bottom, H);
  let [barLeft, barRight] = pairedBars(left, W - right, W);
  // Bars on both axes at once (a picture boxed in on all sides) are rare; a
  // dark side of the scene beside real letterbox bars is not. With bars on
  // both, an axis whose two sides disagreed is the scene, not a bar.
  if (barTop + barBottom > 0 && barLeft + barRight > 0) {
    const rowsAgree = agree(top, H - bottom, H), colsAgree = agree(left, W - right, W);
    if (rowsAgree && !colsAgree) barLeft = barRight = 0;
    else if (colsAgree && !rowsAgree) barTop = barBottom = 0;
  }
  return { x0: barLeft / W, y0: barTop / H, x1: 1 - barRight / W, y1: 1 - barBottom / H };
}

/** Bars of a letterbox or pillarbox are the same on both sides, give or take a few lines of ringing. */
function agree(a: number, b: number, side: number): boolean {
  return Math.abs(a - b) <= Math.max(2, 0.02 * side, 0.2 * Math.max(a, b));
}

/**
 * Two bars that disagree: the larger ran on into a dark part of the scene.
 * Both are taken as the smaller one (the bar the two sides share).
 */
function pairedBars(a: number, b: number, side: number): [number, number] {
  if (agree(a, b, side)) return [a, b];
  const bar = Math.min(a, b);
  return [bar, bar];
}

export function imageCues(frame: FrameInput, a: ActiveRect): ImageCues {
  const { width: W, data } = frame;
  const x0 = Math.round(a.x0 * W), x1 = Math.round(a.x1 * W);
  const y0 = Math.round(a.y0 * frame.height), y1 = Math.round(a.y1 * frame.height);
  const w = x1 - x0, h = y1 - y0;
  if (w < 3 || h < 3) return { lumMean: 0, lumStd: 0, satMean: 0, edgeDensity: 0, centreSharpness: 1, skyTop: 0, topSmoothness: 1, darkFraction: 1 };
  let sum = 0, sum2 = 0, sat = 0, dark = 0, sky = 0, skyN = 0, edges = 0;
  let gAll = 0, gCentre = 0, nCentre = 0, gBorder = 0, nBorder = 0, gTop = 0, nTop = 0, nAll = 0;
  const cx0 = x0 + w / 4, cx1 = x1 - w / 4, cy0 = y0 + h / 4, cy1 = y1 - h / 4;
  const topEnd = y0 + h / 3;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = (y * W + x) * 3;
      const r = data[i]!, g = data[i + 1]!, b = data[i + 2]!;
      const l = luma(data, i);
      const mx = Math.max(r, g, b), mn = Math.min(r, g, b);
      const s = mx > 0 ? (mx - mn) / mx : 0;
      sum += l; sum2 += l * l; sat += s;
      if (l < 25) dark++;
      if (y < topEnd) {
        skyN++;
        if (l > 140 && (b >= r || s < 0.15)) sky++;
      }
      if (x + 1 < x1 && y + 1 < y1) {
        const grad = (Math.abs(luma(data, i + 3) - l) + Math.abs(luma(data, i + W * 3) - l)) / 255;
        gAll += grad; nAll++;
        if (grad > 0.1) edges++;
        if (x >= cx0 && x < cx1 && y >= cy0 && y < cy1) { gCentre += grad; nCentre++; } else { gBorder += grad; nBorder++; }
        if (y < topEnd) { gTop += grad; nTop++; }
      }
    }
  }
  const n = w * h;
  const mean = sum / n;
  const eps = 1e-3;
  return {
    lumMean: mean / 255,
    lumStd: Math.sqrt(Math.max(sum2 / n - mean * mean, 0)) / 255,
    satMean: sat / n,
    edgeDensity: edges / Math.max(nAll, 1),
    centreSharpness: (gCentre / Math.max(nCentre, 1) + eps) / (gBorder / Math.max(nBorder, 1) + eps),
    skyTop: sky / Math.max(skyN, 1),
    topSmoothness: (gTop / Math.max(nTop, 1) + eps) / (gAll / Math.max(nAll, 1) + eps),
    darkFraction: dark / n,
  };
}
