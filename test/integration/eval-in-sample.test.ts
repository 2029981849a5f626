/**
 * `shotscale eval` through the shipped head says when its figure is
 * in-sample: the head was fitted on HOHA and CinemaNet, so its accuracy on
 * HOHA frames is not the figure to quote (its leave-one-set-out figure, from
 * the head's manifest, is). Frames the head never saw (the CinemaNet type
 * set's) say so too. A dozen real frames each, the shipped classifier on the
 * CPU; the figures themselves are not checked, only what they are called.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FramingHead } from '../../server/calibration/framing-head.js';
import type { InSample } from '../../server/evaluation/in-sample.js';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/media.js';
import { FIXTURE_MANIFEST, REPO_DIR, SHARED_DIR } from '../support/server-harness.js';

const MODELS = path.join(REPO_DIR, 'models');
const HEAD = path.join(MODELS, 'framing-default.head.json');
const HOHA = path.join(SHARED_DIR, 'evalset', 'hoha', 'labels.csv');

function shippedConfig(dir: string): string {
  const file = path.join(dir, 'shipped.yaml');
  writeFileSync(file, `model: { manifest: ${MODELS}/framing-default.manifest.json, calibration: ${HEAD}, executionProviders: [cpu] }\n`);
  return file;
}

type Report = { count: number; accuracy: number; inSample: InSample | null };

describe('shotscale eval: in-sample figures are labelled', () => {
  test('HOHA through the head fitted on it: in-sample, with its leave-one-set-out figure from the head\'s manifest', { timeout: 120_000 }, async () => {
    const dir = tempDir();
    const json = path.join(dir, 'eval.json');
    const res = await runCli(['eval', '--labels', HOHA, '--taxonomy', 'cinescale', '--limit', '12', '--config', shippedConfig(dir), '--json', json], { timeoutMs: 110_000 });
    assert.equal(res.code, 0, res.stderr);
    const hoha = (JSON.parse(readFileSync(HEAD, 'utf8')) as FramingHead).provenance.sets!.find((s) => s.name === 'hoha')!;
    const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
    const line = `in-sample: the head in use was fitted on these frames (the same labels file as its set hoha); its leave-one-set-out figure is ${pct(hoha.leaveOneSetOut!.exact)} exact, ${pct(hoha.leaveOneSetOut!.withinOne)} within one on the ${hoha.count} frames of hoha (from the head's manifest)`;
    const lines = res.stdout.split('\n');
    assert.equal(lines[2], line, res.stdout);
    assert.match(lines[3]!, /^accuracy \d+\.\d%/, 'right above the accuracy it qualifies');
    const report = JSON.parse(readFileSync(json, 'utf8')) as Report;
    assert.equal(report.inSample?.inSample, true);
    assert.equal(report.inSample?.set, 'hoha');
    assert.deepEqual(report.inSample?.leaveOneSetOut, hoha.leaveOneSetOut);
  });

  test('a copy of some HOHA frames elsewhere, under another name: still in-sample, by its frames', { timeout: 120_000 }, async () => {
    const dir = tempDir();
    const rows = readFileSync(HOHA, 'utf8').split('\n').slice(1, 9).map((l) => l.split(',')).map(([file, label]) => `${path.join(path.dirname(HOHA), file!)},${label}`);
    const labels = path.join(dir, 'stage-a.csv');
    writeFileSync(labels, ['file,label', ...rows].join('\n') + '\n');
    const json = path.join(dir, 'eval.json');
    const res = await runCli(['eval', '--labels', labels, '--taxonomy', 'cinescale', '--config', shippedConfig(dir), '--json', json], { timeoutMs: 110_000 });
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /^in-sample: the head in use was fitted on these frames \(all 8 are in its set hoha\); its leave-one-set-out figure is \d+\.\d% exact/m);
    const report = JSON.parse(readFileSync(json, 'utf8')) as Report;
    assert.deepEqual([report.inSample?.inSample, report.inSample?.by, report.inSample?.frames], [true, 'frames', 8]);
  });

  test('frames of a set the head was not fitted on: said so, the flag false', { timeout: 120_000 }, async () => {
    const dir = tempDir();
    const images = path.join(SHARED_DIR, 'evalset', 'cinemanet-type', 'img');
    const labels = path.join(dir, 'labels.csv');
    writeFileSync(labels, ['file,label', ...['ct_0001.jpg,LS', 'ct_0002.jpg,LS', 'ct_0003.jpg,CU', 'ct_0004.jpg,CU'].map((l) => `${images}/${l}`)].join('\n') + '\n');
    const json = path.join(dir, 'eval.json');
    const res = await runCli(['eval', '--labels', labels, '--taxonomy', 'cinemanet', '--config', shippedConfig(dir), '--json', json], { timeoutMs: 110_000 });
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /^not in-sample: the head in use was fitted on other sets \(cinemanet, hoha\)$/m);
    assert.doesNotMatch(res.stdout, /^in-sample/m);
    const report = JSON.parse(readFileSync(json, 'utf8')) as Report;
    assert.equal(report.inSample?.inSample, false);
  });

  test('no head: no in-sample line, the flag null', async () => {
    const dir = tempDir();
    const config = path.join(dir, 'fixture.yaml');
    writeFileSync(config, `model: { manifest: ${FIXTURE_MANIFEST}, executionProviders: [cpu] }\n`);
    const json = path.join(dir, 'eval.json');
    const res = await runCli(['eval', '--labels', HOHA, '--taxonomy', 'cinescale', '--limit', '3', '--config', config, '--json', json]);
    assert.equal(res.code, 0, res.stderr);
    assert.doesNotMatch(res.stdout, /in-sample/);
    assert.equal((JSON.parse(readFileSync(json, 'utf8')) as Report).inSample, null);
  });
});
