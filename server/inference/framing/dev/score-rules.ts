/**
 * Scores the framing rules on the cinemanet dev set (5 classes), on the even
 * and odd halves by file index (tune on even, check on odd) and in all:
 * exact and within-one accuracy, per-class recall, confusion matrix.
 *   tsx server/inference/framing/dev/score-rules.ts [--refresh] [--errors CLASS]
 * The first run (or --refresh) decodes and detects (minutes) and caches to /tmp.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { framingFeatures } from '../framing-features.js';
import { framingRules } from '../framing-rules.js';
import { loadCache, type CachedFrame } from './detect-cache.js';

const CINEMANET = ['ECU', 'CU', 'MS', 'LS', 'ELS'] as const;
/** Canonical index -> cinemanet index (MCU, MS -> Medium; MWS, FS, WS -> Long). */
const TO_CINEMANET = [0, 1, 2, 2, 3, 3, 3, 4];

export function toCinemanet(p: readonly number[]): number[] {
  const out = [0, 0, 0, 0, 0];
  p.forEach((v, c) => { out[TO_CINEMANET[c]!]! += v; });
  return out;
}

const argmax = (v: readonly number[]): number => v.reduce((b, x, i) => (x > v[b]! ? i : b), 0);

interface Scored { frame: CachedFrame; truth: number; pred: number; reason: string }

function report(title: string, rows: Scored[]): void {
  const m = CINEMANET.map(() => CINEMANET.map(() => 0));
  rows.forEach((r) => { m[r.truth]![r.pred]!++; });
  const exact = rows.filter((r) => r.truth === r.pred).length / rows.length;
  const near = rows.filter((r) => Math.abs(r.truth - r.pred) <= 1).length / rows.length;
  console.log(`\n${title}: n=${rows.length} exact ${(exact * 100).toFixed(1)}%  within-one ${(near * 100).toFixed(1)}%`);
  console.log(`truth\\pred ${CINEMANET.map((c) => c.padStart(5)).join('')}  recall`);
  m.forEach((row, i) => {
    const n = row.reduce((s, v) => s + v, 0);
    console.log(`${CINEMANET[i]!.padEnd(10)} ${row.map((v) => String(v).padStart(5)).join('')}  ${((row[i]! / Math.max(n, 1)) * 100).toFixed(1)}%`);
  });
}

export function score(frames: CachedFrame[]): Scored[] {
  return frames.map((frame) => {
    const f = framingFeatures(frame.detections, frame.active, frame.cues, 320, 192);
    const r = framingRules(f);
    return { frame, truth: CINEMANET.indexOf(frame.label as (typeof CINEMANET)[number]), pred: argmax(toCinemanet(r.probabilities)), reason: r.reason };
  });
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
  const frames = await loadCache(path.join(repo, 'models/framing-default.manifest.json'), '/tmp/framing-cache-320.json', args.includes('--refresh'));
  const rows = score(frames);
  const index = (r: Scored): number => Number(/(\d+)/.exec(r.frame.file)?.[1] ?? 0);
  report('even half (tuning)', rows.filter((r) => index(r) % 2 === 0));
  report('odd half (held out)', rows.filter((r) => index(r) % 2 === 1));
  report('all', rows);
  report('vetted film frames', rows.filter((r) => r.frame.vetted));
  const e = args.indexOf('--errors');
  if (e >= 0) {
    const cls = CINEMANET.indexOf(args[e + 1] as (typeof CINEMANET)[number]);
    for (const r of rows.filter((x) => x.truth === cls && x.pred !== cls && index(x) % 2 === 0).slice(0, 40)) {
      console.log(`${r.frame.file} ${CINEMANET[r.truth]} -> ${CINEMANET[r.pred]}: ${r.reason}`);
    }
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) await main();
