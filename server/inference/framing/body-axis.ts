/**
 * Where the frame cuts the main subject's body, as a position along the body
 * in head heights from the crown (an adult is about 8 heads tall: eyes 0.5,
 * chin 1, shoulders 1.5, chest 2, waist 3, hips 4, knees 6, feet 8). This is
 * what shot scale means by definition ("waist up" is MS whoever shot it), and
 * unlike a face's size against the frame it does not depend on how close the
 * camera is: the anchors the detectors see (eyes, face, shoulders, hips,
 * knees, ankles) fix the body's scale and offset, and the frame's top and
 * bottom edges are placed on that axis, extrapolating past what is seen.
 * Where one set of annotators draws the line between two scales is then a
 * threshold on this axis, which a head can learn from a few labels.
 */
import type { Person } from '../detectors/movenet-decoder.js';
import type { FrameFace } from './detector-runner.js';

/** Body landmarks, in head heights below the crown (the classic 8-head figure). */
export const BODY_LANDMARKS = {
  eyes: 0.5,
  nose: 0.65,
  chin: 1,
  shoulders: 1.5,
  chest: 2,
  waist: 3,
  hips: 4,
  knees: 6,
  ankles: 7.8,
} as const;

/** COCO keypoints and where they sit on the body axis. */
const KEYPOINT_AXIS: [number[], number][] = [
  [[1, 2], BODY_LANDMARKS.eyes],
  [[0], BODY_LANDMARKS.nose],
  [[5, 6], BODY_LANDMARKS.shoulders],
  [[11, 12], BODY_LANDMARKS.hips],
  [[13, 14], BODY_LANDMARKS.knees],
  [[15, 16], BODY_LANDMARKS.ankles],
];

/** BlazeFace boxes run from about the brows to the chin: roughly 0.7 of a head. */
const FACE_BOX_HEADS = 0.7;

export interface BodyAxis {
  /** Whether a body axis could be placed (a face, or two landmarks at different heights). */
  found: boolean;
  /**
   * The knees are not below the hips (sitting, or crouching): the legs are
   * left out of the axis, which the torso and head place alone.
   */
  seated: boolean;
  /** The frame's bottom edge on the body axis, in heads from the crown (8: feet; beyond: ground below). */
  bottom: number;
  /** The frame's top edge on the body axis (negative: headroom above the crown). */
  top: number;
  /** One head's height as a fraction of the active picture's height. */
  head: number;
  /** How many anchors placed the axis (more is surer). */
  anchors: number;
}

const NONE: BodyAxis = { found: false, seated: false, bottom: 0, top: 0, head: 0, anchors: 0 };

/**
 * Places the body axis from the person's keypoints (inside the picture, score
 * >= minScore) and the face box, all in active-picture y (0 top .. 1 bottom).
 * `toActiveY` maps frame y to active-picture y.
 */
export function bodyAxis(person: Person | null, face: FrameFace | null, toActiveY: (y: number) => number, minScore: number): BodyAxis {
  // Anchors (axis position, picture y); a least-squares line y = crown + head * position.
  let anchors: [number, number][] = [];
  let seated = false;
  if (person) {
    for (const [indices, position] of KEYPOINT_AXIS) {
      const seen = indices.map((i) => person.keypoints[i]!).filter((k) => k.score >= minScore);
      if (!seen.length) continue;
      const y = toActiveY(seen.reduce((s, k) => s + k.y, 0) / seen.length);
      if (y < -0.05 || y > 1.05) continue;
      anchors.push([position, y]);
    }
    // Standing, the knees are 2 heads below the hips; sitting, about level with
    // them. A torso (shoulders to hips: 2.5 heads) gives the head's size.
    const at = (position: number) => anchors.find(([p]) => p === position)?.[1];
    const hips = at(BODY_LANDMARKS.hips), knees = at(BODY_LANDMARKS.knees), shoulders = at(BODY_LANDMARKS.shoulders);
    if (hips !== undefined && knees !== undefined && shoulders !== undefined && hips > shoulders) {
      const head = (hips - shoulders) / (BODY_LANDMARKS.hips - BODY_LANDMARKS.shoulders);
      if (knees - hips < head) {
        seated = true;
        anchors = anchors.filter(([p]) => p <= BODY_LANDMARKS.hips);
      }
    }
  }
  let headFromFace: number | null = null;
  if (face) {
    const top = toActiveY(face.box.yMin), bottom = toActiveY(face.box.yMax);
    headFromFace = (bottom - top) / FACE_BOX_HEADS;
    // The face box's bottom is the chin.
    anchors.push([BODY_LANDMARKS.chin, bottom]);
  }
  if (!anchors.length) return NONE;
  const positions = new Set(anchors.map(([p]) => p));
  let head: number;
  let crown: number;
  if (positions.size >= 2) {
    const n = anchors.length;
    const mp = anchors.reduce((s, [p]) => s + p, 0) / n;
    const my = anchors.reduce((s, [, y]) => s + y, 0) / n;
    const cov = anchors.reduce((s, [p, y]) => s + (p - mp) * (y - my), 0);
    const varP = anchors.reduce((s, [p]) => s + (p - mp) ** 2, 0);
    head = cov / varP;
    // A body seen upside down or lying flat gives no usable vertical axis: fall back to the face.
    if (!(head > 0.005)) {
      if (headFromFace === null) return NONE;
      head = headFromFace;
    } else if (headFromFace !== null && anchors.length === 2) {
      // Two anchors, one of them the face: the face's own size steadies the slope.
      head = (head + headFromFace) / 2;
    }
    crown = my - head * mp;
  } else if (headFromFace !== null) {
    head = headFromFace;
    crown = anchors[0]![1] - head * anchors[0]![0];
  } else {
    return NONE;
  }
  return { found: true, seated, bottom: (1 - crown) / head, top: (0 - crown) / head, head, anchors: anchors.length };
}
