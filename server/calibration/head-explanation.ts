/**
 * Why a calibration head overruled the rules, in words. A rules-residual
 * head's logit for a class is a sum of one term per standardised feature, so
 * the margin of the head's class over the rules' class splits exactly into
 * those terms. The terms are gathered by cue (the face, the body, the people,
 * faint figures, the picture's shape, the scene's texture, the pose model's
 * view) and the cue with the largest share is named, with its strongest
 * feature's value where it has one a person can check (`face 24% of height`).
 */
import { axisPart } from '../inference/framing/framing-rules.js';
import type { FramingHead } from './framing-head.js';

interface Cue {
  name: string;
  /** Which features belong to it. */
  owns: (feature: string) => boolean;
}

const CUES: Cue[] = [
  { name: 'the face', owns: (n) => n.startsWith('face_') },
  { name: 'the body', owns: (n) => /^(kp_|person_|axis_)/.test(n) || ['shoulder_width', 'eye_shoulder_drop', 'lowest_keypoint_y', 'body_height_estimate'].includes(n) },
  { name: 'the people in frame', owns: (n) => n.startsWith('people_') || n === 'faces_count' },
  { name: 'faint figures', owns: (n) => n.startsWith('faint_') },
  { name: "the picture's shape", owns: (n) => n.startsWith('active_') },
  { name: "the pose model's view of the scene", owns: (n) => n.startsWith('bb_') },
  // Last: everything else is texture (light, colour, detail, blur, spectrum).
  { name: "the scene's texture", owns: () => true },
];

/** The share of its cue's push that a single feature must carry to be named instead of the cue. */
const SPOKESMAN_SHARE = 0.4;

const pct = (v: number): string => `${Math.round(v * 100)}%`;
const PARTS: Record<string, string> = { kp_head: 'head', kp_shoulders: 'shoulders', kp_elbows: 'elbows', kp_wrists: 'wrists', kp_hips: 'hips', kp_knees: 'knees', kp_ankles: 'feet' };

/** A feature's value as a person would say it, or null where a number would mean nothing to them. */
export function describeFeature(name: string, v: number): string | null {
  if (name in PARTS) return `${PARTS[name]} ${v >= 0.3 ? 'in' : 'out of'} frame`;
  switch (name) {
    case 'face_height': return `face ${pct(v)} of height`;
    case 'face_width': return `face ${pct(v)} of width`;
    case 'face_bottom': return v > 1 ? 'chin below the frame' : `chin at ${pct(v)} of height`;
    case 'face_score': return v < 0.65 ? 'only part of a face found' : 'a whole face found';
    case 'face_present': return v ? 'a face found' : 'no face found';
    case 'face_second_height': return v ? `a second face ${pct(v)} of height` : 'one face';
    case 'axis_bottom': return `frame cuts at ${axisPart(v)} (${v.toFixed(1)} heads)`;
    case 'axis_top': return v > 0.35 ? 'forehead cut' : 'head in frame';
    case 'axis_seated': return v ? 'seated' : 'standing';
    case 'axis_body_height':
    case 'person_height': return `body ${pct(v)} of height`;
    case 'person_present': return v ? 'a person found' : 'no person found';
    case 'faint_person_height': return v ? `a faint figure ${pct(v)} of height` : 'no faint figure';
    case 'faint_people_score': return v ? `faint figures (score ${v.toFixed(2)})` : 'no faint figures';
    case 'people_count': return `${v} ${v === 1 ? 'person' : 'people'}`;
    case 'active_aspect': return `picture ${v.toFixed(2)}:1`;
    case 'sky_top': return `top third ${pct(v)} bright and plain (sky or a pale wall)`;
    case 'edge_density': return `detail on ${pct(v)} of the picture`;
    case 'dark_fraction': return `${pct(v)} of the picture dark`;
    default: return null;
  }
}

/**
 * What moved a rules-residual head from the rules' class `from` to its own
 * class `to`: `face 24% of height`, `the scene's texture`, or, when the
 * sets' own boundary (the head's bias) outweighs every cue, `the labelled
 * sets' boundary`. Null for heads of other kinds.
 */
export function explainHead(head: FramingHead, picked: ArrayLike<number>, from: number, to: number): string | null {
  if (head.output !== 'rules-residual') return null;
  const { mean, std, layers } = head.model;
  const wTo = layers[0]!.weights[to]!, wFrom = layers[0]!.weights[from]!;
  const totals = new Map<Cue, number>();
  const strongest = new Map<Cue, { name: string; value: number; term: number }>();
  head.featureNames.forEach((name, j) => {
    const value = picked[j]!;
    const term = ((wTo[j]! - wFrom[j]!) * (value - mean[j]!)) / std[j]!;
    const cue = CUES.find((c) => c.owns(name))!;
    totals.set(cue, (totals.get(cue) ?? 0) + term);
    // The strongest feature that can be said in words speaks for its cue.
    if (describeFeature(name, value) !== null && term > (strongest.get(cue)?.term ?? 0)) strongest.set(cue, { name, value, term });
  });
  const [cue, total] = [...totals].reduce((best, entry) => (entry[1] > best[1] ? entry : best));
  const bias = layers[0]!.bias[to]! - layers[0]!.bias[from]!;
  if (bias > total) return "the labelled sets' boundary";
  // A feature speaks for its cue only when it carries a good part of it.
  const feature = strongest.get(cue);
  return feature && feature.term >= SPOKESMAN_SHARE * total ? describeFeature(feature.name, feature.value) : cue.name;
}
