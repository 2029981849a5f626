/**
 * Dev: face detectors that could be added for close shots, measured against
 * the one the framing model runs (BlazeFace back-camera on a 256x256
 * letterbox of the active picture, from the set caches):
 * - BlazeFace front-camera (short range, 128x128; the same package, converted
 *   here on the fly into the dev cache), made for faces near the camera;
 * - the back-camera model again on the picture shrunk to half the input
 *   (black around it), so that a face overfilling the frame fits.
 * Per labelled class: frames with a face at score >= 0.5 and >= 0.7; on HOHA
 * also how often the annotators' main face box is found (IoU > 0.3), and for
 * the zoomed pass, faces found where the first pass found none.
 *
 *   npx tsx server/inference/framing/dev/face-detector-options.ts
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { silentLogger } from '../../../shared/logger.js';
import { generateModel } from '../../../model-tools/generate-models.js';
import { MODEL_SPECS } from '../../../model-tools/model-specs.js';
import { decodeBlazeFace } from '../../detectors/blazeface-decoder.js';
import { unletterboxPoint } from '../../detectors/letterbox.js';
import { openSession, ort } from '../../onnx-session.js';
import { readDetectorManifest, type FrameFace } from '../detector-runner.js';
import { letterboxRegion, type Region } from '../fast-letterbox.js';
import { readFramingManifest } from '../framing-manifest.js';
import { decodeFrames } from './detect-cache.js';
import { EVALSET, labelsOf, SHARED_SETS } from './analysed-sets.js';
import { CACHE_DIR, DEFAULT_MANIFEST, loadSet, readLabelsCsv } from './set-cache.js';

type Box = [number, number, number, number];

const frontPath = path.join(CACHE_DIR, 'blazeface-front.onnx');
if (!existsSync(frontPath)) {
  mkdirSync(CACHE_DIR, { recursive: true });
  const back = MODEL_SPECS.find((s) => s.name === 'blazeface-back')!;
  await generateModel({ ...back, name: 'blazeface-front', description: 'MediaPipe BlazeFace front-camera (short-range) face detector', inputShape: [128, 128, 3] }, CACHE_DIR);
}
const backManifest = readFramingManifest(DEFAULT_MANIFEST);
const { width: W, height: H } = backManifest.manifest.input;
const options = { executionProviders: ['cpu'] as const, intraOpThreads: 1 };
const front = (await openSession(frontPath, options, silentLogger)).session;
const back = (await openSession(readDetectorManifest(backManifest.facePath).modelPath, options, silentLogger)).session;

/** Faces of one model run on `region`, shrunk by `zoom` into the middle of the input, in frame coordinates. */
async function faces(session: typeof front, data: Uint8Array, region: Region, size: number, zoom: number): Promise<FrameFace[]> {
  const inner = Math.round(size * zoom), pad = Math.floor((size - inner) / 2);
  const small = new Float32Array(inner * inner * 3);
  const lb = letterboxRegion(data, W, region, inner, small, 0);
  const input = new Float32Array(size * size * 3).fill(-1);
  for (let y = 0; y < inner; y++) input.set(small.subarray(y * inner * 3, (y + 1) * inner * 3), ((y + pad) * size + pad) * 3);
  const out = await session.run({ input: new ort.Tensor('float32', input, [1, size, size, 3]) });
  const t = (name: string): Float32Array => out[name]!.data as Float32Array;
  const toFrame = (x: number, y: number): { x: number; y: number } => {
    const p = unletterboxPoint(lb, (x * size - pad) / inner, (y * size - pad) / inner);
    return { x: (region.x0 + p.x * region.width) / W, y: (region.y0 + p.y * region.height) / H };
  };
  return decodeBlazeFace([[t('scores_16'), t('boxes_16')], [t('scores_8'), t('boxes_8')]], 0, 1, { minScore: 0.3, inputSize: size }).map((f) => {
    const lo = toFrame(f.box.xMin, f.box.yMin), hi = toFrame(f.box.xMax, f.box.yMax);
    return { box: { xMin: lo.x, yMin: lo.y, xMax: hi.x, yMax: hi.y }, score: f.score, points: f.points.map((p) => toFrame(p.x, p.y)) };
  });
}

function iou(a: Box, b: Box): number {
  const ix = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0])), iy = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  return (ix * iy) / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - ix * iy);
}
const area = (b: Box): number => (b[2] - b[0]) * (b[3] - b[1]);
const boxes = JSON.parse(readFileSync(`${EVALSET}/hoha/boxes.json`, 'utf8')) as Record<string, { width: number; height: number; face: Box[] }>;

for (const { name } of SHARED_SETS) {
  const labelsPath = labelsOf(name);
  const set = await loadSet(labelsPath);
  const frames = await decodeFrames(readLabelsCsv(labelsPath).map((l) => path.join(EVALSET, name, l.file)), W, H);
  const ms = { front: 0, zoomed: 0 };
  const rows = new Map<string, { n: number; found: Record<string, [number, number]>; gt: number; hit: Record<string, number>; noFace: number; zoomedNew: number }>();
  for (let i = 0; i < frames.length; i++) {
    const cached = set.frames[i]!, a = cached.active, data = frames[i]!.data;
    const x0 = Math.round(a.x0 * W), y0 = Math.round(a.y0 * H);
    const region = { x0, y0, width: Math.max(1, Math.round(a.x1 * W) - x0), height: Math.max(1, Math.round(a.y1 * H) - y0) };
    let t = performance.now();
    const byModel: Record<string, FrameFace[]> = { back: cached.detections.faces, front: await faces(front, data, region, 128, 1) };
    ms.front += performance.now() - t;
    t = performance.now();
    byModel.zoomed = await faces(back, data, region, 256, 0.5);
    ms.zoomed += performance.now() - t;
    const row = rows.get(cached.label) ?? { n: 0, found: { back: [0, 0], front: [0, 0], zoomed: [0, 0] }, gt: 0, hit: { back: 0, front: 0, zoomed: 0 }, noFace: 0, zoomedNew: 0 };
    rows.set(cached.label, row);
    row.n += 1;
    for (const [model, list] of Object.entries(byModel)) {
      if (list.some((f) => f.score >= 0.5)) row.found[model]![0] += 1;
      if (list.some((f) => f.score >= 0.7)) row.found[model]![1] += 1;
    }
    if (!byModel.back!.length) {
      row.noFace += 1;
      if (byModel.zoomed!.some((f) => f.score >= 0.5)) row.zoomedNew += 1;
    }
    const gt = boxes[path.basename(cached.file)];
    if (name !== 'hoha' || !gt?.face.length) continue;
    // Frame coordinates -> the annotators' pixels (the frame is a letterbox of the source).
    const scale = Math.min(W / gt.width, H / gt.height), ox = (W - gt.width * scale) / 2, oy = (H - gt.height * scale) / 2;
    const toSource = (f: FrameFace): Box => [(f.box.xMin * W - ox) / scale, (f.box.yMin * H - oy) / scale, (f.box.xMax * W - ox) / scale, (f.box.yMax * H - oy) / scale];
    const main = [...gt.face].sort((p, q) => area(q) - area(p))[0]!;
    row.gt += 1;
    for (const [model, list] of Object.entries(byModel)) if (list.some((f) => f.score >= 0.5 && iou(toSource(f), main) > 0.3)) row.hit[model]! += 1;
  }
  process.stdout.write(`${name}: front ${(ms.front / frames.length).toFixed(1)} ms a frame, zoomed pass ${(ms.zoomed / frames.length).toFixed(1)} ms (one thread, with the letterbox)\n`);
  process.stdout.write('  label  frames  face >= 0.5 / >= 0.7: back, front, zoomed | annotated face found: back, front, zoomed | no face in the first pass: zoomed finds one\n');
  for (const [label, r] of rows) {
    const found = ['back', 'front', 'zoomed'].map((m) => `${r.found[m]![0]}/${r.found[m]![1]}`).join(', ');
    const hits = r.gt ? ['back', 'front', 'zoomed'].map((m) => `${r.hit[m]}`).join(', ') + ` of ${r.gt}` : '-';
    process.stdout.write(`  ${label.padEnd(5)}  ${String(r.n).padStart(5)}  ${found} | ${hits} | ${r.zoomedNew} of ${r.noFace}\n`);
  }
}
