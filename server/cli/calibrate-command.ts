/**
 * `shotscale calibrate --labels A.csv [--labels B.csv ...] --out head.json`:
 * fits the default classifier's calibration head on one or several labelled
 * sets at once, each in its own taxonomy (inferred, or given as
 * FILE=TAXONOMY), and reports per set: the rules alone, cross-validated
 * within the set (the other sets in training) and, with several sets,
 * leave-one-set-out (fitted on the others only). The head is saved for
 * `model.calibration` or a camera's `calibration`, with those figures in it.
 *
 * By default it starts from the base knowledge of the configured head (the
 * analysed frames of the sets it was fitted on, beside it as
 * NAME.base.json.gz): a production's few labels are fitted together with
 * those thousands, and it reports what the configured head scores on them
 * (with --base, which names no head, the rules alone), said to be in-sample
 * where its provenance shows it was fitted on them (in-sample.ts), and what
 * the new head scores, cross-validated. A given set with the name of a base
 * set replaces it (and it is said); given frames the base holds too are left
 * out of it (base-copies.ts), so each counts once and no fold is scored on a
 * frame it saw. `--from-scratch` fits on the given labels alone, and only it needs
 * enough of them to cross-validate. The new head's own base knowledge (every
 * set it was fitted on) is written beside it, the two together.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { findBaseCopies } from '../calibration/base-copies.js';
import { baseKnowledgePath, encodeBaseKnowledge, loadBaseKnowledge } from '../calibration/base-knowledge.js';
import { loadHead, saveHeadObject, type FramingHead } from '../calibration/framing-head.js';
import { fitProduction, withoutCopies, type BaseCopies, type ProductionSetReport } from '../calibration/production-fit.js';
import { resolveConfigPath } from '../config/load-config.js';
import { ShotscaleError } from '../errors.js';
import { configFromArgs } from './config-args.js';
import { fitReading, holdTest, type HeadHold } from '../calibration/head-hold.js';
import { CALIBRATION_TRAIN_OPTIONS, countsOf, evaluateSets, fitHead, holdFor, PRODUCTION_TRAIN_OPTIONS, type LabelledSet, type SetReport, type SetScores } from '../calibration/multi-set-calibration.js';
import type { SetTrainOptions } from '../calibration/set-label-training.js';
import { evaluateImages } from '../evaluation/run-evaluation.js';
import { countFittedFrames } from '../evaluation/in-sample-frames.js';
import { frameKey, headFittedOn, honestFigure, fittedOnWords, inSampleTag, untoldWords, type InSample } from '../evaluation/in-sample.js';
import { findTaxonomy, type Taxonomy } from '../evaluation/taxonomies.js';
import type { Logger } from '../shared/logger.js';
import { parseCommandArgs, UsageError, wholeNumberOption } from './command-options.js';
import { checkInputFile } from './input-file.js';
import { imageSource, labelledImagesFromArgs, progressReporter, taxonomyOption, unreadableText, type LabelledImages, type LimitedRows } from './labelled-images.js';
import { openOfflineClassifier, type OfflineClassifier } from './offline-classifier.js';
import { checkDistinctFiles, checkOutputFile, writeOutputFile, writeOutputFiles } from './output-files.js';
import { readSavedSamples, savedFrames, type SavedSamples, type SetFrames } from './saved-samples.js';
import { ProgressLine } from './progress-line.js';

const OPTIONS = {
  labels: { type: 'string', short: 'l', multiple: true },
  images: { type: 'string' },
  taxonomy: { type: 'string', short: 't' },
  out: { type: 'string', short: 'o' },
  json: { type: 'string' },
  config: { type: 'string', short: 'c' },
  folds: { type: 'string', default: '5' },
  epochs: { type: 'string', default: String(CALIBRATION_TRAIN_OPTIONS.epochs) },
  // No default here: the fit's own (CALIBRATION_TRAIN_OPTIONS and PRODUCTION_TRAIN_OPTIONS, 0.5 both) applies, and --json says which.
  l2: { type: 'string' },
  lr: { type: 'string', default: String(CALIBRATION_TRAIN_OPTIONS.learningRate) },
  ordinal: { type: 'string', default: String(CALIBRATION_TRAIN_OPTIONS.ordinal) },
  'label-power': { type: 'string', default: String(CALIBRATION_TRAIN_OPTIONS.labelPower) },
  limit: { type: 'string' },
  'save-samples': { type: 'string' },
  samples: { type: 'string' },
  'from-scratch': { type: 'boolean', default: false },
  base: { type: 'string' },
} as const;

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** One set's scores on one line: exact, within one, recall per class. */
export function scoresLine(taxonomy: Taxonomy, s: SetScores): string {
  return `exact ${pct(s.exact)}, within one ${pct(s.withinOne)}; recall ${taxonomy.classes.map((c, i) => `${c.name} ${Number.isNaN(s.recall[i]) ? '-' : pct(s.recall[i]!)}`).join(' ')} (mean ${pct(s.meanRecall)})`;
}

/** Why a set was cross-validated in fewer folds than asked: each fold holds a frame of every class. */
function fewerFolds(used: number, asked: number, set: LabelledSet): string {
  if (used === asked) return '';
  const smallest = Math.min(...countsOf(set).filter((n) => n > 0));
  return ` (${asked} asked: its smallest class has ${smallest} frame${smallest === 1 ? '' : 's'})`;
}

export function formatReports(sets: readonly LabelledSet[], reports: readonly SetReport[], folds: number): string {
  return reports
    .map((r, i) => {
      const taxonomy = sets[i]!.taxonomy;
      return [
        `${r.name} (${r.count} frames, ${r.taxonomy}):`,
        `  rules alone:                ${scoresLine(taxonomy, r.rules)}`,
        `  ${r.folds}-fold CV within the set:   ${scoresLine(taxonomy, r.crossValidated)}${sets.length > 1 ? ' (the other sets in training)' : ''}${fewerFolds(r.folds, folds, sets[i]!)}`,
        ...(r.leaveOneSetOut ? [`  leave-one-set-out:          ${scoresLine(taxonomy, r.leaveOneSetOut)} (never saw this set)`] : []),
      ].join('\n');
    })
    .join('\n') + '\n';
}

/**
 * `FILE=TAXONOMY` or `FILE` (taxonomy from --taxonomy, else inferred). A file
 * whose own name holds "=" is taken whole when it is there; otherwise what
 * follows the last "=" must be a taxonomy.
 */
export function splitLabelsArg(arg: string, fallback: string | undefined): { file: string; taxonomy: string | undefined } {
  const at = arg.lastIndexOf('=');
  if (at < 0 || existsSync(arg)) return { file: arg, taxonomy: fallback };
  const file = arg.slice(0, at);
  const taxonomy = arg.slice(at + 1);
  if (!file) throw new UsageError(`--labels ${arg}: no file before "="`, 'write --labels FILE=TAXONOMY, e.g. --labels hoha/labels.csv=cinescale');
  if (!taxonomy.trim()) throw new UsageError(`--labels ${arg}: no taxonomy after "="`, 'write --labels FILE=TAXONOMY, or --labels FILE to have it inferred');
  taxonomyOption(`--labels ${arg}`, taxonomy);
  return { file, taxonomy };
}

/** A finite number the option allows, or a UsageError naming the option and the value. */
function numberOption(name: string, value: string, ok: (x: number) => boolean, what: string): number {
  const x = Number(value);
  if (value.trim() === '' || !Number.isFinite(x) || !ok(x)) throw new UsageError(`--${name} ${JSON.stringify(value)}: ${what}`);
  return x;
}

/**
 * Cross-validation needs every fold to hold frames, and the head at least two
 * classes to tell apart. Only a fit on the given labels alone needs it: with
 * base sets beside them, a production's few labels are fitted all the same
 * (its report then gives no cross-validated figure for them).
 */
function checkSetSize(name: string, labels: string, count: number, classes: number, folds: number, after: string, fromScratch: boolean, limited: LimitedRows | null = null): void {
  if (classes >= 2 && count >= folds) return;
  // The file has enough, and --limit left it out: "label frames of at least two scales" would send the user to label what they have.
  const byLimit = limited !== null && limited.classes >= 2 && limited.rows >= folds;
  const labelMore = count < folds && classes >= 2 ? 'label more frames, or lower --folds (at least 2)' : 'label frames of at least two scales';
  const fix = byLimit ? `--limit ${limited.limit} kept ${limited.limit} of its ${limited.rows} rows (${limited.classes} classes): raise --limit, or leave it out to read every row` : labelMore;
  throw new ShotscaleError('CALIBRATION_INVALID', `${name} (${labels}): ${after}${count} frame${count === 1 ? '' : 's'} in ${classes} class${classes === 1 ? '' : 'es'}; ${folds}-fold cross-validation needs at least ${folds} frames of at least 2 classes`, {
    hint: `${fix}${fromScratch ? '; or leave out --from-scratch to fit them with the base knowledge' : ''}`,
  });
}

/** The set's name: the folder of its labels file (evalset/hoha/labels.csv is "hoha"), else the file's name. */
function setName(file: string, taken: Set<string>): string {
  const base = path.basename(file, path.extname(file));
  let name = base === 'labels' ? path.basename(path.dirname(path.resolve(file))) : base;
  while (taken.has(name)) name = `${name}'`;
  taken.add(name);
  return name;
}

interface SetSpec {
  name: string;
  labels: string;
  taxonomy: Taxonomy;
  items: Parameters<typeof evaluateImages>[0];
  labelled: LabelledImages;
}

/** Each set's analysed frames, the files they came from, and the images that could not be read (the first of them with why). */
async function analyseSets(classifier: OfflineClassifier, specs: readonly SetSpec[]): Promise<{ sets: LabelledSet[]; files: string[][]; paths: string[][]; unreadable: { count: number; first: string | null }[] }> {
  const sets: LabelledSet[] = [];
  const files: string[][] = [];
  const paths: string[][] = [];
  const unreadable: { count: number; first: string | null }[] = [];
  for (const spec of specs) {
    const progress = new ProgressLine(spec.items.length, `${spec.name} images`);
    const outcome = await evaluateImages(spec.items, spec.taxonomy, imageSource(classifier), { batchSize: 8, progress: progressReporter(progress, spec.labelled) });
    progress.done(`${spec.name}: ${outcome.results.length} of ${spec.items.length} images analysed, ${outcome.unreadable.length} unreadable`);
    const analysed = outcome.results.filter((r) => r.analysis);
    const samples = analysed.map(({ analysis, truth }) => ({ features: analysis!.features, rules: analysis!.rules, label: truth, ...(analysis!.mirrored ? { mirrored: analysis!.mirrored } : {}) }));
    sets.push({ name: spec.name, labels: spec.labels, taxonomy: spec.taxonomy, samples });
    files.push(analysed.map((r) => r.file));
    const pathOf = new Map(spec.items.map((item) => [item.file, item.path]));
    paths.push(analysed.map((r) => pathOf.get(r.file)!));
    const first = outcome.unreadable[0];
    unreadable.push({ count: spec.items.length - analysed.length, first: first ? unreadableText(spec.labelled, first.file, first.error) : null });
  }
  return { sets, files, paths, unreadable };
}

export async function runCalibrate(argv: string[], log: Logger): Promise<number> {
  const { values } = parseCommandArgs({ args: argv, options: OPTIONS });
  if (!values.out) throw new UsageError('--out FILE is required (where the head is saved, JSON)');
  if (!values.labels?.length && !values.samples) throw new UsageError('--labels FILE is required (a CSV with columns file and label; give --labels again for more sets, FILE=TAXONOMY to name a set\'s taxonomy)');
  if (values.labels?.length && values.samples) throw new UsageError('--labels and --samples: give one (--samples refits on frames a --save-samples run analysed; the labels would be ignored)');
  if (values.samples && values['save-samples']) throw new UsageError('--save-samples and --samples: give one (--samples reads what --save-samples wrote)');
  const folds = wholeNumberOption('folds', values.folds, 2);
  const train: Partial<SetTrainOptions> = {
    // 300 converge (DEFAULT_SET_TRAIN_OPTIONS); a cap so that a typo (1e9) is refused rather than run for days.
    epochs: wholeNumberOption('epochs', values.epochs, 1, 100_000),
    ...(values.l2 === undefined ? {} : { l2: numberOption('l2', values.l2, (x) => x >= 0, 'a number of 0 or more') }),
    learningRate: numberOption('lr', values.lr, (x) => x > 0, 'a number more than 0'),
    ordinal: numberOption('ordinal', values.ordinal, (x) => x >= 0, 'a number of 0 or more'),
    labelPower: numberOption('label-power', values['label-power'], (x) => x >= 0 && x <= 1, 'a number from 0 to 1'),
  };
  if ((values.labels?.length ?? 0) > 1 && values.images) throw new UsageError('--images applies to one labels file; with several, each file\'s paths are relative to its own folder');
  const fromScratch = values['from-scratch'];
  // Alternatives, as the usage shows them: --base would be read for nothing, and the user told nothing of it.
  if (fromScratch && values.base) throw new UsageError('--from-scratch and --base: give one (--from-scratch fits on the given labels alone; --base names the base knowledge to fit them with)');
  const labelsFiles = (values.labels ?? []).map((arg) => splitLabelsArg(arg, values.taxonomy));
  const knowledgeFile = baseKnowledgePath(values.out);
  // One file named twice would be written over: the head by the report, or what the user made (labels, analysed frames) by either.
  checkDistinctFiles(
    [['--out', values.out], ['--out (its base knowledge)', knowledgeFile], ...(values.json ? [['--json', values.json] as const] : []), ...(values['save-samples'] ? [['--save-samples', values['save-samples']] as const] : [])],
    [...labelsFiles.map((l) => ['--labels', l.file] as const), ...(values.samples ? [['--samples', values.samples] as const] : [])],
  );
  // --base may be the base knowledge --out rewrites (a production refitting its own head: it is read whole first), not another output.
  if (values.base && !fromScratch) checkDistinctFiles([['--out', values.out], ...(values.json ? [['--json', values.json] as const] : []), ...(values['save-samples'] ? [['--save-samples', values['save-samples']] as const] : [])], [['--base', values.base]]);
  // Before the frames are analysed, as the output paths below.
  if (values.base && !fromScratch) checkInputFile(values.base, `--base ${values.base}: no such file`, 'a file', { missing: 'name a NAME.base.json.gz that calibrate wrote beside a head' });
  // Before the frames are analysed (minutes on a large set): a bad output path found after it would lose the work.
  checkOutputFile('--out', values.out);
  checkOutputFile('--out', knowledgeFile);
  if (values.json) checkOutputFile('--json', values.json);
  if (values['save-samples']) checkOutputFile('--save-samples', values['save-samples']);
  // Where the fit starts: the files now, read once the model's features are known (and before any frame is analysed).
  const start = fromScratch ? null : startingFiles(values);

  let sets: LabelledSet[];
  let featureNames: readonly string[];
  let modelName: string;
  let base: StartingPoint | null = null;
  let unreadable: { count: number; first: string | null }[] | null = null;
  // What --limit left out of each set's labels file (null: every row read, or --samples).
  let limits: (LimitedRows | null)[] = [];
  // Each set's images, to tell whether the configured head or the base knowledge holds them.
  let frames: SetFrames[] = [];
  if (values.samples) {
    const saved = readSavedSamples(values.samples);
    ({ featureNames, model: modelName } = saved);
    base = start && loadStartingPoint(start, featureNames);
    sets = saved.sets.map((s) => ({ name: s.name, labels: s.labels, taxonomy: findTaxonomy(s.taxonomy)!, samples: s.samples.map((x) => ({ features: Float32Array.from(x.features), rules: x.rules, label: x.label, ...(x.mirrored ? { mirrored: { features: Float32Array.from(x.mirrored.features), rules: x.mirrored.rules } } : {}) })) }));
    frames = saved.sets.map(savedFrames);
    process.stderr.write(`${sets.map((s) => `${s.name} ${s.samples.length}`).join(', ')} analysed frames read from ${values.samples}\n`);
  } else {
    const taken = new Set<string>();
    const specs: SetSpec[] = [];
    for (const { file, taxonomy } of labelsFiles) {
      const labelled = labelledImagesFromArgs({ labels: file, images: values.images, taxonomy, limit: values.limit });
      // As given: a path that means something on the next machine too (the repo's ../shared/evalset/...).
      specs.push({ name: setName(file, taken), labels: file, taxonomy: labelled.taxonomy, items: labelled.items, labelled });
    }
    // Before minutes of analysis: the labels alone already say when there are too few for a fit on them alone.
    const checkLabelled = () => {
      for (const spec of specs) checkSetSize(spec.name, spec.labels, spec.items.length, new Set(spec.items.map((item) => item.truth)).size, folds, 'the labels list ', fromScratch, spec.labelled.limited);
    };
    if (!start) checkLabelled();
    const classifier = await openOfflineClassifier(values, log);
    try {
      if (!classifier.model.featureNames) {
        throw new ShotscaleError('CALIBRATION_INVALID', `the configured model (${classifier.model.name}) has no framing features; calibration applies to the framing classifier`, {
          hint: 'calibrate with a config whose model.manifest is the framing classifier (models/framing-default.manifest.json, the default)',
        });
      }
      featureNames = classifier.model.featureNames;
      modelName = classifier.model.name;
      base = start && loadStartingPoint(start, featureNames);
      // The given sets replace every base set of their names: then they are fitted alone after all.
      if (!remainingBaseSets(base, specs).length) checkLabelled();
      const analysed = await analyseSets(classifier, specs);
      limits = specs.map((spec) => spec.labelled.limited);
      sets = analysed.sets;
      unreadable = analysed.unreadable;
      frames = analysed.paths.map((paths) => ({ images: paths, keys: paths.map(frameKey), unknown: 0 }));
      if (values['save-samples']) {
        const size = (key: string | null) => (key === null ? {} : { size: Number(key.slice(key.lastIndexOf(':') + 1)) });
        const saved: SavedSamples = {
          model: modelName,
          featureNames: [...featureNames],
          sets: sets.map((s, k) => ({ name: s.name, labels: s.labels, taxonomy: s.taxonomy.name, samples: s.samples.map((x, i) => ({ file: analysed.files[k]![i]!, path: analysed.paths[k]![i]!, ...size(frames[k]!.keys[i]!), label: x.label, features: Array.from(x.features), rules: [...x.rules], ...(x.mirrored ? { mirrored: { features: Array.from(x.mirrored.features), rules: [...x.mirrored.rules] } } : {}) })) })),
        };
        writeOutputFile('--save-samples', values['save-samples'], JSON.stringify(saved));
      }
    } finally {
      await classifier.dispose();
    }
  }
  // Base sets the labels given replace (refitting the shipped head on its own sets is the plain multi-set fit).
  const baseSets = remainingBaseSets(base, sets);
  const replaced = replacedBaseSets(base, sets);
  if (replaced.length) process.stdout.write(replacedLine(base!.file, replaced, baseSets.length > 0));
  sets.forEach((set, k) => {
    const missed = unreadable?.[k];
    if (!set.samples.length && missed?.count) {
      throw new ShotscaleError('INPUT_UNREADABLE', `${set.name} (${set.labels}): none of its ${missed.count} images could be read (first: ${missed.first ?? '?'})`, {
        hint: 'the images are decoded with ffmpeg (JPEG, PNG, ...): check that the listed files are pictures',
      });
    }
    const after = missed?.count ? `analysed (${missed.count} image${missed.count === 1 ? '' : 's'} could not be read): ` : 'analysed: ';
    if (!baseSets.length) checkSetSize(set.name, set.labels, set.samples.length, new Set(set.samples.map((s) => s.label)).size, folds, after, fromScratch, limits[k] ?? null);
    else if (!set.samples.length) throw new ShotscaleError('CALIBRATION_INVALID', `${set.name} (${set.labels}): no frames to fit`, { hint: 'label frames of the production\'s scales' });
  });

  const progress = new ProgressLine(0, '');
  let head: FramingHead;
  let json: unknown;
  // replacedBaseSets: the base sets the given sets of their names took the place of, with their frames then and now.
  const replacedJson = base ? { replacedBaseSets: replaced } : {};
  let fittedBase: LabelledSet[] = [];
  if (baseSets.length) {
    // The given frames the base holds too are left out of it: each counts once, and no fold is scored on a frame it saw (base-copies.ts).
    const baseCopies = findBaseCopies(baseSets, base!.file, sets.map((s, k) => s.samples.map((x, i) => ({ key: frames[k]?.keys[i] ?? null, features: x.features }))));
    fittedBase = withoutCopies(baseSets, baseCopies);
    const fitStarted = performance.now();
    const fit = fitProduction({ base: baseSets, production: sets, featureNames, from: base!.head, modelName, folds, baseCopies, options: train, onProgress: (what) => progress.note(`fitting: ${what}`) });
    // fitS: the whole fit (every cross-validation fold too), as a live fit reports it; headFitS: the final fit alone.
    const wholeFitS = Math.round(performance.now() - fitStarted) / 1000;
    const { head: from, headFile } = base!;
    // The "before" of a head on frames it was fitted on is in-sample, and said so (its provenance tells).
    const fittedOn = sets.map((s, k) => (from && headFile ? configuredHeadFittedOn(from, headFile, s, frames[k], baseCopies[k] ?? [], base!.sets) : null));
    process.stdout.write(formatProductionReports(sets, fit.reports, folds, base!, fittedOn, baseSets));
    const { held, ecu } = holdFor(sets, featureNames);
    process.stdout.write(holdLine(fit.head.hold, held, ecu));
    head = fit.head;
    // beforeInSample: whether the configured head ("before") was fitted on the set; absent where "before" is the rules alone.
    const reports = fit.reports.map((r, k) => ({ ...r, ...(fittedOn[k] ? { beforeInSample: fittedOn[k] } : {}) }));
    json = { base: base!.file, startingHead: base!.headFile, baseSets: baseSets.map((s) => s.name), ...replacedJson, sets: reports, fitS: wholeFitS, headFitS: Math.round(fit.fitMs) / 1000, options: { ...PRODUCTION_TRAIN_OPTIONS, ...train, folds } };
  } else {
    const { hold, held, ecu } = holdFor(sets, featureNames);
    const reports = evaluateSets(sets, folds, train, (what) => progress.note(`fitting: ${what}`), holdTest(hold, featureNames), fitReading(hold, featureNames));
    process.stdout.write(formatReports(sets, reports, folds));
    process.stdout.write(holdLine(hold, held, ecu));
    head = fitHead(sets, featureNames, reports, modelName, train, hold);
    json = { ...(base ? { base: base.file, ...replacedJson } : {}), sets: reports, options: { ...CALIBRATION_TRAIN_OPTIONS, ...train, folds } };
  }
  const knowledge = [...fittedBase, ...sets];
  // Both written before either is renamed, the head last: a failure leaves the earlier head with its own base knowledge.
  writeOutputFiles([
    { option: '--out', file: knowledgeFile, body: encodeBaseKnowledge(modelName, featureNames, knowledge) },
    { option: '--out', file: values.out, body: JSON.stringify(saveHeadObject(head)) + '\n' },
  ]);
  const fittedOnNames = knowledge.map((s) => {
    const whole = baseSets.find((b) => b.name === s.name);
    return whole && whole.samples.length !== s.samples.length ? `${s.name} (${s.samples.length} of its ${whole.samples.length} frames: the others are given frames)` : s.name;
  });
  process.stderr.write(`head (${featureNames.length} features, a correction of the rules over the 8 classes) fitted on ${fittedOnNames.join(' + ')}, saved to ${values.out}; its base knowledge to ${knowledgeFile}\n`);
  if (values.json) writeOutputFile('--json', values.json, JSON.stringify(json, null, 2) + '\n');
  return 0;
}

/** What the head does where a face fills the picture (head-hold.ts), and what the labels said about it. */
function holdLine(hold: HeadHold | undefined, held: number, ecu: number): string {
  const evidence = held ? ` (the labels call ${ecu} of the ${held} such frames ECU)` : '';
  return hold
    ? `where a face is at least ${hold.ecuFaceHeight === 1 ? 'as tall as the picture' : `${hold.ecuFaceHeight} of the picture's height`} and the rules read ECU, the rules' ECU holds${evidence}${hold.ecuRoundEye === undefined ? '' : '; so it does where nobody is found and a round, dark-centred shape (an eye in macro) makes the rules read ECU'}\n`
    : `where a face fills the picture, the head decides${evidence}\n`;
}

/** Where a fit starts: a base knowledge file, and the head fitted on it (null: the rules alone are the "before"). */
interface StartingFiles {
  file: string;
  headFile: string | null;
  /** What to do when the base knowledge cannot be used. */
  hint: string;
}

interface StartingPoint extends StartingFiles {
  head: FramingHead | null;
  sets: LabelledSet[];
}

/**
 * --base's file (its head unknown: the rules alone are the "before"), else
 * the configured head's base knowledge; null where there is none to start from.
 */
function startingFiles(values: { config?: string | undefined; base?: string | undefined }): StartingFiles | null {
  if (values.base) return { file: values.base, headFile: null, hint: 'name another with --base, fit the labels alone (--from-scratch), or rerun the calibrate that wrote it' };
  const loaded = configFromArgs(values);
  const configured = loaded.config.model.calibration;
  if (!configured) return null;
  const headFile = resolveConfigPath(loaded, configured);
  const file = baseKnowledgePath(headFile);
  if (!existsSync(file)) {
    process.stderr.write(`shotscale calibrate: the configured head ${headFile} has no base knowledge beside it (${file}); fitting on the given labels alone\n`);
    return null;
  }
  return { file, headFile, hint: 'fit the labels alone (--from-scratch), or rerun calibrate to rewrite it' };
}

/** The starting head and base sets, read with the model's features; an error says what to do instead. */
function loadStartingPoint(start: StartingFiles, featureNames: readonly string[]): StartingPoint {
  try {
    return { ...start, head: start.headFile === null ? null : loadHead(start.headFile, featureNames), sets: loadBaseKnowledge(start.file, featureNames) };
  } catch (error) {
    if (!(error instanceof ShotscaleError) || error.hint) throw error;
    throw new ShotscaleError(error.code, error.message, { hint: start.hint, cause: error });
  }
}

/** Whether the configured head was fitted on a set, with `imagesNotFound` where its answer "no" stands on only some of the frames. */
type BeforeInSample = InSample & { imagesNotFound?: number };

/**
 * What the head's provenance says of the set, and its base knowledge: the
 * head was fitted on the frames beside it, so given frames found there
 * (`copies`) are frames it was fitted on. A "no" holds only for the images
 * found: where some are not found from here (frames read from --samples),
 * whether it was fitted on those cannot be told.
 */
function configuredHeadFittedOn(head: FramingHead, headFile: string, set: LabelledSet, frames: SetFrames | undefined, copies: readonly BaseCopies[], knowledge: readonly LabelledSet[]): BeforeInSample {
  // Fitted on some of the set's labels file: which of them, its base knowledge (every set it was fitted on, a replaced one too) says.
  const fitted = countFittedFrames(headFittedOn(head, headFile, { name: set.name, labels: set.labels, images: frames?.images ?? [] }), knowledge, set.samples.map((x) => x.features));
  // Its count bounded, not known (fitted on some of a labels file's images): the base knowledge's copies, where found, say exactly.
  if (fitted.inSample && (!fitted.fitted || fitted.fitted.least === fitted.fitted.most)) return fitted;
  for (const copy of copies) {
    const recorded = head.provenance.sets?.find((p) => p.name === copy.set);
    if (!recorded) continue;
    const { leaveOneSetOut, crossValidated } = recorded;
    return { inSample: true, set: recorded.name, by: 'frames', frames: copy.rows.length, setCount: recorded.count, ...(leaveOneSetOut ? { leaveOneSetOut } : {}), ...(crossValidated ? { crossValidated } : {}), headSets: fitted.headSets };
  }
  if (fitted.inSample === false && frames?.unknown) return { inSample: null, headSets: fitted.headSets, imagesNotFound: frames.unknown };
  return fitted;
}

/** The base sets a given set of the same name takes the place of: frames there, and frames given. */
function replacedBaseSets(base: StartingPoint | null, given: readonly LabelledSet[]): { name: string; baseFrames: number; givenFrames: number }[] {
  return (base?.sets ?? []).flatMap((b) => {
    const set = given.find((s) => s.name === b.name);
    return set ? [{ name: b.name, baseFrames: b.samples.length, givenFrames: set.samples.length }] : [];
  });
}

function replacedLine(file: string, replaced: readonly { name: string; baseFrames: number; givenFrames: number }[], remains: boolean): string {
  const each = replaced.map((r) => `${r.name} (${r.baseFrames} frames there, ${r.givenFrames} given)`).join(', ');
  const after = remains ? '' : '; no base set is left, so the head is fitted on the given sets alone, as with --from-scratch';
  const one = replaced.length === 1;
  return `base knowledge ${file}: ${one ? 'its set' : 'its sets'} replaced by the given set${one ? '' : 's'} of the same name${one ? '' : 's'}: ${each}${after} (to fit a set together with the base set of its name, put its labels file in a folder of another name)\n`;
}

/** The base sets left once the given sets replace those of their names. */
function remainingBaseSets(base: StartingPoint | null, given: readonly { name: string }[]): LabelledSet[] {
  return base?.sets.filter((b) => !given.some((s) => s.name === b.name)) ?? [];
}

/** What the configured head's figure on a set is: in-sample, out of sample, or not known (its provenance records no sets). */
export function beforeLines(fitted: BeforeInSample, count: number): { label: string; note: string[] } {
  if (fitted.inSample === null && fitted.imagesNotFound) {
    const some = fitted.imagesNotFound === count ? `their images are not found from here` : `${fitted.imagesNotFound} of the ${count} images are not found from here, and the configured head was fitted on none of the others`;
    return { label: 'the configured head (in-sample or not: unknown)', note: [`    whether the configured head was fitted on these frames cannot be told: ${some} (where --save-samples found them)`] };
  }
  const untold = untoldWords(fitted, count);
  if (untold) return { label: 'the configured head (in-sample or not: unknown)', note: [`    whether the configured head was fitted on these frames cannot be told: ${untold}`] };
  if (fitted.inSample === null) return { label: 'the configured head (in-sample or not: unknown)', note: ['    whether the configured head was fitted on these frames cannot be told: it records no sets it was fitted on'] };
  if (!fitted.inSample && fitted.fitted) return { label: 'the configured head (never fitted on them)', note: [`    not in-sample: the configured head was fitted on ${fittedOnWords(fitted, count)}`] };
  if (!fitted.inSample) return { label: 'the configured head (never fitted on them)', note: [] };
  const figure = honestFigure(fitted);
  const tag = inSampleTag(fitted, count)!;
  return {
    label: `the configured head (${tag})`,
    note: [`    ${tag}: the configured head was fitted on ${fittedOnWords(fitted, count)}; ${figure ? `its ${figure}, from its provenance` : 'its provenance records no figure fitted without them'}`],
  };
}

/** A production set's frames the base held too (left out of it): one line, or none. */
function inBaseLine(r: ProductionSetReport, baseSets: readonly LabelledSet[]): string[] {
  return r.inBase.map((c) => {
    const whole = baseSets.find((b) => b.name === c.set)?.samples.length ?? 0;
    const same = c.by === 'frames' ? 'the same file name and size' : 'the same features';
    return `  ${c.frames} of these ${r.count} frames are in the base set ${c.set} too (${same}): left out of it (${whole - c.frames} of its ${whole} frames fitted on), so each counts once, with this set's label, and no fold is scored on a frame its fit saw`;
  });
}

/**
 * Why a production set's folds are not what they seem: fewer than asked (as
 * few frames to hold out), or more than its smallest class has frames: a
 * fold's fit may then see none of that class but the base knowledge's (a
 * `--limit 5` of HOHA said "5-fold CV" of a class of 1 frame, unremarked,
 * where the fit on the given sets alone says why it used 2).
 */
export function productionFoldsNote(r: Pick<ProductionSetReport, 'folds' | 'groups'>, folds: number, set: LabelledSet): string {
  if (r.folds < folds) return ` (${folds} asked: ${r.groups} frame${r.groups === 1 ? '' : 's'} to hold out)`;
  const smallest = Math.min(...countsOf(set).filter((n) => n > 0));
  if (smallest >= r.folds) return '';
  const held = smallest === 1 ? 'the fold that holds it out learns' : 'a fold that holds them all out learns';
  return ` (its smallest class has ${smallest} frame${smallest === 1 ? '' : 's'}, fewer than the folds: ${held} that class from the base knowledge alone)`;
}

function formatProductionReports(sets: readonly LabelledSet[], reports: readonly ProductionSetReport[], folds: number, base: StartingPoint, fittedOn: readonly (BeforeInSample | null)[], baseSets: readonly LabelledSet[]): string {
  return reports
    .map((r, i) => {
      const taxonomy = sets[i]!.taxonomy;
      const classes = new Set(sets[i]!.samples.map((s) => s.label)).size;
      const fitted = fittedOn[i];
      const before = base.head && fitted ? beforeLines(fitted, r.count) : null;
      return [
        `${r.name} (${r.count} frames, ${r.taxonomy}), fitted with the base knowledge ${base.file}:`,
        ...inBaseLine(r, baseSets),
        // --base names no head: what its frames taught is not in the "before".
        ...(before ? [`  ${`${before.label}:`.padEnd(43)} ${scoresLine(taxonomy, r.before)}`, ...before.note] : [`  the rules alone:                           ${scoresLine(taxonomy, r.before)}`]),
        r.after
          ? `  new head, ${r.folds}-fold CV:               ${scoresLine(taxonomy, r.after)}${productionFoldsNote(r, folds, sets[i]!)}`
          : `  new head: no cross-validated figure (${r.count} frame${r.count === 1 ? '' : 's'} in ${classes} class${classes === 1 ? '' : 'es'}; it needs frames of at least 2 classes)`,
      ].join('\n');
    })
    .join('\n') + '\n';
}
