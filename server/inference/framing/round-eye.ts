/**
 * A round, dark-centred shape filling much of the picture: the iris and pupil
 * of an eye seen in macro. No face detector finds an eye alone (it needs the
 * whole face's layout), so an extreme close-up of an eye otherwise reads as a
 * detailed scene with nobody in it, the widest class there is.
 *
 * The cue is a dark-centred circle found by gradient voting (the radial
 * symmetry transform of Loy & Zelinsky, 2003, dark polarity only): every
 * strong edge votes for the point one radius away on its dark side. A circle
 * darker inside than out gathers the votes of its whole rim in its centre.
 * A candidate is then scored by how much of its rim is there (outward-facing
 * edges at 48 points round it, most of the rim inside the picture) and by
 * how much darker its inside is than the ring just outside it: a wheel, a
 * window or a plate seen at an angle is an ellipse with a broken rim, a
 * bright disc (sun, lamp, moon) has the other polarity. The best circle of
 * any size is kept; one under MIN_RADIUS scores nothing.
 *
 * Read on the active picture (bars excluded), resampled to 96 rows; about
 * 4 ms a frame (`npm run bench:model`), so the pipeline asks for it only
 * where no face and no body were found. Deterministic.
 */
import type { FrameInput } from '../model.js';
import type { ActiveRect } from './image-cues.js';

export interface RoundEye {
  /** Share of the rim's 48 points with an outward-facing edge across it, 0-1 (0: none found). */
  rim: number;
  /** The circle's radius as a share of the picture's height. */
  radius: number;
  /** Mean luminance just outside the rim minus inside it, 0-1. */
  contrast: number;
  /** Votes gathered at the centre per rim pixel (2 pi r): how much of the rim's edge points at one centre. */
  conc: number;
  /** rim x conc x contrast where the circle is large enough (radius >= MIN_RADIUS), else 0: how sure the picture holds one. */
  score: number;
}

interface Gradients { gx: Float32Array; gy: Float32Array; m: Float32Array }

export const NO_ROUND_EYE: RoundEye = { rim: 0, radius: 0, contrast: 0, conc: 0, score: 0 };

/** Smaller than this share of the height, a round dark shape is as likely a pupil in a close-up as a ball or a hole in a wide shot. */
export const MIN_RADIUS = 0.08;

const ROWS = 96;
const RIM_POINTS = 48;
/** Radii tried, as a share of the picture's height: a pupil in a wide eye shot to an iris filling the frame. */
const RADIUS_MIN = 0.06, RADIUS_MAX = 0.48, RADIUS_STEP = 1.2;
/** An edge is strong above this share of full scale (Sobel, /8). */
const EDGE_MIN = 0.04;
/** Candidates checked per radius (the strongest vote peaks). */
const PEAKS = 3;

/** The active picture's luma, box-resampled to ROWS rows (width in proportion), 0-1. */
function activeLuma(frame: FrameInput, a: ActiveRect): { w: number; h: number; l: Float32Array } | null {
  const { width: W, height: H, data } = frame;
  const x0 = Math.round(a.x0 * W), x1 = Math.round(a.x1 * W), y0 = Math.round(a.y0 * H), y1 = Math.round(a.y1 * H);
  const sw = x1 - x0, sh = y1 - y0;
  if (sw < 16 || sh < 16) return null;
  const scale = Math.min(1, ROWS / sh);
  const w = Math.max(1, Math.round(sw * scale)), h = Math.max(1, Math.round(sh * scale));
  const l = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    const ya = y0 + Math.floor((y * sh) / h), yb = Math.max(ya + 1, y0 + Math.floor(((y + 1) * sh) / h));
    for (let x = 0; x < w; x++) {
      const xa = x0 + Math.floor((x * sw) / w), xb = Math.max(xa + 1, x0 + Math.floor(((x + 1) * sw) / w));
      let sum = 0;
      for (let yy = ya; yy < yb; yy++) {
        for (let xx = xa; xx < xb; xx++) {
          const i = (yy * W + xx) * 3;
          sum += data[i]! * 0.299 + data[i + 1]! * 0.587 + data[i + 2]! * 0.114;
        }
      }
      l[y * w + x] = sum / ((yb - ya) * (xb - xa) * 255);
    }
  }
  return { w, h, l };
}

export function roundEye(frame: FrameInput, a: ActiveRect): RoundEye {
  const pic = activeLuma(frame, a);
  if (!pic) return NO_ROUND_EYE;
  const { w, h, l } = pic;
  // Sobel gradients (pointing to the brighter side); the strong ones listed with their unit direction.
  const g: Gradients = { gx: new Float32Array(w * h), gy: new Float32Array(w * h), m: new Float32Array(w * h) };
  const ex: number[] = [], ey: number[] = [], ux: number[] = [], uy: number[] = [];
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      const tl = l[i - w - 1]!, t = l[i - w]!, tr = l[i - w + 1]!, le = l[i - 1]!, ri = l[i + 1]!, bl = l[i + w - 1]!, b = l[i + w]!, br = l[i + w + 1]!;
      const gx = (tr + 2 * ri + br - tl - 2 * le - bl) / 8, gy = (bl + 2 * b + br - tl - 2 * t - tr) / 8;
      const m = Math.sqrt(gx * gx + gy * gy);
      g.gx[i] = gx; g.gy[i] = gy; g.m[i] = m;
      if (m < EDGE_MIN) continue;
      ex.push(x); ey.push(y); ux.push(gx / m); uy.push(gy / m);
    }
  }
  let best = NO_ROUND_EYE;
  const votes = new Float32Array(w * h);
  for (let rf = RADIUS_MIN; rf <= RADIUS_MAX; rf *= RADIUS_STEP) {
    const r = rf * h;
    votes.fill(0);
    for (let k = 0; k < ex.length; k++) {
      const cx = Math.round(ex[k]! - r * ux[k]!), cy = Math.round(ey[k]! - r * uy[k]!);
      if (cx >= 0 && cx < w && cy >= 0 && cy < h) votes[cy * w + cx]! += 1;
    }
    for (const c of votePeaks(votes, w, h, Math.max(1, Math.round(r / 6)))) {
      const found = checkCircle(c.c % w, Math.floor(c.c / w), r, g, l, w, h);
      const conc = c.v / (2 * Math.PI * r);
      if (found && found.rim * conc > best.rim * best.conc) best = { ...found, radius: rf, conc, score: 0 };
    }
  }
  return { ...best, score: best.radius >= MIN_RADIUS ? best.rim * best.conc * Math.max(best.contrast, 0) : 0 };
}

/** The strongest vote sums over a (2s+1)^2 window, each at least two windows from the others. */
function votePeaks(votes: Float32Array, w: number, h: number, s: number): { c: number; v: number }[] {
  // Summed-area table, then every window's sum.
  const sat = new Float32Array((w + 1) * (h + 1));
  for (let y = 0; y < h; y++) {
    let row = 0;
    for (let x = 0; x < w; x++) {
      row += votes[y * w + x]!;
      sat[(y + 1) * (w + 1) + x + 1] = sat[y * (w + 1) + x + 1]! + row;
    }
  }
  const sums = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    const ya = Math.max(0, y - s), yb = Math.min(h, y + s + 1);
    for (let x = 0; x < w; x++) {
      const xa = Math.max(0, x - s), xb = Math.min(w, x + s + 1);
      sums[y * w + x] = sat[yb * (w + 1) + xb]! - sat[ya * (w + 1) + xb]! - sat[yb * (w + 1) + xa]! + sat[ya * (w + 1) + xa]!;
    }
  }
  const peaks: { c: number; v: number }[] = [];
  for (let k = 0; k < PEAKS; k++) {
    let c = -1, v = 2; // fewer than 3 votes is no circle
    for (let i = 0; i < sums.length; i++) if (sums[i]! > v) { v = sums[i]!; c = i; }
    if (c < 0) break;
    peaks.push({ c, v });
    const px = c % w, py = Math.floor(c / w);
    for (let y = Math.max(0, py - 2 * s); y <= Math.min(h - 1, py + 2 * s); y++) {
      for (let x = Math.max(0, px - 2 * s); x <= Math.min(w - 1, px + 2 * s); x++) sums[y * w + x] = 0;
    }
  }
  return peaks;
}

/**
 * How complete the rim of the circle (cx, cy, r) is: of 48 points round it,
 * the share where, within a narrow band across the rim, the gradient is
 * strong and faces outward (brighter away from the centre). And how much
 * darker the inside is than the ring just outside. Null where most of the
 * rim falls outside the picture.
 */
function checkCircle(cx: number, cy: number, r: number, g: Gradients, l: Float32Array, w: number, h: number): { rim: number; contrast: number } | null {
  const band = Math.max(1, r * 0.1);
  let onRim = 0, possible = 0;
  for (let k = 0; k < RIM_POINTS; k++) {
    const a = (k / RIM_POINTS) * 2 * Math.PI, ca = Math.cos(a), sa = Math.sin(a);
    const px = cx + r * ca, py = cy + r * sa;
    if (px < 1 || px >= w - 1 || py < 1 || py >= h - 1) continue;
    possible++;
    for (let d = -band; d <= band; d += 0.5) {
      const x = Math.round(cx + (r + d) * ca), y = Math.round(cy + (r + d) * sa);
      if (x < 1 || x >= w - 1 || y < 1 || y >= h - 1) continue;
      const i = y * w + x;
      if (g.m[i]! >= EDGE_MIN && g.gx[i]! * ca + g.gy[i]! * sa >= 0.8 * g.m[i]!) { onRim++; break; }
    }
  }
  // Most of the rim must be in the picture: a quarter circle in a corner is no round shape.
  if (possible < RIM_POINTS * 0.75) return null;
  let inside = 0, nIn = 0, outside = 0, nOut = 0;
  const reach = Math.ceil(r * 1.4);
  for (let y = Math.max(0, Math.floor(cy - reach)); y <= Math.min(h - 1, Math.ceil(cy + reach)); y++) {
    for (let x = Math.max(0, Math.floor(cx - reach)); x <= Math.min(w - 1, Math.ceil(cx + reach)); x++) {
      const d2 = (x - cx) ** 2 + (y - cy) ** 2;
      if (d2 <= (r * 0.8) ** 2) { inside += l[y * w + x]!; nIn++; } else if (d2 >= (r * 1.1) ** 2 && d2 <= (r * 1.4) ** 2) { outside += l[y * w + x]!; nOut++; }
    }
  }
  const contrast = nIn && nOut ? outside / nOut - inside / nIn : 0;
  return { rim: onRim / possible, contrast };
}
