/**
 * Dev: where each labelled set's annotators draw the line between
 * neighbouring classes on the body axis (the frame's bottom edge in heads
 * from the crown; feet in frame: past 7.2, further the smaller the body),
 * as the monotone thresholds that label the most of the set's own frames
 * right, and that best in-sample accuracy: an upper bound for any head that
 * reads the axis alone, and the sets' conventions side by side with the
 * rules' boundaries (AXIS_BOUNDARIES, from the definitions). Then each set
 * read at the other set's lines (the rules' where the other set has none):
 * how much a head fitted on one set's convention can get right on the
 * other's, from the axis alone.
 *
 *   npx tsx server/inference/framing/dev/axis-conventions.ts
 */
import { CANONICAL_SCALES } from '../../../shared/scale.js';
import type { Taxonomy } from '../../../evaluation/taxonomies.js';
import type { FramingFeatures } from '../framing-features.js';
import { AXIS_BOUNDARIES } from '../framing-rules.js';
import { analysedSets } from './analysed-sets.js';

const FEET = AXIS_BOUNDARIES[AXIS_BOUNDARIES.length - 1]!;

/** One number per frame: the bottom edge on the axis, and with the feet in, how small the body is (3 per halving of its height). */
function axisScale(f: FramingFeatures): number {
  if (f.axis_bottom < FEET) return f.axis_bottom;
  return FEET + Math.max(0, Math.log2(0.5 / Math.max(f.axis_body_height, 0.01))) * 3;
}

/** Best monotone thresholds for ordered labels 0..k-1 over sorted values (dynamic programming). */
function bestThresholds(points: readonly [number, number][], k: number): { correct: number; cuts: number[] } {
  const n = points.length;
  const prefix = Array.from({ length: k }, (_, c) => {
    const p = [0];
    for (const [, label] of points) p.push(p[p.length - 1]! + (label === c ? 1 : 0));
    return p;
  });
  // best[c][i]: most right among the first i points with classes 0..c; from[c][i]: where class c starts.
  const best = Array.from({ length: k }, () => new Array<number>(n + 1).fill(0));
  const from = Array.from({ length: k }, () => new Array<number>(n + 1).fill(0));
  for (let i = 0; i <= n; i++) best[0]![i] = prefix[0]![i]!;
  for (let c = 1; c < k; c++) {
    let top = -Infinity, at = 0;
    for (let i = 0; i <= n; i++) {
      const v = best[c - 1]![i]! - prefix[c]![i]!;
      if (v > top) { top = v; at = i; }
      best[c]![i] = top + prefix[c]![i]!;
      from[c]![i] = at;
    }
  }
  const cuts: number[] = [];
  let i = n;
  for (let c = k - 1; c >= 1; c--) {
    const j = from[c]![i]!;
    cuts.unshift(j <= 0 ? -Infinity : j >= n ? Infinity : (points[j - 1]![0] + points[j]![0]) / 2);
    i = j;
  }
  return { correct: best[k - 1]![n]!, cuts };
}

/** How many of `points` fall between the lines of their own class. */
function rightAt(points: readonly [number, number][], cuts: readonly number[]): number {
  return points.filter(([v, label]) => cuts.filter((cut) => v >= cut).length === label).length;
}

/** The canonical boundary (k: between canonical classes k and k+1) under each line between a taxonomy's neighbouring classes. */
function canonicalLines(taxonomy: Taxonomy): number[] {
  return taxonomy.classes.slice(0, -1).map((c) => Math.max(...c.canonical.map((s) => CANONICAL_SCALES.indexOf(s))));
}

interface SetOnAxis { name: string; taxonomy: Taxonomy; points: [number, number][]; lines: Map<number, number> }

const sets: SetOnAxis[] = [];
process.stdout.write(`rules (definitions): ${AXIS_BOUNDARIES.map((b) => b.toFixed(2)).join(', ')} (ECU|CU, CU|MCU, MCU|MS, MS|MWS, MWS|FS)\n`);
for (const { set, taxonomy, frames } of await analysedSets()) {
  const name = set.name;
  const points: [number, number][] = frames.filter((fr) => fr.f.axis_found).map((fr) => [axisScale(fr.f), fr.label]);
  points.sort((a, b) => a[0] - b[0]);
  const classes = taxonomy.classes.map((c) => c.name);
  const { correct, cuts } = bestThresholds(points, classes.length);
  const text = cuts.map((cut, c) => `${classes[c]}|${classes[c + 1]} ${cut.toFixed(2)}`).join(', ');
  process.stdout.write(`${name}: ${text}; ${points.length} frames with a body axis, ${((100 * correct) / points.length).toFixed(1)}% right in-sample\n`);
  const at = canonicalLines(taxonomy);
  sets.push({ name, taxonomy, points, lines: new Map(cuts.map((cut, c) => [at[c]!, cut])) });
}

for (const target of sets) {
  for (const source of sets) {
    if (source === target) continue;
    const borrowed: string[] = [];
    const cuts = canonicalLines(target.taxonomy).map((k, c) => {
      const line = source.lines.get(k) ?? AXIS_BOUNDARIES[k];
      if (line === undefined) throw new Error(`no line for canonical boundary ${k}`);
      if (!source.lines.has(k)) borrowed.push(`${target.taxonomy.classes[c]!.name}|${target.taxonomy.classes[c + 1]!.name}`);
      return line;
    });
    const right = rightAt(target.points, cuts);
    process.stdout.write(`${target.name} read at ${source.name}'s lines${borrowed.length ? ` (the rules' ${borrowed.join(', ')})` : ''}: ${((100 * right) / target.points.length).toFixed(1)}%\n`);
  }
}

/** One set of lines for every set (each set's mean accuracy weighs the same), by coordinate search from the rules': the best a single convention does on all of them. */
{
  const used = [...new Set(sets.flatMap((s) => canonicalLines(s.taxonomy)))].sort((a, b) => a - b);
  const lines = new Map(used.map((k) => [k, AXIS_BOUNDARIES[k] ?? sets.find((s) => s.lines.has(k))!.lines.get(k)!]));
  const accuracy = (s: SetOnAxis): number => {
    const cuts = canonicalLines(s.taxonomy).map((k) => lines.get(k)!);
    return rightAt(s.points, cuts) / s.points.length;
  };
  const mean = (): number => sets.reduce((a, s) => a + accuracy(s), 0) / sets.length;
  process.stdout.write(`the rules' lines: ${sets.map((s) => `${s.name} ${(100 * accuracy(s)).toFixed(1)}%`).join(', ')}\n`);
  for (let round = 0; round < 3; round++) {
    for (const k of used) {
      let best = lines.get(k)!, top = mean();
      for (let v = 0.5; v <= 14; v += 0.02) {
        lines.set(k, v);
        // Lines stay in order.
        if (used.some((j) => j < k && lines.get(j)! > v) || used.some((j) => j > k && lines.get(j)! < v)) continue;
        const m = mean();
        if (m > top) { top = m; best = v; }
      }
      lines.set(k, best);
    }
  }
  process.stdout.write(`one convention for all (canonical boundaries ${used.map((k) => `${CANONICAL_SCALES[k]}|${CANONICAL_SCALES[k + 1]} ${lines.get(k)!.toFixed(2)}`).join(', ')}): ${sets.map((s) => `${s.name} ${(100 * accuracy(s)).toFixed(1)}%`).join(', ')} in-sample\n`);
}
