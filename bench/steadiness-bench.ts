/**
 * Label steadiness on the demo reel (media/demo, segments labelled by eye in
 * segments.csv): the label the wall holds after smoothing and hysteresis (the
 * default settings), frame by frame through each segment, at several analysis
 * rates, with each frame looked at as it is and with a feed's alternating
 * views (every other frame mirrored, mirror-view.ts). Per run: label changes
 * inside the segments (each a flicker on the wall: a segment is one framing),
 * and the share of frames whose held label is the segment's, exact and within
 * one class. Prints figures and writes JSON; asserts nothing.
 *
 *   npm run bench:steadiness [-- --fps 2,5 --empty-weight 0.3 --out bench-results/steadiness.json]
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ReadoutBuilder } from '../server/analysis/readout-builder.js';
import { loadHead } from '../server/calibration/framing-head.js';
import { configSchema } from '../server/config/schema.js';
import { FramingModel, MODEL_FEATURE_NAMES } from '../server/inference/framing/framing-model.js';
import { runModels, type Views } from '../server/inference/inference-runner.js';
import { ViewAlternation } from '../server/inference/mirror-view.js';
import { decodeFile } from '../server/ingest/file-decoder.js';
import { resolveFfmpeg } from '../server/ingest/ffmpeg-binary.js';
import { systemClock } from '../server/shared/clock.js';
import { silentLogger } from '../server/shared/logger.js';
import { CANONICAL_SCALES } from '../server/shared/scale.js';
import { MAX_ANALYSIS_FPS } from '../server/shared/input-limits.js';
import { benchArgs, listOf, positiveNumber } from './bench-options.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DEMO = path.join(ROOT, 'media', 'demo');
const USAGE = `usage: npm run bench:steadiness [-- --fps 2,5 --empty-weight 0.3 --out bench-results/steadiness.json]
  --fps N,...        analysis rates, one run each: numbers more than 0 and at most ${MAX_ANALYSIS_FPS}, separated by commas (default 2,5)
  --empty-weight W   pipeline.smoothing.emptyFrameWeight: more than 0 and at most 1 (default: the config's)
  --out FILE         where the JSON goes (default bench-results/steadiness.json)
  -h, --help         this text`;
const { rates, emptyWeight, values } = benchArgs(
  USAGE,
  process.argv.slice(2),
  { fps: { type: 'string', default: '2,5' }, 'empty-weight': { type: 'string' }, out: { type: 'string', default: path.join(ROOT, 'bench-results', 'steadiness.json') } },
  (values) => ({
    rates: listOf('fps', values.fps, (name, item) => positiveNumber(name, item, MAX_ANALYSIS_FPS)),
    // The config's own range (pipeline.smoothing.emptyFrameWeight).
    emptyWeight: values['empty-weight'] === undefined ? undefined : positiveNumber('empty-weight', values['empty-weight'], 1),
    values,
  }),
);

const segments = readFileSync(path.join(DEMO, 'segments.csv'), 'utf8').trim().split('\n').slice(1).map((line) => {
  const [file, start, end, scale] = line.split(',');
  return { file: file!, start: Number(start), end: Number(end), truth: CANONICAL_SCALES.indexOf(scale as never) };
});
const smoothing = configSchema.parse(emptyWeight === undefined ? {} : { pipeline: { smoothing: { emptyFrameWeight: emptyWeight } } }).pipeline.smoothing;
const model = await FramingModel.load(path.join(ROOT, 'models', 'framing-default.manifest.json'), { executionProviders: ['cpu'], intraOpThreads: 2 }, silentLogger);
const head = loadHead(path.join(ROOT, 'models', 'framing-default.head.json'), MODEL_FEATURE_NAMES);
const profile = { models: [{ name: 'default', model, weight: 1 }], head };
const ffmpeg = resolveFfmpeg(null);

const rows = [];
for (const fps of rates) {
  const frames = new Map<string, { timeS: number; data: Uint8Array }[]>();
  for (const file of new Set(segments.map((s) => s.file))) {
    const list: { timeS: number; data: Uint8Array }[] = [];
    await decodeFile(ffmpeg.path, path.join(DEMO, file), { ...model.input, fps }, { ffmpeg, logLevel: 'error', platform: process.platform }, systemClock, (f) => list.push(f));
    frames.set(file, list);
  }
  for (const mode of ['as-is', 'alternate'] as const) {
    let changes = 0, exact = 0, near = 0, total = 0;
    const perSegment: string[] = [];
    for (const segment of segments) {
      const held = new Map<string, number>();
      const inside = frames.get(segment.file)!.filter((f) => f.timeS >= segment.start && f.timeS <= segment.end);
      const views: Views = mode === 'as-is' ? 'as-is' : new ViewAlternation();
      // A segment is one shot: its own smoothing from its first frame, as after a cut.
      const readouts = new ReadoutBuilder({ ...smoothing, pairViews: mode === 'alternate' }, () => 0);
      let previous: string | null = null;
      for (const [i, f] of inside.entries()) {
        const frame = { cameraId: 'demo', seq: i, session: 1, timeS: f.timeS, captureTime: f.timeS * 1000, ...model.input, data: f.data };
        const [prediction] = await runModels([frame], () => profile, views);
        const { label } = readouts.build(frame, prediction!, 'default');
        if (previous !== null && label !== previous) changes += 1;
        previous = label;
        held.set(label, (held.get(label) ?? 0) + 1);
        const index = CANONICAL_SCALES.indexOf(label);
        if (index === segment.truth) exact += 1;
        if (Math.abs(index - segment.truth) <= 1) near += 1;
        total += 1;
      }
      perSegment.push(`${segment.file} ${segment.start}-${segment.end} (${CANONICAL_SCALES[segment.truth]}): ${[...held].map(([l, n]) => `${l} ${n}`).join(', ')}`);
    }
    const row = { fps, views: mode, frames: total, labelChanges: changes, exact: exact / total, withinOne: near / total, heldPerSegment: perSegment };
    rows.push(row);
    process.stdout.write(`${String(fps).padStart(2)} fps, views ${mode.padEnd(9)}: ${total} frames in ${segments.length} segments, ${changes} label changes inside them; held label exact ${(row.exact * 100).toFixed(1)}%, within one ${(row.withinOne * 100).toFixed(1)}%\n`);
    if (process.env.SEGMENTS) process.stdout.write(perSegment.map((l) => `    ${l}\n`).join(''));
  }
}
await model.dispose();
mkdirSync(path.dirname(values.out), { recursive: true });
writeFileSync(values.out, JSON.stringify({ bench: 'steadiness', segments: segments.length, smoothing, rows }, null, 2));
process.stdout.write(`wrote ${values.out}\n`);
