/**
 * Dev: how often the detectors find what HOHA's annotators drew (face and
 * person boxes in boxes.json), per labelled scale, from the set cache.
 *
 *   npx tsx server/inference/framing/dev/detector-recall.ts
 */
import { readFileSync } from 'node:fs';
import { loadSet } from './set-cache.js';

type Box = [number, number, number, number];
const HOHA = '/work/shared/evalset/hoha/labels.csv';
const boxes = JSON.parse(readFileSync('/work/shared/evalset/hoha/boxes.json', 'utf8')) as Record<string, { width: number; height: number; face: Box[]; person: Box[] }>;
const set = await loadSet(HOHA);

function iou(a: Box, b: Box): number {
  const ix = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const iy = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const inter = ix * iy;
  return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter);
}
const area = (b: Box): number => (b[2] - b[0]) * (b[3] - b[1]);

const stats = new Map<string, { n: number; gtFace: number; faceHit: number; faceAny: number; gtPerson: number; personHit: number; personAny: number; faceH: number[] }>();
for (const frame of set.frames) {
  const gt = boxes[frame.file.split("/").pop()!];
  if (!gt) continue;
  // Frame coords (0..1 of the letterboxed frame) -> source pixels.
  const scale = Math.min(frame.frameWidth / gt.width, frame.frameHeight / gt.height);
  const ox = (frame.frameWidth - gt.width * scale) / 2, oy = (frame.frameHeight - gt.height * scale) / 2;
  const toSrc = (x: number, y: number): [number, number] => [(x * frame.frameWidth - ox) / scale, (y * frame.frameHeight - oy) / scale];
  const s = stats.get(frame.label) ?? { n: 0, gtFace: 0, faceHit: 0, faceAny: 0, gtPerson: 0, personHit: 0, personAny: 0, faceH: [] };
  stats.set(frame.label, s);
  s.n++;
  const faces: Box[] = frame.detections.faces.filter((f) => f.score >= 0.5).map((f) => [...toSrc(f.box.xMin, f.box.yMin), ...toSrc(f.box.xMax, f.box.yMax)] as Box);
  const people: Box[] = frame.detections.people.filter((p) => p.score >= 0.2).map((p) => [...toSrc(p.box.xMin, p.box.yMin), ...toSrc(p.box.xMax, p.box.yMax)] as Box);
  if (gt.face.length) {
    const main = [...gt.face].sort((a, b) => area(b) - area(a))[0]!;
    s.gtFace++;
    s.faceH.push((main[3] - main[1]) / gt.height);
    if (faces.some((f) => iou(f, main) > 0.3)) s.faceHit++;
    if (faces.length) s.faceAny++;
  }
  if (gt.person.length) {
    const main = [...gt.person].sort((a, b) => area(b) - area(a))[0]!;
    s.gtPerson++;
    if (people.some((p) => iou(p, main) > 0.3)) s.personHit++;
    if (people.length) s.personAny++;
  }
}
const pct = (a: number, b: number): string => (b ? `${((100 * a) / b).toFixed(0)}%` : '-').padStart(5);
console.log('label   n  gtFace faceHit faceAny  medFaceH  gtPerson personHit personAny');
for (const label of ['ECU', 'CU', 'MCU', 'MS', 'MLS', 'LS', 'ELS']) {
  const s = stats.get(label);
  if (!s) continue;
  const med = s.faceH.sort((a, b) => a - b)[Math.floor(s.faceH.length / 2)] ?? 0;
  console.log(`${label.padEnd(5)} ${String(s.n).padStart(3)}  ${String(s.gtFace).padStart(5)}  ${pct(s.faceHit, s.gtFace)}  ${pct(s.faceAny, s.gtFace)}     ${med.toFixed(2)}     ${String(s.gtPerson).padStart(5)}    ${pct(s.personHit, s.gtPerson)}    ${pct(s.personAny, s.gtPerson)}`);
}
