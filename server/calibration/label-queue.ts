/**
 * "Label these": the frames of each camera most worth an operator's label,
 * so that 30 labels teach the most. A frame is worth one where the classifier
 * is least sure between its two likeliest classes, or where the head
 * overruled the rules (the production's convention and the definitions part
 * there). One frame is considered every 2 s per camera, at most 4 are kept
 * per camera, each for 5 minutes; the list interleaves cameras and the
 * classes shown, so no camera or class fills it.
 *
 * A frame pushed out of its camera's four by a better one is still labelled
 * for a while (DISPLACED_KEPT, DISPLACED_MS): the page holds its list still
 * while the operator points at it, and a label given to a frame it still
 * shows was refused ("no frame N") and lost.
 *
 * A frame's id is never given to another frame, not even after a restart: a
 * page still showing the list (or a browser that cached a frame's picture)
 * would otherwise label a new frame from an old picture. Ids follow the
 * clock in milliseconds (at least one more than the last), so a new start's
 * first id is above every id of the run before, unless that run gave more
 * than 1,000 ids a second on average (one frame per camera every 2 s: 2,000
 * cameras on one server). They wrap within the node's range after 2^36 ms
 * (795 days).
 */
import { ShotscaleError } from '../errors.js';
import type { Clock } from '../shared/clock.js';
import { argmax, CANONICAL_SCALES } from '../shared/scale.js';

/** What the queue needs of an analysed frame; the caller's frame type rides along. */
export interface QueueFrame {
  frame: { captureTime: number };
  rules: readonly number[];
  /** The label the wall showed. */
  shown: string;
}

export interface QueueItem {
  id: number;
  cameraId: string;
  capturedAt: number;
  shown: string;
  /** 0..1: higher is more worth a label. */
  score: number;
  why: string;
}

type Candidate<F> = F & { id: number; cameraId: string; score: number; why: string };

const PER_CAMERA = 4;
const EVERY_MS = 2000;
const TTL_MS = 5 * 60_000;
/** Frames pushed out of a camera's four, kept to be labelled (not listed): the latest few, for two minutes. */
const DISPLACED_KEPT = 8;
const DISPLACED_MS = 2 * 60_000;
/** A node's range of ids (cluster/shot-replicator.ts NODE_ID_SPAN): a frame's id says which node holds it. */
const ID_SPAN = 2 ** 36;

const pct = (p: number) => `${Math.round(p * 100)}%`;

export class LabelQueue<F extends QueueFrame> {
  private readonly candidates = new Map<string, Candidate<F>[]>();
  /** Per camera, frames pushed out of its four (newest first), and when. */
  private readonly displaced = new Map<string, { candidate: Candidate<F>; at: number }[]>();
  private readonly lastConsidered = new Map<string, number>();
  /** The clock's milliseconds at the last id given, or above them where ids came faster than 1 a millisecond. */
  private lastTick = -Infinity;

  /** `idBase`: in a cluster, this node's range, so that a frame's id says which node holds it. */
  constructor(
    private readonly clock: Clock,
    private readonly idBase = 0,
  ) {}

  /** idBase + 1 .. idBase + 2^36 - 1, from the clock: see the note at the top. */
  private newId(now: number): number {
    this.lastTick = Math.max(this.lastTick + 1, Math.floor(now));
    return this.idBase + 1 + (((this.lastTick % (ID_SPAN - 1)) + ID_SPAN - 1) % (ID_SPAN - 1));
  }

  /** A camera's analysed frame, with its final probabilities (after the head). */
  consider(cameraId: string, seen: F, probabilities: readonly number[]): void {
    const now = this.clock();
    if (now - (this.lastConsidered.get(cameraId) ?? -Infinity) < EVERY_MS) return;
    this.lastConsidered.set(cameraId, now);
    const order = probabilities.map((p, c) => [p, c] as const).sort((a, b) => b[0] - a[0]);
    const [first, second] = [order[0]!, order[1]!];
    const rulesTop = argmax(seen.rules);
    const disagree = rulesTop !== first[1];
    const score = Math.min(1, 1 - (first[0] - second[0]) + (disagree ? 0.25 : 0));
    const why = disagree
      ? `the head and the rules disagree (rules ${CANONICAL_SCALES[rulesTop]}, head ${CANONICAL_SCALES[first[1]]})`
      : `unsure: ${CANONICAL_SCALES[first[1]]} ${pct(first[0])} or ${CANONICAL_SCALES[second[1]]} ${pct(second[0])}`;
    const kept = this.fresh(this.candidates.get(cameraId) ?? [], now);
    kept.push({ ...seen, id: this.newId(now), cameraId, score, why });
    kept.sort((a, b) => b.score - a.score);
    this.candidates.set(cameraId, kept.slice(0, PER_CAMERA));
    const out = kept.slice(PER_CAMERA).map((candidate) => ({ candidate, at: now }));
    const held = (this.displaced.get(cameraId) ?? []).filter((d) => now - d.at < DISPLACED_MS && now - d.candidate.frame.captureTime < TTL_MS);
    this.displaced.set(cameraId, [...out, ...held].slice(0, DISPLACED_KEPT));
  }

  /** Every camera's candidates, interleaved: each camera and each class shown gets a turn before any gets a second. */
  list(limit = 12): QueueItem[] {
    const now = this.clock();
    const lists = [...this.candidates.values()].map((list) => this.fresh(list, now));
    const out: Candidate<F>[] = [];
    const shownTaken = new Set<string>();
    while (out.length < limit && lists.some((l) => l.length)) {
      for (const list of lists) {
        if (!list.length || out.length >= limit) continue;
        // Within a camera, a class not yet in the list first.
        const at = Math.max(0, list.findIndex((c) => !shownTaken.has(c.shown)));
        const [picked] = list.splice(at, 1);
        out.push(picked!);
        shownTaken.add(picked!.shown);
      }
    }
    return out.map((c) => ({ id: c.id, cameraId: c.cameraId, capturedAt: c.frame.captureTime, shown: c.shown, score: Math.round(c.score * 100) / 100, why: c.why }));
  }

  /** A listed frame, or one pushed out of the list a moment ago (a page may still show it). */
  get(id: number): Candidate<F> {
    for (const list of this.candidates.values()) {
      const found = list.find((c) => c.id === id);
      if (found) return found;
    }
    const now = this.clock();
    for (const list of this.displaced.values()) {
      const found = list.find((d) => d.candidate.id === id && now - d.at < DISPLACED_MS && now - d.candidate.frame.captureTime < TTL_MS);
      if (found) return found.candidate;
    }
    throw new ShotscaleError('NOT_FOUND', `no frame ${id} in the label-these queue (it may have expired or been labelled)`);
  }

  remove(id: number): void {
    for (const [cameraId, list] of this.candidates) this.candidates.set(cameraId, list.filter((c) => c.id !== id));
    for (const [cameraId, list] of this.displaced) this.displaced.set(cameraId, list.filter((d) => d.candidate.id !== id));
  }

  forget(cameraId: string): void {
    this.candidates.delete(cameraId);
    this.displaced.delete(cameraId);
    this.lastConsidered.delete(cameraId);
  }

  private fresh(list: readonly Candidate<F>[], now: number): Candidate<F>[] {
    return list.filter((c) => now - c.frame.captureTime < TTL_MS);
  }
}
