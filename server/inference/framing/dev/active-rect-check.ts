/**
 * Dev: how well the active picture is found on HOHA, whose frames are 2.36:1
 * with their bars already removed, so that after the pipeline's letterbox the
 * true picture is known exactly; and how the found aspect spreads on cinemanet.
 *
 *   npx tsx server/inference/framing/dev/active-rect-check.ts
 */
import { readFileSync } from 'node:fs';
import { findActiveRect } from '../image-cues.js';
import { decodeFrames } from './detect-cache.js';
import { readLabelsCsv } from './set-cache.js';

const W = 320, H = 192;
const hoha = readLabelsCsv('/work/shared/evalset/hoha/labels.csv').map((l) => `/work/shared/evalset/hoha/${l.file}`);
const frames = await decodeFrames(hoha, W, H);
const sizes = JSON.parse(readFileSync('/work/shared/evalset/hoha/boxes.json', 'utf8')) as Record<string, { width: number; height: number }>;
/** Where the pipeline's letterbox puts a w x h picture in the W x H frame. */
function letterboxed(w: number, h: number): { x0: number; y0: number; x1: number; y1: number } {
  const scale = Math.min(W / w, H / h);
  const px = (W - w * scale) / 2 / W, py = (H - h * scale) / 2 / H;
  return { x0: px, y0: py, x1: 1 - px, y1: 1 - py };
}
let good = 0;
const aspects: number[] = [];
for (const [i, f] of frames.entries()) {
  const size = sizes[hoha[i]!.split('/').pop()!]!;
  const truth = letterboxed(size.width, size.height);
  const r = findActiveRect(f);
  const off = Math.max(Math.abs(r.x0 - truth.x0), Math.abs(r.y0 - truth.y0), Math.abs(r.x1 - truth.x1), Math.abs(r.y1 - truth.y1));
  if (off <= 0.02) good++;
  else if (process.env.VERBOSE) process.stdout.write(`${hoha[i]} ${size.width}x${size.height} found ${JSON.stringify(r)} truth ${JSON.stringify(truth)}\n`);
  aspects.push(((r.x1 - r.x0) * W) / ((r.y1 - r.y0) * H));
}
aspects.sort((a, b) => a - b);
process.stdout.write(`hoha: ${good} of ${frames.length} active pictures within 2% of the truth; aspect q05..q95 ${[0.05, 0.25, 0.5, 0.75, 0.95].map((q) => aspects[Math.floor(q * aspects.length)]!.toFixed(2)).join(' ')}\n`);
