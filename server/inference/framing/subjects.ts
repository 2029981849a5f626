/**
 * Who is in the shot, from the detections: how many people, whether the shot
 * is about a face or a body, single / two-shot / group, and an
 * over-the-shoulder hint.
 */
import type { Subjects } from '../model.js';
import { KEYPOINT_GROUPS, framingScene, type ActiveFrame, type FeatureThresholds } from './framing-features.js';
import type { Detections } from './detector-runner.js';

export type { Subjects } from '../model.js';

/** People this much smaller than the main one (height ratio) are background, not part of a two-shot. */
const BACKGROUND_RATIO = 0.45;

export function subjectsOf(d: Detections, a: ActiveFrame, t: FeatureThresholds): Subjects {
  const scene = framingScene(d, a, t);
  // A face inside a person's box is the same subject, not an extra one.
  const extraFaces = scene.faces.filter(({ subject: f }) => !scene.people.some(({ subject: p }) =>
    f.cx >= p.cx - p.width / 2 && f.cx <= p.cx + p.width / 2 && f.cy >= p.cy - p.height / 2 && f.cy <= p.cy + p.height / 2));
  const sizes = [...scene.people.map((p) => p.subject.height), ...extraFaces.map((f) => f.subject.height * 2.5)];
  const main = Math.max(0, ...sizes);
  const count = sizes.length;
  const featured = sizes.filter((h) => h >= main * BACKGROUND_RATIO).length;
  const faceShot = scene.faces.length > 0 && (scene.people.length === 0 || (scene.faces[0]?.subject.height ?? 0) > 0.3);
  const kind: Subjects['kind'] = count === 0 ? 'none' : faceShot ? (featured > 1 ? 'faces' : 'face') : featured > 1 ? 'people' : 'person';
  const framing: Subjects['framing'] = count === 0 ? 'none' : featured === 1 ? 'single' : featured === 2 ? 'two-shot' : 'group';
  return { count, kind, framing, overTheShoulder: overTheShoulder(d, scene, t) };
}

/**
 * Over the shoulder: a large person cut by the left or right edge whose face
 * is not seen (back to camera) plus a smaller person further in who is facing
 * us (face or eyes seen).
 */
function overTheShoulder(d: Detections, scene: ReturnType<typeof framingScene>, t: FeatureThresholds): boolean {
  if (scene.people.length < 2 && !(scene.people.length === 1 && scene.faces.length >= 1)) return false;
  const byHeight = [...scene.people].sort((p, q) => q.subject.height - p.subject.height);
  const fg = byHeight[0];
  if (!fg) return false;
  const s = fg.subject;
  const atEdge = s.cx - s.width / 2 < 0.05 || s.cx + s.width / 2 > 0.95;
  const eyes = KEYPOINT_GROUPS.head.slice(0, 3).filter((j) => (fg.person.keypoints[j]?.score ?? 0) >= t.keypointMinScore).length;
  const faceOnFg = scene.faces.some(({ subject: f }) => Math.abs(f.cx - s.cx) < s.width / 2 && f.cy < s.cy);
  const backTurned = eyes === 0 && !faceOnFg;
  if (!atEdge || !backTurned || s.height < 0.5) return false;
  const facing = scene.faces.some(({ subject: f }) => Math.abs(f.cx - s.cx) > s.width / 4) ||
    byHeight.slice(1).some((p) => p.subject.height < s.height && KEYPOINT_GROUPS.head.slice(1, 3).some((j) => (p.person.keypoints[j]?.score ?? 0) >= t.keypointMinScore));
  return facing && d.people.length > 0;
}
