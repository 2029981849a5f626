/**
 * Dev helper: the shared labelled sets (each in its own taxonomy) from the
 * set caches, every frame analysed as the framing model does it: features,
 * the rules' result, the head's input vector and the label's class index;
 * with views 'both' (as `shotscale eval` reads a picture), its mirror's too
 * (the caches of `VIEW=mirrored set-cache.ts`).
 */
import { DEFAULT_HEAD_HOLD, fitReading } from '../../../calibration/head-hold.js';
import type { LabelledSet } from '../../../calibration/multi-set-calibration.js';
import { findTaxonomy, normaliseLabel, type Taxonomy } from '../../../evaluation/taxonomies.js';
import { featureVector, type FramingFeatures } from '../framing-features.js';
import { MODEL_FEATURE_NAMES } from '../framing-model.js';
import { framingRules, type RuleResult } from '../framing-rules.js';
import { cachedFeatures, DEFAULT_MANIFEST, loadSet, type CachedSetFrame } from './set-cache.js';

export const EVALSET = '/work/shared/evalset';

/** The shared sets with a scale label, and the taxonomy each is labelled in. */
export const SHARED_SETS = [
  { name: 'cinemanet', taxonomy: 'cinemanet' },
  { name: 'hoha', taxonomy: 'cinescale' },
] as const;

/** The reading a head is fitted to correct, as calibrate fits the shipped one (head-hold.ts), for these sets' feature vectors. */
export const FIT_READING = fitReading(DEFAULT_HEAD_HOLD, MODEL_FEATURE_NAMES);

export const labelsOf = (name: string): string => `${EVALSET}/${name}/labels.csv`;

export interface AnalysedFrame {
  /** As in labels.csv (relative to the set's folder). */
  file: string;
  f: FramingFeatures;
  rules: RuleResult;
  /** Framing features, scene descriptor and backbone: the head's input. */
  features: number[];
  /** Class index in the set's taxonomy. */
  label: number;
  /** The picture mirrored, analysed (views 'both'). */
  mirror?: AnalysedFrame;
}

export interface AnalysedSet {
  set: LabelledSet;
  taxonomy: Taxonomy;
  frames: AnalysedFrame[];
}

/** A cached frame as the framing model reads it: features, the rules' result and the head's input vector. */
export function headInputOf(frame: CachedSetFrame): { f: FramingFeatures; rules: RuleResult; features: number[] } {
  const f = cachedFeatures(frame);
  return { f, rules: framingRules(f), features: [...featureVector(f), ...frame.spectral, ...frame.embedding] };
}

export async function analysedSets(views: 'both' | 'as-is' = 'both'): Promise<AnalysedSet[]> {
  return Promise.all(
    SHARED_SETS.map(async ({ name, taxonomy: taxonomyName }) => {
      const taxonomy = findTaxonomy(taxonomyName)!;
      const cached = await loadSet(labelsOf(name));
      const mirrors = views === 'both' ? (await loadSet(labelsOf(name), DEFAULT_MANIFEST, false, 'mirrored')).frames : null;
      const analyse = (frame: CachedSetFrame): AnalysedFrame => ({ file: frame.file, ...headInputOf(frame), label: taxonomy.lookup.get(normaliseLabel(frame.label))! });
      const frames = cached.frames.map((frame, i): AnalysedFrame => ({ ...analyse(frame), ...(mirrors ? { mirror: analyse(mirrors[i]!) } : {}) }));
      const samples = frames.map((fr) => ({ features: fr.features, rules: fr.rules.probabilities, label: fr.label, ...(fr.mirror ? { mirrored: { features: fr.mirror.features, rules: fr.mirror.rules.probabilities } } : {}) }));
      const set: LabelledSet = { name, labels: cached.labels, taxonomy, samples };
      return { set, taxonomy, frames };
    }),
  );
}
