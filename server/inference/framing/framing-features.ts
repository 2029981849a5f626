/**
 * Detections -> framing geometry: everything measured relative to the ACTIVE
 * picture (black bars and pipeline padding removed), for the main subject and
 * the scene, as a named numeric vector in a stable order so that a learned
 * head can be trained on it. Missing measurements are 0 (with a presence flag
 * or a score of 0 beside them), never NaN.
 */
import type { Person } from '../detectors/movenet-decoder.js';
import type { Detections, FrameFace } from './detector-runner.js';
import { bodyAxis } from './body-axis.js';
import type { ActiveRect, ImageCues } from './image-cues.js';
import { NO_ROUND_EYE, type RoundEye } from './round-eye.js';

export const FRAMING_FEATURE_NAMES = [
  'active_width', 'active_height', 'active_aspect',
  'people_count', 'faces_count', 'people_full_body_count',
  'face_present', 'face_height', 'face_width', 'face_score', 'face_cx', 'face_cy', 'face_overflow', 'face_bottom', 'face_eye_distance', 'face_second_height',
  'person_present', 'person_score', 'person_height', 'person_width', 'person_cx', 'person_cy', 'person_top', 'person_bottom',
  'kp_head', 'kp_shoulders', 'kp_elbows', 'kp_wrists', 'kp_hips', 'kp_knees', 'kp_ankles',
  'shoulder_width', 'eye_shoulder_drop', 'lowest_keypoint_y', 'body_height_estimate',
  'people_height_max', 'people_height_mean', 'people_area_sum',
  'lum_mean', 'lum_std', 'sat_mean', 'edge_density', 'centre_sharpness', 'sky_top', 'top_smoothness', 'dark_fraction',
  'axis_found', 'axis_bottom', 'axis_top', 'axis_body_height', 'axis_anchors', 'axis_seated',
  'faint_people_score', 'faint_person_height',
  'round_eye', 'round_eye_radius',
] as const;

export type FeatureName = (typeof FRAMING_FEATURE_NAMES)[number];
export type FramingFeatures = Record<FeatureName, number>;

export interface FeatureThresholds {
  /** MoveNet person score from which a person counts. */
  personMinScore: number;
  /** Keypoint score from which a keypoint counts as seen. */
  keypointMinScore: number;
  /** BlazeFace score from which a face counts. */
  faceMinScore: number;
  /** Large faces count from this lower score: the back-camera model scores faces that fill the frame low. */
  bigFaceMinScore: number;
  /** Face height / active short side from which a face is "large". */
  bigFaceHeight: number;
}

export const DEFAULT_FEATURE_THRESHOLDS: FeatureThresholds = {
  personMinScore: 0.3, keypointMinScore: 0.3, faceMinScore: 0.6,
  // cinemanet: at score >= 0.6 only 118 of 329 ECU frames had a face, at >= 0.3 293 did;
  // the extra low-score faces in extreme long shots are small (median 0.11 of the short side).
  bigFaceMinScore: 0.3, bigFaceHeight: 0.35,
};

/** Person candidates from this score up, under personMinScore, are faint figures: not counted, but not nothing. */
export const FAINT_MIN_SCORE = 0.1;

/** COCO keypoint indices by body part. */
export const KEYPOINT_GROUPS = {
  head: [0, 1, 2, 3, 4], shoulders: [5, 6], elbows: [7, 8], wrists: [9, 10], hips: [11, 12], knees: [13, 14], ankles: [15, 16],
} as const;

/** Frame <-> active-picture coordinates (both 0..1). */
export interface ActiveFrame {
  rect: ActiveRect;
  /** Active picture size in pixels. */
  widthPx: number;
  heightPx: number;
}

export function activeFrame(rect: ActiveRect, frameWidth: number, frameHeight: number): ActiveFrame {
  return { rect, widthPx: Math.max((rect.x1 - rect.x0) * frameWidth, 1), heightPx: Math.max((rect.y1 - rect.y0) * frameHeight, 1) };
}

const ax = (a: ActiveFrame, x: number): number => (x - a.rect.x0) / (a.rect.x1 - a.rect.x0 || 1);
const ay = (a: ActiveFrame, y: number): number => (y - a.rect.y0) / (a.rect.y1 - a.rect.y0 || 1);
// A keypoint on the very edge is usually the model guessing beyond the frame.
const inside = (v: number): boolean => v >= 0.01 && v <= 0.99;

/** People and faces that count, with their size and position in the active picture. */
export interface Subject {
  cx: number; cy: number; width: number; height: number; score: number;
  /** score x sqrt(area) x centrality: the one the shot is about. */
  prominence: number;
}

function subjectOf(a: ActiveFrame, box: { xMin: number; yMin: number; xMax: number; yMax: number }, score: number): Subject {
  const x0 = ax(a, box.xMin), x1 = ax(a, box.xMax), y0 = ay(a, box.yMin), y1 = ay(a, box.yMax);
  const cx = (x0 + x1) / 2, cy = (y0 + y1) / 2, width = x1 - x0, height = y1 - y0;
  const centrality = 1 - 0.5 * Math.min(Math.hypot(cx - 0.5, cy - 0.5) / 0.7071, 1);
  return { cx, cy, width, height, score, prominence: score * Math.sqrt(Math.max(width * height, 0)) * centrality };
}

export interface FramingScene {
  people: { person: Person; subject: Subject }[];
  faces: { face: FrameFace; subject: Subject }[];
}

/** The people and faces that count, most prominent first. */
export function framingScene(d: Detections, a: ActiveFrame, t: FeatureThresholds): FramingScene {
  const people = d.people.filter((p) => p.score >= t.personMinScore).map((person) => ({ person, subject: subjectOf(a, person.box, person.score) }));
  const short = Math.min(a.widthPx, a.heightPx) / a.heightPx / (a.rect.y1 - a.rect.y0 || 1);
  const counts = (f: FrameFace): boolean => f.score >= t.faceMinScore || (f.score >= t.bigFaceMinScore && (f.box.yMax - f.box.yMin) / short >= t.bigFaceHeight);
  const faces = d.faces.filter(counts).map((face) => ({ face, subject: subjectOf(a, face.box, face.score) }));
  people.sort((p, q) => q.subject.prominence - p.subject.prominence);
  faces.sort((p, q) => q.subject.height - p.subject.height);
  return { people, faces };
}

/** A face inside (or at the top edge of) the person's box is that person's face. */
function faceBelongsTo(face: Subject, person: Subject): boolean {
  return Math.abs(face.cx - person.cx) <= person.width / 2 + face.width / 2 && face.cy <= person.cy + person.height / 2;
}

function groupScore(p: Person, a: ActiveFrame, group: readonly number[], min: number): number {
  let best = 0;
  for (const j of group) {
    const k = p.keypoints[j];
    if (k && k.score >= min && inside(ax(a, k.x)) && inside(ay(a, k.y))) best = Math.max(best, k.score);
  }
  return best;
}

function meanPoint(p: Person, a: ActiveFrame, group: readonly number[], min: number): { x: number; y: number } | null {
  const pts = group.map((j) => p.keypoints[j]!).filter((k) => k.score >= min);
  if (!pts.length) return null;
  return { x: ax(a, pts.reduce((s, k) => s + k.x, 0) / pts.length), y: ay(a, pts.reduce((s, k) => s + k.y, 0) / pts.length) };
}

/**
 * The framing features of one frame. `roundEyeOf` finds a round dark-centred
 * shape in the picture (round-eye.ts); it is asked only where no face and no
 * body were found, the only frames whose reading it can change, so that the
 * frames with people in them do not pay for it.
 */
export function framingFeatures(d: Detections, rect: ActiveRect, cues: ImageCues, frameWidth: number, frameHeight: number, t = DEFAULT_FEATURE_THRESHOLDS, roundEyeOf: () => RoundEye = () => NO_ROUND_EYE): FramingFeatures {
  const a = activeFrame(rect, frameWidth, frameHeight);
  const scene = framingScene(d, a, t);
  const f = Object.fromEntries(FRAMING_FEATURE_NAMES.map((n) => [n, 0])) as FramingFeatures;
  f.active_width = rect.x1 - rect.x0;
  f.active_height = rect.y1 - rect.y0;
  f.active_aspect = a.widthPx / a.heightPx;
  f.people_count = scene.people.length;
  f.faces_count = scene.faces.length;
  f.people_full_body_count = scene.people.filter(({ person }) => groupScore(person, a, KEYPOINT_GROUPS.ankles, t.keypointMinScore) > 0 && groupScore(person, a, KEYPOINT_GROUPS.head, t.keypointMinScore) > 0).length;
  const short = Math.min(a.widthPx, a.heightPx);
  const face = scene.faces[0];
  if (face) {
    const b = face.face.box;
    f.face_present = 1;
    // Faces are measured against the shorter side: a face filling a portrait
    // (pillarboxed) picture is as close as one filling a widescreen one.
    f.face_height = ((b.yMax - b.yMin) * frameHeight) / short;
    f.face_width = ((b.xMax - b.xMin) * frameWidth) / short;
    f.face_score = face.face.score;
    f.face_cx = face.subject.cx;
    f.face_cy = face.subject.cy;
    const over = Math.max(-ax(a, b.xMin), ax(a, b.xMax) - 1, 0) * a.widthPx + 0;
    const overY = Math.max(-ay(a, b.yMin), ay(a, b.yMax) - 1, 0) * a.heightPx;
    f.face_overflow = Math.max(over, overY) / Math.max((b.yMax - b.yMin) * frameHeight, 1);
    f.face_bottom = ay(a, b.yMax);
    const [re, le] = face.face.points;
    if (re && le) f.face_eye_distance = Math.hypot((re.x - le.x) * frameWidth, (re.y - le.y) * frameHeight) / short;
    const second = scene.faces[1];
    f.face_second_height = second ? ((second.face.box.yMax - second.face.box.yMin) * frameHeight) / short : 0;
  }
  const main = scene.people[0];
  if (main) {
    const p = main.person, s = main.subject;
    f.person_present = 1;
    f.person_score = p.score;
    f.person_height = s.height;
    f.person_width = s.width;
    f.person_cx = s.cx;
    f.person_cy = s.cy;
    f.person_top = s.cy - s.height / 2;
    f.person_bottom = s.cy + s.height / 2;
    const min = t.keypointMinScore;
    f.kp_head = groupScore(p, a, KEYPOINT_GROUPS.head, min);
    f.kp_shoulders = groupScore(p, a, KEYPOINT_GROUPS.shoulders, min);
    f.kp_elbows = groupScore(p, a, KEYPOINT_GROUPS.elbows, min);
    f.kp_wrists = groupScore(p, a, KEYPOINT_GROUPS.wrists, min);
    f.kp_hips = groupScore(p, a, KEYPOINT_GROUPS.hips, min);
    f.kp_knees = groupScore(p, a, KEYPOINT_GROUPS.knees, min);
    f.kp_ankles = groupScore(p, a, KEYPOINT_GROUPS.ankles, min);
    const ls = p.keypoints[5]!, rs = p.keypoints[6]!;
    if (ls.score >= min && rs.score >= min) {
      f.shoulder_width = Math.hypot((ls.x - rs.x) * frameWidth, (ls.y - rs.y) * frameHeight) / a.heightPx;
    }
    const eyes = meanPoint(p, a, [1, 2], min), shoulders = meanPoint(p, a, KEYPOINT_GROUPS.shoulders, min);
    if (eyes && shoulders) f.eye_shoulder_drop = Math.max(shoulders.y - eyes.y, 0);
    let lowest = 0;
    for (const k of p.keypoints) if (k.score >= min && inside(ax(a, k.x)) && inside(ay(a, k.y))) lowest = Math.max(lowest, ay(a, k.y));
    f.lowest_keypoint_y = lowest;
    // A standing adult is ~4.3 shoulder widths or ~7 eye-to-shoulder drops
    // tall (anthropometric ratios); the larger estimate survives foreshortening.
    f.body_height_estimate = Math.max(f.shoulder_width * 4.3, f.eye_shoulder_drop * 7);
  }
  const heights = scene.people.map((q) => q.subject.height);
  f.people_height_max = heights.length ? Math.max(...heights) : 0;
  f.people_height_mean = heights.length ? heights.reduce((s, h) => s + h, 0) / heights.length : 0;
  f.people_area_sum = scene.people.reduce((s, q) => s + Math.max(q.subject.width * q.subject.height, 0), 0);
  const axis = bodyAxis(main?.person ?? null, face && (!main || faceBelongsTo(face.subject, main.subject)) ? face.face : null, (y) => ay(a, y), t.keypointMinScore);
  if (axis.found) {
    f.axis_found = 1;
    f.axis_bottom = axis.bottom;
    f.axis_top = axis.top;
    f.axis_body_height = axis.head * 8;
    f.axis_anchors = axis.anchors;
    f.axis_seated = axis.seated ? 1 : 0;
  }
  // Figures too faint to count (small, blurred, compressed: a handheld crowd) still say the scene has
  // people in it, which edge density alone reads as a wide, detailed place.
  const faint = d.people.filter((p) => p.score >= FAINT_MIN_SCORE && p.score < t.personMinScore).sort((p, q) => q.score - p.score);
  f.faint_people_score = faint.reduce((s, p) => s + p.score, 0);
  f.faint_person_height = faint[0] ? subjectOf(a, faint[0].box, faint[0].score).height : 0;
  f.lum_mean = cues.lumMean;
  f.lum_std = cues.lumStd;
  f.sat_mean = cues.satMean;
  f.edge_density = cues.edgeDensity;
  f.centre_sharpness = cues.centreSharpness;
  f.sky_top = cues.skyTop;
  f.top_smoothness = cues.topSmoothness;
  f.dark_fraction = cues.darkFraction;
  if (!f.face_present && !f.axis_found) {
    const eye = roundEyeOf();
    f.round_eye = eye.score;
    f.round_eye_radius = eye.score > 0 ? eye.radius : 0;
  }
  return f;
}

export function featureVector(f: FramingFeatures): Float32Array {
  return Float32Array.from(FRAMING_FEATURE_NAMES, (n) => f[n]);
}

export function featuresFromVector(v: ArrayLike<number>): FramingFeatures {
  return Object.fromEntries(FRAMING_FEATURE_NAMES.map((n, i) => [n, v[i] ?? 0])) as FramingFeatures;
}
