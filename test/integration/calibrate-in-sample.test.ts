/**
 * `shotscale calibrate`'s "before" (the configured head on the given frames)
 * says whether it is in-sample, by the head's provenance: the shipped head
 * was fitted on HOHA, so its figure on HOHA frames is in-sample; on frames of
 * a set it never saw (the CinemaNet type set's) it is not; a head that
 * records no sets cannot tell. Real frames (a dozen or so) through the
 * shipped classifier, or made-up analysed frames where no detector is needed.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FramingHead } from '../../server/calibration/framing-head.js';
import type { InSample } from '../../server/evaluation/in-sample.js';
import { MODEL_FEATURE_NAMES } from '../../server/inference/framing/framing-model.js';
import { softScale } from '../../server/inference/framing/framing-rules.js';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/media.js';
import { REPO_DIR, SHARED_DIR } from '../support/server-harness.js';

const MODELS = path.join(REPO_DIR, 'models');
const HEAD = path.join(MODELS, 'framing-default.head.json');

type Json = { sets: { name: string; beforeInSample?: InSample }[] };

/** The lines of one set's block of the report. */
const block = (stdout: string, name: string): string => stdout.split(/\n(?=\S)/).find((b) => b.startsWith(`${name} (`)) ?? '';

test('HOHA frames: the configured head\'s figure is in-sample, with its leave-one-set-out figure; frames it never saw: "never fitted on them"', { timeout: 180_000 }, async () => {
  const dir = tempDir();
  const studio = path.join(dir, 'studio');
  const images = path.join(SHARED_DIR, 'evalset', 'cinemanet-type', 'img');
  mkdirSync(studio);
  writeFileSync(path.join(studio, 'labels.csv'), ['file,label', ...['ct_0001.jpg,LS', 'ct_0002.jpg,LS', 'ct_0003.jpg,CU', 'ct_0004.jpg,CU'].map((l) => `${images}/${l}`)].join('\n') + '\n');
  const json = path.join(dir, 'report.json');
  const hohaLabels = path.join(SHARED_DIR, 'evalset', 'hoha', 'labels.csv');
  const res = await runCli(['calibrate', '--labels', `${hohaLabels}=cinescale`, '--labels', `${path.join(studio, 'labels.csv')}=cinemanet`, '--limit', '12', '--epochs', '20', '--out', path.join(dir, 'h.json'), '--json', json], { timeoutMs: 170_000 });
  assert.equal(res.code, 0, res.stderr);
  const hoha = (JSON.parse(readFileSync(HEAD, 'utf8')) as FramingHead).provenance.sets!.find((s) => s.name === 'hoha')!;
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const hohaBlock = block(res.stdout, 'hoha');
  assert.match(hohaBlock, /^ {2}the configured head \(in-sample\): +exact \d+\.\d%/m);
  assert.ok(
    hohaBlock.includes(`    in-sample: the configured head was fitted on these frames (the same labels file as its set hoha); its leave-one-set-out figure is ${pct(hoha.leaveOneSetOut!.exact)} exact, ${pct(hoha.leaveOneSetOut!.withinOne)} within one on the ${hoha.count} frames of hoha, from its provenance`),
    hohaBlock,
  );
  assert.doesNotMatch(hohaBlock, /never fitted/);
  const studioBlock = block(res.stdout, 'studio');
  assert.match(studioBlock, /^ {2}the configured head \(never fitted on them\): exact \d+\.\d%/m);
  assert.doesNotMatch(studioBlock, /in-sample/);
  const report = JSON.parse(readFileSync(json, 'utf8')) as Json;
  assert.deepEqual(report.sets.map((s) => [s.name, s.beforeInSample?.inSample]), [['hoha', true], ['studio', false]]);
  assert.deepEqual(report.sets[0]!.beforeInSample?.leaveOneSetOut, hoha.leaveOneSetOut);
});

test('a configured head that records no sets: whether its figure is in-sample is said to be unknown', { timeout: 120_000 }, async () => {
  const dir = tempDir();
  const head = JSON.parse(readFileSync(HEAD, 'utf8')) as FramingHead;
  delete head.provenance.sets;
  head.provenance.labels = 'elsewhere/labels.csv';
  writeFileSync(path.join(dir, 'old.head.json'), JSON.stringify(head));
  copyFileSync(path.join(MODELS, 'framing-default.base.json.gz'), path.join(dir, 'old.base.json.gz'));
  const config = path.join(dir, 'old.yaml');
  writeFileSync(config, `model: { manifest: ${path.join(MODELS, 'framing-default.manifest.json')}, calibration: old.head.json, executionProviders: [cpu] }\n`);
  // Analysed frames made up (no detector run): two of each of two classes.
  const samples = path.join(dir, 'samples.json');
  const made = [0, 0, 4, 4].map((label, i) => ({ file: `img/${i}.jpg`, label, features: MODEL_FEATURE_NAMES.map((_, k) => ((i + 1) * (k + 3)) % 7 / 7), rules: softScale(1 + label, 0.5) }));
  writeFileSync(samples, JSON.stringify({ model: 'framing-default', featureNames: MODEL_FEATURE_NAMES, sets: [{ name: 'mine', labels: 'mine/labels.csv', taxonomy: 'cinemanet', samples: made }] }));
  const json = path.join(dir, 'report.json');
  const res = await runCli(['calibrate', '--samples', samples, '--config', config, '--out', path.join(dir, 'mine.head.json'), '--epochs', '5', '--folds', '2', '--json', json], { timeoutMs: 110_000 });
  assert.equal(res.code, 0, res.stderr);
  assert.match(res.stdout, /^ {2}the configured head \(in-sample or not: unknown\): exact \d+\.\d%/m);
  assert.match(res.stdout, /^ {4}whether the configured head was fitted on these frames cannot be told: it records no sets it was fitted on$/m);
  assert.doesNotMatch(res.stdout, /never fitted/);
  assert.equal((JSON.parse(readFileSync(json, 'utf8')) as Json).sets[0]!.beforeInSample?.inSample, null);
});
