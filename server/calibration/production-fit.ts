/**
 * A production's own convention: its labelled frames (operator corrections,
 * or a labels file) fitted together with the base knowledge the shipped head
 * was fitted on. Reports, per production set, what the head in use scores on
 * those frames (in-sample where it was fitted on them: the caller says so,
 * see evaluation/in-sample.ts) and k-fold cross-validated figures of
 * the new fit (each fold's frames left out of its fit), so an operator sees
 * whether 30 labels helped before applying. A fold holds out whole shots
 * (`groups`): frames of one shot look alike, and a fit that saw one of them
 * would be scored on its near copy.
 */
import { meanOfTwo } from '../inference/mirror-view.js';
import { groupedFolds } from './cross-validation.js';
import { applyHead, type FramingHead } from './framing-head.js';
import { fitReading, holdTest } from './head-hold.js';
import { countsOf, holdFor, predictSample, PRODUCTION_TRAIN_OPTIONS, residualHead, rowsOf, scoreSet, type LabelledSet, type SetScores } from './multi-set-calibration.js';
import { trainSetHead, type SetLabelledRow, type SetTrainOptions } from './set-label-training.js';
import type { SoftmaxModel } from './softmax-regression.js';

/**
 * The production's labels hold a third of the fit's weight, the base sets
 * the rest (evenly). With 10 corrections a class and the other shared set as
 * the base (bench:conventions' setting, 5 draws), a fifth, a quarter and a
 * third of the weight came within a point of each other on average
 * (CinemaNet 75.0 / 74.9 / 74.7, HOHA 70.7 / 70.1 / 69.9 exact, at l2 0.1
 * and a constant step); half the weight, and a warm start from the head in
 * use, fell further below that head on HOHA (2 draws). A third lets a few
 * dozen corrections move what the wall shows.
 */
export const PRODUCTION_SHARE = 1 / 3;

export interface ProductionFitInput {
  /** The base sets (base knowledge), features in `featureNames` order. */
  base: readonly LabelledSet[];
  /** The production's sets (one per taxonomy its labels are in), same features. */
  production: readonly LabelledSet[];
  featureNames: readonly string[];
  /** The head in use before (what "before" scores); null: the rules alone. */
  from: FramingHead | null;
  modelName: string;
  /**
   * Folds of the cross-validated figure (default 5; fewer where there are
   * fewer shots). 0: no figure, the head alone (`after` null): a caller that
   * scores the head on frames of its own, as bench:conventions does, would
   * otherwise pay for k more fits it throws away.
   */
  folds?: number;
  /**
   * Per production set, per frame: the shot it belongs to (frames of one
   * shot are held out together). Absent: every frame is its own shot (a
   * labels file of distinct pictures).
   */
  groups?: readonly (readonly string[])[];
  /**
   * Per production set: the rows of the base sets that are its own frames
   * again (the same pictures, found by the caller: base-copies.ts). They are
   * left out of the base, every fit's and the head's: each frame then counts
   * once, with the production's label, and no fold is scored on a frame its
   * fit saw through the base (40 HOHA frames given as a production of their
   * own scored 87.5% "cross-validated" with their copies in every fold).
   */
  baseCopies?: readonly (readonly BaseCopies[])[];
  options?: Partial<SetTrainOptions>;
  onProgress?: (what: string) => void;
}

/** Rows of one base set (indices into its samples) that are a production set's frames again, and how that was found. */
export interface BaseCopies {
  set: string;
  rows: readonly number[];
  by: 'frames' | 'features';
}

export interface ProductionSetReport {
  name: string;
  taxonomy: string;
  count: number;
  /** The head in use (or the rules), on these frames (in-sample where the head was fitted on them). */
  before: SetScores;
  /** k-fold cross-validated: each frame scored by a fit that left out its whole shot. */
  after: SetScores | null;
  /** The shots the frames belong to, and the folds they were held out in (0 where there was no figure). */
  groups: number;
  folds: number;
  /** Where `after` is null: why. */
  why: string | null;
  /** Its frames the base held too, per base set: left out of the base (`baseCopies`). */
  inBase: { set: string; frames: number; by: BaseCopies['by'] }[];
}

export interface ProductionFitResult {
  head: FramingHead;
  reports: ProductionSetReport[];
  fitMs: number;
}

/** What a head (or the rules) reads on each frame, over its views as the fit's own figures are scored. */
function predict(head: FramingHead | null, set: LabelledSet): number[][] {
  const view = (features: ArrayLike<number>, rules: readonly number[]): number[] => (head ? applyHead(head, features, rules) : [...rules]);
  return set.samples.map((s) => (s.mirrored ? meanOfTwo(view(s.features, s.rules), view(s.mirrored.features, s.mirrored.rules)) : view(s.features, s.rules)));
}

/** Trains on rows of the base and production sets, the production holding PRODUCTION_SHARE of the weight. */
function trainer(input: ProductionFitInput): (rows: SetLabelledRow[]) => SoftmaxModel {
  const weight = (PRODUCTION_SHARE / (1 - PRODUCTION_SHARE)) * Math.max(input.base.length, 1) / Math.max(input.production.length, 1);
  const setWeights = Object.fromEntries(input.production.map((s) => [s.name, weight]));
  const options: Partial<SetTrainOptions> = { ...PRODUCTION_TRAIN_OPTIONS, setWeights, ...input.options };
  return (rows) => trainSetHead(rows, options);
}

/** The base sets a fit with `copies` is fitted on: without the rows that are production frames again; a set left with none is dropped. */
export function withoutCopies(base: readonly LabelledSet[], copies: readonly (readonly BaseCopies[])[]): LabelledSet[] {
  const drop = new Map<string, Set<number>>();
  for (const c of copies.flat()) drop.set(c.set, new Set([...(drop.get(c.set) ?? []), ...c.rows]));
  return base
    .map((set) => {
      const rows = drop.get(set.name);
      return rows?.size ? { ...set, samples: set.samples.filter((_, i) => !rows.has(i)) } : set;
    })
    .filter((set) => set.samples.length);
}

export function fitProduction(fitInput: ProductionFitInput): ProductionFitResult {
  const input: ProductionFitInput = { ...fitInput, base: withoutCopies(fitInput.base, fitInput.baseCopies ?? []) };
  const train = trainer(input);
  // The production's own labels decide whether the rules' ECU holds where a face fills the picture;
  // too few of them to say, and the head it starts from keeps its say (a production's earlier fit may have turned it off).
  const decided = holdFor(input.production, input.featureNames);
  const hold = decided.decisive || !input.from ? decided.hold : input.from.hold;
  const test = holdTest(hold, input.featureNames);
  const fit = fitReading(hold, input.featureNames);
  const baseRows = input.base.flatMap((set) => rowsOf(set, fit));
  const productionRows = input.production.map((set) => rowsOf(set, fit));
  const reports = input.production.map((set, k): ProductionSetReport => {
    const before = scoreSet(set.taxonomy, set.samples, predict(input.from, set));
    const counts = countsOf(set).filter((n) => n > 0);
    const groups = input.groups?.[k] ?? set.samples.map((_, i) => String(i));
    const shots = new Set(groups).size;
    const inBase = (input.baseCopies?.[k] ?? []).filter((c) => c.rows.length).map((c) => ({ set: c.set, frames: c.rows.length, by: c.by }));
    const noFigure = (why: string): ProductionSetReport => ({ name: set.name, taxonomy: set.taxonomy.name, count: set.samples.length, before, after: null, groups: shots, folds: 0, why, inBase });
    if (input.folds === 0) return noFigure('no cross-validation asked for (folds 0)');
    // One class says nothing about where its lines lie.
    if (counts.length < 2) return noFigure(`all ${set.samples.length} frames are ${set.taxonomy.classes[set.samples[0]?.label ?? 0]?.name ?? '?'}: one class has no line to score`);
    // A fold holds out whole shots: with one shot, nothing is left to fit on that never saw it.
    if (shots < 2) return noFigure(`all ${set.samples.length} frames are of one shot: too few shots to cross-validate (a fold holds out whole shots)`);
    const folds = Math.min(input.folds ?? 5, shots);
    const fold = groupedFolds(set.samples.map((s) => s.label), groups, folds, PRODUCTION_TRAIN_OPTIONS.seed);
    const predicted: number[][] = new Array(set.samples.length);
    for (let f = 0; f < folds; f++) {
      // Fewer shots of a size than folds: a fold may hold none, and has nothing to score.
      if (!fold.includes(f)) continue;
      input.onProgress?.(`${set.name}: fold ${f + 1} of ${folds}`);
      const others = productionRows.flatMap((rows, j) => (j === k ? rows.filter((_, i) => fold[i] !== f) : rows));
      // No base, and what this fold leaves is of one class (or nothing): a fit that knows one class scores nothing honestly.
      if (!baseRows.length && new Set(others.map((r) => r.allowed.join())).size < 2) return noFigure('no base knowledge, and a fold leaves frames of fewer than 2 classes to fit on');
      const model = train([...baseRows, ...others]);
      set.samples.forEach((s, i) => {
        if (fold[i] === f) predicted[i] = predictSample(model, s, test);
      });
    }
    return { name: set.name, taxonomy: set.taxonomy.name, count: set.samples.length, before, after: scoreSet(set.taxonomy, set.samples, predicted), groups: shots, folds, why: null, inBase };
  });
  input.onProgress?.('the head on every frame');
  const started = performance.now();
  const model = train([...baseRows, ...productionRows.flat()]);
  const fitMs = performance.now() - started;
  const sets = [...input.base, ...input.production];
  const head = residualHead(model, input.featureNames, {
    labels: sets.map((s) => s.labels).join(', '),
    count: sets.reduce((n, s) => n + s.samples.length, 0),
    trainedAt: new Date().toISOString(),
    options: { ...PRODUCTION_TRAIN_OPTIONS, model: input.modelName, productionShare: PRODUCTION_SHARE, from: input.from ? input.from.provenance.labels : 'rules', ...input.options },
    sets: sets.map((s) => {
      const report = reports.find((r) => r.name === s.name);
      return {
        name: s.name,
        labels: s.labels,
        taxonomy: s.taxonomy.name,
        count: s.samples.length,
        ...(report?.after ? { crossValidated: { exact: round(report.after.exact), withinOne: round(report.after.withinOne) } } : {}),
      };
    }),
  }, hold);
  return { head, reports, fitMs };
}

const round = (x: number) => Math.round(x * 10000) / 10000;
