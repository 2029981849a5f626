/**
 * Dev: does the spectral scene descriptor help the calibration head? Decodes
 * the cinemanet frames exactly as the pipeline does, computes the descriptor,
 * appends it to the saved framing features (/tmp/cal/samples.json, written by
 * `shotscale calibrate --save-samples`) and 5-fold cross-validates the head,
 * next to the framing features alone.
 *   npx tsx server/inference/framing/dev/score-descriptor.ts [--l2 1e-3,1e-2] [--hidden 0,16]
 *     [--groups spec,blur,col,eoh] [--sets base,desc] [--seed 1] [--lr 0.05] [--refresh]
 * (--lr: the head trainer's Adam step; at the default 0.05 the minibatch
 * weights never settle, which costs more the more features there are.)
 * Decoded frames are cached in /tmp/spectral-frames.bin, descriptors in
 * /tmp/spectral-cache.json (recomputed whenever spectral-descriptor.ts changes).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { crossValidate, type FoldScores } from '../../../calibration/cross-validation.js';
import type { CanonicalScale } from '../../../shared/scale.js';
import { findActiveRect } from '../image-cues.js';
import { SPECTRAL_FEATURE_NAMES, spectralDescriptor } from '../spectral-descriptor.js';

import { packedFrames } from './detect-cache.js';
const SAMPLES = '/tmp/cal/samples.json';
const FRAMES_CACHE = '/tmp/spectral-frames.bin';
const DESCRIPTOR_CACHE = '/tmp/spectral-cache.json';
const W = 320, H = 192, FRAME_BYTES = W * H * 3;
const CLASSES = ['ECU', 'CU', 'MS', 'LS', 'ELS'];
const GROUPS: CanonicalScale[][] = [['ECU'], ['CU'], ['MCU', 'MS'], ['MWS', 'FS', 'WS'], ['EWS']];

interface Saved { featureNames: string[]; samples: { file: string; label: number; features: number[]; rules: number[] }[] }

interface DescriptorCache { source: string; names: string[]; msPerFrame: number; descriptors: number[][] }

async function descriptors(files: string[], refresh: boolean): Promise<DescriptorCache> {
  const source = createHash('sha1').update(readFileSync(fileURLToPath(new URL('../spectral-descriptor.ts', import.meta.url)))).digest('hex');
  if (!refresh && existsSync(DESCRIPTOR_CACHE)) {
    const cached = JSON.parse(readFileSync(DESCRIPTOR_CACHE, 'utf8')) as DescriptorCache;
    if (cached.source === source && cached.descriptors.length === files.length) return cached;
  }
  const all = await packedFrames(files, W, H, FRAMES_CACHE, refresh);
  const frame = (i: number) => ({ width: W, height: H, data: all.subarray(i * FRAME_BYTES, (i + 1) * FRAME_BYTES) });
  const active = files.map((_, i) => findActiveRect(frame(i)));
  for (let i = 0; i < 200; i++) spectralDescriptor(frame(i % files.length), active[i % files.length]); // JIT warm-up
  const out: number[][] = [];
  const t0 = performance.now();
  for (let i = 0; i < files.length; i++) out.push(Array.from(spectralDescriptor(frame(i), active[i])));
  const msPerFrame = (performance.now() - t0) / files.length;
  const cache = { source, names: [...SPECTRAL_FEATURE_NAMES], msPerFrame, descriptors: out };
  writeFileSync(DESCRIPTOR_CACHE, JSON.stringify(cache));
  return cache;
}

const pct = (v: number): string => (v * 100).toFixed(1).padStart(5);

function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      l2: { type: 'string', default: '1e-3,1e-2,3e-2' },
      hidden: { type: 'string', default: '0,16' },
      groups: { type: 'string', default: 'spec,blur,col,eoh' },
      sets: { type: 'string', default: 'base,desc' },
      seed: { type: 'string', default: '1' },
      lr: { type: 'string', default: '0.05' },
      refresh: { type: 'boolean', default: false },
    },
  });
  return run(values.l2.split(',').map(Number), values.hidden.split(',').map(Number), values.groups.split(','), values.sets.split(','), Number(values.seed), Number(values.lr), values.refresh);
}

async function run(l2s: number[], hiddens: number[], groups: string[], sets: string[], seed: number, learningRate: number, refresh: boolean): Promise<void> {
  const saved = JSON.parse(readFileSync(SAMPLES, 'utf8')) as Saved;
  const files = saved.samples.map((s) => s.file);
  const desc = await descriptors(files, refresh);
  const keep = desc.names.map((n, j) => (groups.includes(n.split('_')[0]!) ? j : -1)).filter((j) => j >= 0);
  console.log(`descriptor: ${desc.names.length} dims, ${desc.msPerFrame.toFixed(2)} ms/frame; using ${keep.length} (${groups.join(',')})`);
  const face = saved.featureNames.indexOf('face_present'), person = saved.featureNames.indexOf('person_present');
  const noDetection = saved.samples.map((s, i) => (s.features[face] === 0 && s.features[person] === 0 ? i : -1)).filter((i) => i >= 0);
  console.log(`no-detection subset: ${noDetection.length} frames`);
  console.log(`set   hidden l2      exact within  ${CLASSES.map((c) => c.padStart(5)).join(' ')}  no-det exact/within`);
  for (const set of sets) {
    const samples = saved.samples.map((s, i) => ({
      label: s.label, rules: s.rules,
      features: set === 'base' ? s.features : [...s.features, ...keep.map((j) => desc.descriptors[i]![j]!)],
    }));
    for (const hidden of hiddens) {
      for (const l2 of l2s) {
        const t0 = performance.now();
        const report = crossValidate(samples, GROUPS, 5, { hidden, epochs: hidden > 0 ? 150 : 400, l2, seed, learningRate });
        const h: FoldScores = report.head;
        const sub = noDetection.map((i) => [saved.samples[i]!.label, report.predictions[i]!] as const);
        const subExact = sub.filter(([t, p]) => t === p).length / sub.length;
        const subNear = sub.filter(([t, p]) => Math.abs(t - p) <= 1).length / sub.length;
        console.log(`${set.padEnd(5)} ${String(hidden).padStart(6)} ${l2.toExponential(0).padEnd(6)} ${pct(h.accuracy)}  ${pct(h.withinOne)}  ${h.recall.map(pct).join(' ')}  ${pct(subExact)} / ${pct(subNear)}   (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
      }
    }
  }
}

await main();
