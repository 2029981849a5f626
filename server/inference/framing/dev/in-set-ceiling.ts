/**
 * Dev: how far the head's inputs go on one set's own lines. A plain softmax
 * (or one hidden layer, --hidden) in the set's own taxonomy, fitted on that
 * set alone over the head's inputs and the rules' log-probabilities, scored
 * by stratified k-fold cross-validation as `shotscale eval` reads a frame
 * (the mean of the picture and its mirror). Not a correction of the rules
 * and never shown another set: the in-set ceiling that the shipped head,
 * chosen for footage it never saw, trades away (README, "How good it is").
 *
 *   npx tsx server/inference/framing/dev/in-set-ceiling.ts [--set cinemanet] [--l2 0.03] [--hidden 0] [--epochs 200] [--folds 5]
 */
import { parseArgs } from 'node:util';
import { stratifiedFolds } from '../../../calibration/cross-validation.js';
import { rulesOffset } from '../../../calibration/set-label-training.js';
import { predictProbabilities, trainSoftmax } from '../../../calibration/softmax-regression.js';
import { confusionMatrix, scoreMatrix } from '../../../evaluation/metrics.js';
import { meanOfTwo } from '../../mirror-view.js';
import { argmax } from '../../../shared/scale.js';
import { analysedSets, type AnalysedFrame } from './analysed-sets.js';

const { values } = parseArgs({
  options: {
    set: { type: 'string', default: 'cinemanet' },
    l2: { type: 'string', default: '0.03' },
    hidden: { type: 'string', default: '0' },
    epochs: { type: 'string', default: '200' },
    folds: { type: 'string', default: '5' },
  },
});
const target = (await analysedSets()).find((s) => s.set.name === values.set);
if (!target) throw new Error(`--set ${values.set}: not a shared set`);
const inputOf = (frame: AnalysedFrame): number[] => [...frame.features, ...rulesOffset(frame.rules.probabilities)];
const labels = target.frames.map((f) => f.label);
const classes = target.taxonomy.classes.length;
const folds = Number(values.folds);
const fold = stratifiedFolds(labels, folds, 1);
const predicted = new Array<number>(labels.length);
for (let k = 0; k < folds; k++) {
  const train = labels.flatMap((_, i) => (fold[i] !== k ? [i] : []));
  const model = trainSoftmax(train.map((i) => inputOf(target.frames[i]!)), train.map((i) => labels[i]!), classes, {
    hidden: Number(values.hidden), l2: Number(values.l2), epochs: Number(values.epochs), learningRate: 0.005, seed: 1, balanceClasses: false,
  });
  target.frames.forEach((frame, i) => {
    if (fold[i] !== k) return;
    const picture = predictProbabilities(model, inputOf(frame));
    predicted[i] = argmax(frame.mirror ? meanOfTwo(picture, predictProbabilities(model, inputOf(frame.mirror))) : picture);
  });
}
const matrix = confusionMatrix(classes, labels.map((truth, i) => ({ truth, predicted: predicted[i]! })));
const scores = scoreMatrix(matrix);
const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
process.stdout.write(`${values.set}, ${folds}-fold CV on the set alone (hidden ${values.hidden}, l2 ${values.l2}): exact ${pct(scores.accuracy)}, within one ${pct(scores.withinOne)}; matrix (rows: truth) ${JSON.stringify(matrix)}\n`);
