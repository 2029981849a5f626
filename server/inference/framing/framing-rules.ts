/**
 * Framing geometry -> soft probabilities over the 8 canonical classes and a
 * short reason. Each rule places the shot at a position on the ordered scale
 * (0 = ECU ... 7 = EWS, fractional between classes) with a spread that says
 * how sure it is; probabilities fall off around that position, so neighbours
 * always get mass (human coders confuse neighbours too, kappa 0.64).
 */
import { CANONICAL_SCALES, SCALE_COUNT } from '../../shared/scale.js';
import type { FramingFeatures } from './framing-features.js';

// Values tuned on the even half of cinemanet (score-rules.ts), one at a time,
// checked on the odd half; where a sweep was flat the round middle value is kept.
export const DEFAULT_RULE_THRESHOLDS = {
  /** Face height / active short side from which the face alone decides (ECU, CU or MCU); 0.3-0.45 within 0.5 points. */
  faceDecides: 0.35,
  /** Face heights (over the active short side) at the centre of ECU and of CU. BlazeFace boxes of
   *  close-ups often exceed the picture (CU q90 1.04), so height alone rarely says ECU: 1.1 -> 1.5
   *  took even-half exact from 71.5% to 72.9%, 2.0 (with the cue shift at 0.8) to 75.3%: the cues in closeFace() decide most ECUs. */
  faceEcu: 2.0,
  faceCu: 0.55,
  /** Keypoint score from which a body part counts as in frame. */
  partMin: 0.3,
  /** Person height / active height from which a full body is a full shot rather than wide
   *  (by definition; flat on cinemanet, whose Long class holds both). */
  fullShotHeight: 0.5,
  /** Below this person height a full body is lost in the place: EWS. */
  extremeWideHeight: 0.12,
  /** Spread (in classes) of a confident rule, of a fallback, of a guess with nothing detected. */
  spreadSure: 0.55,
  spreadUnsure: 0.9,
  spreadGuess: 1.0,
  /** Face box bottom (fraction of active height) past which the chin is out of frame (0.9: 67.6%, 1.0: 69.0% even). */
  chinCut: 1.0,
  /** BlazeFace score under which a large face is probably only part of a face (ECU median 0.57, CU 0.85). */
  partialFaceScore: 0.65,
  /** How far (in classes) each close-face cue moves the position. */
  closeShift: 0.8,
  /** How far a body (shoulders) seen below a large face moves it towards MCU. */
  bodyShift: 0.35,
  /** Nothing detected: edge density from which the scene reads as a wide, detailed place
   *  (cinemanet even half, frames without detections: 0.04 separates close from far best, 87% vs 86% for always-far; medians ELS 0.24, ECU 0.07). */
  sceneEdgeDensity: 0.04,
  /** Nothing detected: bright/bluish fraction of the top third that reads as sky (ELS median 0.28, ECU 0.01). */
  sceneSky: 0.3,
  /** Nobody counted, but faint figures (person scores under the count) summing to this: a soft picture is a dim
   *  scene with someone in it, not a macro detail. */
  faintFigure: 0.2,
  /** A faint figure at least this tall (of the active height) is cut by the frame somewhere: read as a medium shot.
   *  A round value between the shared sets' four such figures (0.98 and 0.80 in MS frames, 0.43 and 0.23 in wide ones). */
  faintCut: 0.6,
  /** Nobody found: a round, dark-centred shape at least this sure (round-eye.ts: rim x votes x contrast) is an eye
   *  in macro. At 0.4 it fires, of the shared sets' frames with nobody found, on 17 of CinemaNet's 75 ECUs, 4 of
   *  its 710 ELSs and 1 of its 26 CUs (HOHA: none of 17); at 0.3 on 25 ECUs and 8 others. */
  roundEye: 0.4,
};

export type RuleThresholds = typeof DEFAULT_RULE_THRESHOLDS;

/**
 * Where the frame's bottom edge falls on the body (heads below the crown,
 * body-axis.ts) at each boundary between neighbouring classes, from the
 * definitions (DESIGN.md), read as "a class begins where the part it is
 * named by comes into frame": ECU|CU at the chin (a chin out of frame is an
 * ECU), CU|MCU at the chest ("chest up"), MCU|MS at the waist ("waist up"),
 * MS|MWS at mid-thigh (the cowboy shot), MWS|FS above the ankles. Not fitted
 * on any set: where a set's annotators draw their lines is for a calibration
 * head to learn. The lines were once midway between the named parts (1.75,
 * 2.5, 4.5); every finely labelled set known to us draws them lower on the
 * body than that (HOHA at 1.93, 3.20 and 5.22 heads; films reported read
 * too wide, MS as MWS and MCU as MS), and a head fitted on a coarse set
 * (CinemaNet's one "Medium") cannot learn the MCU|MS line at all.
 */
export const AXIS_BOUNDARIES = [1.05, 2.0, 3.0, 5.0, 7.2] as const;

/**
 * The body part at a place on the axis, for reasons. The bands split where
 * the class lines are, so a part's name never contradicts the class read by
 * the lines (a frame cut just above the waist is "the lower chest": MCU).
 */
const AXIS_PARTS: [number, string][] = [
  [0.8, 'the eyes'], [1.05, 'the chin'], [1.3, 'the neck'], [1.75, 'the shoulders'], [2.0, 'the top of the chest'], [2.5, 'the chest'], [3.0, 'the lower chest'],
  [3.5, 'the waist'], [4.5, 'the hips'], [5.0, 'the upper thighs'], [5.6, 'mid-thigh'], [6.6, 'the knees'], [7.2, 'the shins'],
];

export function axisPart(bottom: number): string {
  return AXIS_PARTS.find(([upTo]) => bottom < upTo)?.[1] ?? 'the feet';
}

/** Position on the scale (0 = ECU ... 4 = MWS) of a frame whose bottom edge cuts the body at `bottom`. */
export function axisPosition(bottom: number): number {
  const b = AXIS_BOUNDARIES;
  // Below the chin: ECU, down to mid-face (0.5 heads) at its centre.
  if (bottom < b[0]) return Math.max(0, 0.5 - ((b[0] - bottom) / (b[0] - 0.5)) * 0.5);
  for (let k = 1; k < b.length; k++) if (bottom < b[k]!) return k - 0.5 + (bottom - b[k - 1]!) / (b[k]! - b[k - 1]!);
  return b.length - 0.5;
}

export interface RuleResult {
  probabilities: number[];
  reason: string;
  /** Position on the ordered scale (0 = ECU ... 7 = EWS). */
  position: number;
  /** 0..1; low when nothing was detected. */
  confidence: number;
}

// Face height (over the active picture's short side) -> scale position,
// log-linear between anchors. A face filling the picture is ECU; half of it CU.
// Anchors are class centres; tuned on the even half of cinemanet, where face
// height medians are ECU 0.95, CU 0.70, Medium 0.28, Long 0.12, so the class
// boundaries (geometric means of neighbouring anchors) fall at ECU|CU 0.81,
// CU|MCU 0.45, MS|MWS 0.17.
const FACE_ANCHORS: [number, number][] = [[0.34, 2], [0.215, 3], [0.14, 4], [0.09, 5], [0.05, 6], [0.02, 7]];

export function facePosition(h: number, t: RuleThresholds = DEFAULT_RULE_THRESHOLDS): number {
  const anchors: [number, number][] = [[t.faceEcu, 0], [t.faceCu, 1], ...FACE_ANCHORS];
  if (h >= anchors[0]![0]) return 0;
  for (let i = 1; i < anchors.length; i++) {
    const [h1, s1] = anchors[i]!, [h0, s0] = anchors[i - 1]!;
    if (h >= h1) return s0 + ((s1 - s0) * Math.log(h0 / h)) / Math.log(h0 / h1);
  }
  return 7;
}

const pct = (v: number): string => `${Math.round(v * 100)}%`;
/** A full body under half the height is "small in frame" only once it reads wider than a full shot (WS): a reason never says small beside FS. */
const readsWide = (position: number): boolean => Math.round(position) > 5;
const clampPos = (s: number): number => Math.min(Math.max(s, 0), SCALE_COUNT - 1);

export function softScale(position: number, spread: number): number[] {
  const w = CANONICAL_SCALES.map((_, c) => Math.exp(-((c - position) ** 2) / (2 * spread * spread)) + 1e-3);
  const total = w.reduce((s, v) => s + v, 0);
  return w.map((v) => v / total);
}

function result(position: number, spread: number, reason: string, confidence: number): RuleResult {
  const s = clampPos(position);
  return { probabilities: softScale(s, spread), reason: `${reason} -> ${CANONICAL_SCALES[Math.round(s)]}`, position: s, confidence };
}

/** MS, leaning to MCU: a figure the frame cuts somewhere, where is not known. */
const CUT_FIGURE_POSITION = 3.4;

/** A whole figure (feet in frame) by its height in the picture: a full shot from half the height, wider as it shrinks, EWS once tiny. */
function wholeFigurePosition(h: number, t: RuleThresholds): number {
  if (h >= t.fullShotHeight) return 5;
  if (h < t.extremeWideHeight) return 7;
  return Math.min(5 + (Math.log(t.fullShotHeight / h) / Math.log(t.fullShotHeight / t.extremeWideHeight)) * 1.5, 6.4);
}

/** Position from what of the main person's body is in frame. */
function bodyPosition(f: FramingFeatures, t: RuleThresholds): { position: number; reason: string } | null {
  if (!f.person_present) return null;
  const seen = (v: number): boolean => v >= t.partMin;
  if (seen(f.kp_ankles) && (seen(f.kp_knees) || seen(f.kp_hips))) {
    const h = f.person_height, position = wholeFigurePosition(h, t);
    const reason = position === 7 ? `tiny figure (${pct(h)} of height)` : readsWide(position) ? `full body small in frame (${pct(h)} of height)` : `full body, ${pct(h)} of height`;
    return { position, reason };
  }
  if (seen(f.kp_knees)) return { position: 4, reason: 'knees in, feet out' };
  if (seen(f.kp_hips)) return { position: 3, reason: 'hips in, knees out' };
  if (seen(f.kp_shoulders)) return { position: 2, reason: 'shoulders in, hips out' };
  if (seen(f.kp_head)) return { position: 1.3, reason: 'head only' };
  return null;
}

export function framingRules(f: FramingFeatures, t: RuleThresholds = DEFAULT_RULE_THRESHOLDS): RuleResult {
  const crowd = f.people_count >= 3 ? `${f.people_count} people, ` : f.people_count === 2 ? '2 people, ' : '';
  if (f.axis_found) return axisRule(f, t, crowd);
  if (f.face_present && f.face_height >= t.faceDecides) return closeFace(f, t);
  const body = bodyPosition(f, t);
  if (body) {
    if (f.face_present) {
      // Both seen: the body says which band, the face refines within one class.
      const fp = facePosition(f.face_height, t);
      const s = body.position + Math.max(Math.min(fp - body.position, 0.6), -0.6);
      return result(s, t.spreadSure, `${crowd}${body.reason}, face ${pct(f.face_height)}`, 0.8);
    }
    return result(body.position, t.spreadUnsure, `${crowd}${body.reason}`, 0.6);
  }
  if (f.face_present) return result(facePosition(f.face_height, t), t.spreadUnsure, `face ${pct(f.face_height)} of height, no body found`, 0.5);
  return sceneGuess(f, t);
}

/**
 * A large face: ECU or CU. Box height alone overlaps (cinemanet even half: ECU
 * median 0.87, CU 0.73), so three cues shift it: a face cut at the chin (box
 * bottom past 0.95 of the height: ECU median 0.99, CU 0.86), a low detector
 * score (only part of a face: ECU median 0.57, CU 0.85), and a body found
 * below it (ECU 3 of 227, CU 120 of 293).
 */
function closeFace(f: FramingFeatures, t: RuleThresholds): RuleResult {
  let s = facePosition(f.face_height, t);
  const notes: string[] = [];
  if (f.face_bottom > t.chinCut) { s -= t.closeShift; notes.push('chin cut'); }
  if (f.face_score < t.partialFaceScore) { s -= t.closeShift; notes.push('partial face'); }
  if (f.person_present && f.kp_shoulders > 0) { s += t.bodyShift; notes.push('shoulders seen'); } else if (f.person_present) { s += t.bodyShift / 2; }
  return result(Math.min(s, 1.6), t.spreadSure, `face ${pct(f.face_height)} of height${notes.length ? ` (${notes.join(', ')})` : ''}`, 0.8);
}

/**
 * Nothing detected: the scene's texture is all there is; say so. The sky cue
 * counts bright, bluish or grey pixels in the top third, which a pale wall
 * is too (the demo reel's empty gallery read "open sky"), so the reason names
 * what was measured rather than claiming a sky. Little detail reads as a
 * macro shot, unless faint figures say a person is there: a dark stage or a
 * night exterior has little detail too, and a figure on it is no ECU (the
 * shared sets' four such frames are MS, MS, Long and ELS). The figure's
 * height then places it: tall, it is cut by the frame (a medium shot);
 * shorter, a whole figure. Before all that, a round, dark-centred shape
 * filling much of the picture is an eye seen in macro, however detailed the
 * iris (CinemaNet's stock macro shots of an iris read as detailed wide scenes).
 */
function sceneGuess(f: FramingFeatures, t: RuleThresholds): RuleResult {
  if (f.round_eye >= t.roundEye) {
    return result(0, t.spreadUnsure, `no face found; a round, dark-centred shape ${pct(2 * f.round_eye_radius)} of height (an eye's iris in macro)`, 0.5);
  }
  if (f.edge_density >= t.sceneEdgeDensity || f.sky_top >= t.sceneSky) {
    return result(7, t.spreadGuess, `no person or face found; ${f.sky_top >= t.sceneSky ? 'bright, plain top third (sky or a pale wall)' : 'wide detailed scene'}`, 0.25);
  }
  if (f.faint_people_score >= t.faintFigure) {
    const h = f.faint_person_height;
    return result(h >= t.faintCut ? CUT_FIGURE_POSITION : wholeFigurePosition(h, t), t.spreadGuess, `no person or face found for sure; little detail, a faint figure ${pct(h)} of height`, 0.2);
  }
  return result(0.3, t.spreadGuess, 'no person or face found; little detail, soft texture (a detail or macro shot?)', 0.2);
}

/**
 * The body axis placed (body-axis.ts): where the bottom edge cuts the body
 * says the class by definition; with the feet in frame, the body's size does.
 * A close face keeps its own cues (the forehead cut off, only part of a face
 * found), which the bottom edge alone cannot see.
 */
function axisRule(f: FramingFeatures, t: RuleThresholds, crowd: string): RuleResult {
  const sure = f.axis_anchors >= 3;
  const spread = sure ? t.spreadSure : t.spreadUnsure;
  const confidence = sure ? 0.8 : 0.6;
  // Sitting, the legs fold: with the feet in frame the whole figure is there, however high the edge falls on a standing body.
  const seated = f.axis_seated ? 'seated (knees at hip height), ' : '';
  // Placed from the shoulders and hips alone: seen from behind or in profile
  // (said where a face would be big enough to find: not of small figures).
  const faceless = f.face_present ? '' : 'no face, ';
  const feetIn = f.axis_seated ? f.kp_ankles >= t.partMin : f.axis_bottom >= AXIS_BOUNDARIES[AXIS_BOUNDARIES.length - 1]!;
  if (feetIn) {
    const h = f.axis_body_height, position = wholeFigurePosition(h, t);
    // A full shot is said as one. Small in frame (WS), a face is not expected to be found: no need to say so.
    const size = position === 7 ? `tiny figure (${pct(h)} of height)` : readsWide(position) ? `${seated}feet in, body small in frame (${pct(h)} of height)` : `${faceless}${seated}feet in, body ${pct(h)} of height`;
    return result(position, spread, `${crowd}${size}`, confidence);
  }
  let s = axisPosition(f.axis_bottom);
  const notes: string[] = [];
  if (s < 1.6 && f.face_present) {
    // The top edge into the forehead: the face overfills the frame.
    if (f.axis_top > 0.35) { s -= t.closeShift / 2; notes.push('forehead cut'); }
    if (f.face_score < t.partialFaceScore && f.face_height >= t.faceDecides) { s -= t.closeShift; notes.push('partial face'); }
  }
  const at = `frame cuts at ${axisPart(f.axis_bottom)} (${f.axis_bottom.toFixed(1)} heads)`;
  return result(s, spread, `${crowd}${faceless}${seated}${at}${notes.length ? `, ${notes.join(', ')}` : ''}`, confidence);
}
