/**
 * The failure families of the default classifier: kinds of frame on which
 * framing geometry is easily read wrong. Membership is what the detectors
 * saw (the framing features), so a family's figures say how the classifier
 * does when it meets that kind of frame.
 */
import type { FramingFeatures } from '../inference/framing/framing-features.js';

export const FAILURE_FAMILIES = {
  /** A face that fills the frame or is cut by it (ECU: eyes, mouth, a partial face). */
  'large face': (f: FramingFeatures) => f.face_present === 1 && (f.face_height >= 0.7 || f.axis_top > 0.35),
  /** Seated or reclining: knees at hip height. */
  seated: (f: FramingFeatures) => f.axis_seated === 1,
  /** No face found, shoulders are: seen from behind or in profile. */
  'seen from behind': (f: FramingFeatures) => !f.face_present && f.person_present === 1 && f.kp_shoulders >= 0.3 && f.axis_found === 1,
  /** Feet in frame, body under half the height: a small full-length figure in a large scene. */
  'small full figure': (f: FramingFeatures) => f.axis_found === 1 && f.kp_ankles >= 0.3 && f.axis_body_height < 0.5,
  /** 2.2:1 and wider once the bars are removed. */
  'very wide picture': (f: FramingFeatures) => f.active_aspect >= 2.2,
  /** Nobody found: landscape, macro detail or an object insert. */
  'nobody found': (f: FramingFeatures) => !f.face_present && !f.person_present,
} satisfies Record<string, (f: FramingFeatures) => boolean>;

export type FailureFamily = keyof typeof FAILURE_FAMILIES;
