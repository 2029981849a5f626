/**
 * The failure families of the default classifier on real film frames from the
 * shared sets: large faces (ECU), seated people, people seen from behind,
 * small full-length figures, very wide pictures, frames with nobody found.
 * The frames of each family are every frame the detectors put in it, thinned
 * by a fixed stride (test/fixtures/failure-families.json, made by
 * server/inference/framing/dev/family-frames.ts), decoded by ffmpeg and run
 * through the real detectors as the pipeline does, each looked at both ways
 * (picture and mirror, the mean of the views) as `shotscale eval` does.
 *
 * Each family is held to what the stack does on it today, a few points
 * below, so that a change that breaks one family fails here even when the
 * overall figures hide it. The floors on the rules are honest (the rules were
 * not fitted on these sets); the shipped head was fitted on them, so its
 * floors guard against regressions only, and its figures are in-sample.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { applyHead, headFeatures, loadHead, type FramingHead } from '../../server/calibration/framing-head.js';
import { meanOfTwo } from '../../server/inference/mirror-view.js';
import { holdTest } from '../../server/calibration/head-hold.js';
import { argmax } from '../../server/shared/scale.js';
import { FAILURE_FAMILIES, type FailureFamily } from '../../server/evaluation/failure-families.js';
import { findTaxonomy, normaliseLabel, predictClass, type Taxonomy } from '../../server/evaluation/taxonomies.js';
import { findActiveRect } from '../../server/inference/framing/image-cues.js';
import { featuresFromVector } from '../../server/inference/framing/framing-features.js';
import { FramingModel, MODEL_FEATURE_NAMES } from '../../server/inference/framing/framing-model.js';
import { runModels } from '../../server/inference/inference-runner.js';
import type { FrameInput } from '../../server/inference/model.js';
import { decodeFile } from '../../server/ingest/file-decoder.js';
import { resolveFfmpeg } from '../../server/ingest/ffmpeg-binary.js';
import { systemClock } from '../../server/shared/clock.js';
import { silentLogger } from '../../server/shared/logger.js';
import { REPO_DIR, SHARED_DIR } from '../support/server-harness.js';

interface FamilyFrame { set: 'cinemanet' | 'hoha'; file: string; label: string }

const FAMILY_FRAMES = JSON.parse(readFileSync(path.join(REPO_DIR, 'test', 'fixtures', 'failure-families.json'), 'utf8')) as Record<FailureFamily, FamilyFrame[]>;
const TAXONOMY: Record<FamilyFrame['set'], Taxonomy> = { cinemanet: findTaxonomy('cinemanet')!, hoha: findTaxonomy('cinescale')! };

/** Floors per family: exact and within one for the rules alone and with the shipped head, and the share of reasons that name the family's cue. */
interface Floors { rules: [number, number]; head: [number, number]; cue: RegExp; cueShare: number }

const FLOORS: Record<FailureFamily, Floors> = {
  'large face': { rules: [0.6, 0.95], head: [0.7, 0.95], cue: /face \d+% of height|forehead cut|chin cut|partial face|frame cuts at the (eyes|chin|neck|shoulders)/, cueShare: 0.9 },
  // The head is chosen by leave-one-set-out, where it reads 64% of CinemaNet's seated frames (dev/failure-families.ts); in-sample it reads 81% (26 of 32).
  // The reason is the view's that reads the class the mean of the views does (inference-runner.ts):
  // a mirror may be read by another cue (a face found, or nobody), here on 2 to 5 frames a family.
  seated: { rules: [0.6, 0.95], head: [0.8, 0.95], cue: /seated/, cueShare: 0.85 },
  // Small figures' faces are not expected to be found; their reason names the small body instead.
  'seen from behind': { rules: [0.5, 0.9], head: [0.6, 0.95], cue: /no face|body small in frame|tiny figure/, cueShare: 0.85 },
  'small full figure': { rules: [0.2, 0.9], head: [0.5, 0.9], cue: /feet in|tiny figure/, cueShare: 0.85 },
  'very wide picture': { rules: [0.45, 0.9], head: [0.6, 0.9], cue: /./, cueShare: 1 },
  'nobody found': { rules: [0.6, 0.75], head: [0.7, 0.8], cue: /no person or face found/, cueShare: 0.95 },
};

const OPTIONS = { executionProviders: ['cpu'], intraOpThreads: 2 };
let model: FramingModel;
let head: FramingHead;
const frames = new Map<string, FrameInput>();
const ffmpeg = resolveFfmpeg(null);

const imagePath = (set: string, file: string): string => path.join(SHARED_DIR, 'evalset', set, file);

/** Decodes images as the pipeline does (ffmpeg, letterboxed to the model's input), a few at a time. */
async function decodeAll(paths: string[]): Promise<void> {
  const ctx = { ffmpeg, logLevel: 'error', platform: process.platform };
  const queue = paths.filter((p) => !frames.has(p));
  const worker = async (): Promise<void> => {
    for (let p = queue.shift(); p; p = queue.shift()) {
      const file = p;
      await decodeFile(ffmpeg.path, file, { ...model.input, fps: 1 }, ctx, systemClock, (f) => {
        frames.set(file, { width: model.input.width, height: model.input.height, data: f.data });
      });
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
}

before(async () => {
  model = await FramingModel.load(path.join(REPO_DIR, 'models', 'framing-default.manifest.json'), OPTIONS as never, silentLogger);
  head = loadHead(path.join(REPO_DIR, 'models', 'framing-default.head.json'), MODEL_FEATURE_NAMES);
  await decodeAll(Object.values(FAMILY_FRAMES).flat().map((f) => imagePath(f.set, f.file)));
});

after(async () => {
  await model?.dispose();
});

const share = (hits: number, n: number): string => `${hits} of ${n} (${Math.round((hits / n) * 100)}%)`;

describe('failure families on real film frames', () => {
  for (const family of Object.keys(FLOORS) as FailureFamily[]) {
    test(`${family}: seen as such, scored above its floors, the reason names the cue`, async (t) => {
      const list = FAMILY_FRAMES[family];
      assert.ok(list.length >= 20, `${family}: ${list.length} frames`);
      const inputs = list.map((f) => frames.get(imagePath(f.set, f.file))!);
      const profile = { models: [{ name: 'default', model, weight: 1 }], head };
      const tally = { member: 0, cue: 0, rules: [0, 0], head: [0, 0] };
      for (let s = 0; s < inputs.length; s += 16) {
        const batch = inputs.slice(s, s + 16).map((frame, i) => ({ cameraId: 'cam', seq: s + i, session: 1, timeS: 0, captureTime: 0, ...frame }));
        const predictions = await runModels(batch, () => profile, 'both');
        predictions.forEach((p, i) => {
          const frame = list[s + i]!;
          const taxonomy = TAXONOMY[frame.set];
          const truth = taxonomy.lookup.get(normaliseLabel(frame.label))!;
          const features = featuresFromVector(p.analysis!.features);
          if (FAILURE_FAMILIES[family](features)) tally.member += 1;
          if (FLOORS[family].cue.test(p.reason ?? '')) tally.cue += 1;
          else if (process.env.SHOW_REASONS) process.stdout.write(`# ${frame.file}: ${p.reason}\n`);
          const { rules, mirrored } = p.analysis!;
          const bothRules = rules.map((r, c) => (r + mirrored!.rules[c]!) / 2);
          for (const [key, probabilities] of [['rules', bothRules], ['head', p.probabilities]] as const) {
            const predicted = predictClass(taxonomy, probabilities).index;
            if (predicted === truth) tally[key][0]! += 1;
            if (Math.abs(predicted - truth) <= 1) tally[key][1]! += 1;
          }
        });
      }
      const n = list.length;
      const figures = `rules exact ${share(tally.rules[0]!, n)}, within one ${share(tally.rules[1]!, n)}; head (in-sample) exact ${share(tally.head[0]!, n)}, within one ${share(tally.head[1]!, n)}; cue in the reason ${share(tally.cue, n)}`;
      t.diagnostic(figures);
      process.stdout.write(`# ${family}: ${figures}\n`);
      const floors = FLOORS[family];
      assert.ok(tally.member >= 0.9 * n, `${family}: the detectors put ${share(tally.member, n)} in the family`);
      assert.ok(tally.cue >= floors.cueShare * n, `${family}: ${figures}`);
      assert.ok(tally.rules[0]! >= floors.rules[0] * n && tally.rules[1]! >= floors.rules[1] * n, `${family} rules: ${figures}`);
      assert.ok(tally.head[0]! >= floors.head[0] * n && tally.head[1]! >= floors.head[1] * n, `${family} head: ${figures}`);
    });
  }

  test('large faces: where a face is at least as tall as the picture and the rules read ECU, the shipped head leaves the ECU alone', async () => {
    const list = FAMILY_FRAMES['large face'];
    const held = holdTest(head.hold, head.featureNames);
    assert.ok(held, 'the shipped head holds the rules\' ECU where a face fills the picture');
    const profile = { models: [{ name: 'default', model, weight: 1 }], head };
    const tally = { both: 0, ecu: 0, labelledEcu: 0, calibrated: 0, movedWithoutHold: 0 };
    const { hold: _hold, ...unheld } = head;
    for (let s = 0; s < list.length; s += 16) {
      const batch = list.slice(s, s + 16).map((f, i) => ({ cameraId: 'cam', seq: s + i, session: 1, timeS: 0, captureTime: 0, ...frames.get(imagePath(f.set, f.file))! }));
      const predictions = await runModels(batch, () => profile, 'both');
      predictions.forEach((p, i) => {
        const { features, rules, mirrored } = p.analysis!;
        const pick = (v: ArrayLike<number>) => headFeatures(head, v);
        if (!held(pick(features), rules) || !held(pick(mirrored!.features), mirrored!.rules)) return;
        tally.both += 1;
        if (argmax(p.probabilities) === 0) tally.ecu += 1;
        if (/calibrated/.test(p.reason ?? '')) tally.calibrated += 1;
        if (list[s + i]!.label === 'ECU') tally.labelledEcu += 1;
        const free = meanOfTwo(applyHead(unheld, features, rules), applyHead(unheld, mirrored!.features, mirrored!.rules));
        if (argmax(free) !== 0) tally.movedWithoutHold += 1;
      });
    }
    process.stdout.write(`# large faces held in both views: ${tally.both} of ${list.length}, read ECU ${tally.ecu}, labelled ECU ${tally.labelledEcu}; without the hold the head reads ${tally.movedWithoutHold} of them otherwise\n`);
    assert.ok(tally.movedWithoutHold >= 1, 'the hold decides some of these frames: without it the head reads them otherwise');
    assert.ok(tally.both >= 5, `${tally.both} held frames`);
    assert.equal(tally.ecu, tally.both, 'every frame held in both views reads ECU');
    assert.equal(tally.calibrated, 0, 'and its reason is the rules\'');
  });

  test('very wide pictures: the active picture of 2.1:1 and wider frames is found, bars removed, dark sides kept', async () => {
    // HOHA's frames come without bars, at their own sizes: after the
    // pipeline's letterbox the true picture is known to the pixel.
    const sizes = JSON.parse(readFileSync(path.join(SHARED_DIR, 'evalset', 'hoha', 'boxes.json'), 'utf8')) as Record<string, { width: number; height: number }>;
    const picked = Object.entries(sizes).filter(([, s]) => s.width / s.height >= 2.1);
    await decodeAll(picked.map(([file]) => imagePath('hoha', `img/${file}`)));
    const { width: W, height: H } = model.input;
    let right = 0;
    const wrong: string[] = [];
    for (const [file, size] of picked) {
      const scale = Math.min(W / size.width, H / size.height);
      const barY = (H - size.height * scale) / 2 / H;
      const found = findActiveRect(frames.get(imagePath('hoha', `img/${file}`))!);
      const off = Math.max(found.x0, 1 - found.x1, Math.abs(found.y0 - barY), Math.abs(1 - found.y1 - barY));
      if (off <= 0.02) right += 1;
      else wrong.push(`${file}: ${JSON.stringify(found)}`);
    }
    process.stdout.write(`# active picture within 2% on ${share(right, picked.length)} wide HOHA frames\n`);
    assert.ok(picked.length >= 150, `${picked.length} wide frames`);
    assert.ok(right >= 0.85 * picked.length, `${share(right, picked.length)}; wrong: ${wrong.slice(0, 5).join('; ')}`);
  });
});
