/**
 * What the Calibration view shows, from GET /api/calibration: the samples
 * per label, the head versions with what each scored before and after, and
 * where each applies. Pure (no DOM, no Svelte): unit-tested under node.
 */
import { fitBlockedBy } from '../../../server/shared/calibration-fit.js';

export interface FitFigures {
  exact: number;
  withinOne: number;
}

export interface HeadReport {
  base: string | null;
  /**
   * `shots`, `folds`: what the cross-validation held out (whole shots, over so
   * many folds); `why`: where there is no `after`, why. Heads fitted before
   * these were reported have none of them.
   */
  sets: { taxonomy: string; count: number; before: FitFigures; after: FitFigures | null; shots?: number; folds?: number; why?: string | null }[];
  /** The whole fit, start to head ready (heads fitted before headFitS was reported: the final fit alone). */
  fitS: number;
  /** The final fit alone, without the base knowledge read and the cross-validation. */
  headFitS?: number;
}

export interface HeadVersion {
  id: number;
  createdAt: number;
  samples: number;
  report: HeadReport;
}

export interface CalibrationState {
  samples: number;
  perLabel: Record<string, number>;
  perCamera: Record<string, number>;
  heads: HeadVersion[];
  /** scope ('*' = every camera) -> head id, or null for the configured head. */
  applied: Record<string, number | null>;
  /** `code`: a failed fit's error code. */
  fit: { state: 'idle' | 'fitting' | 'done' | 'failed'; startedAt: number | null; finishedAt: number | null; headId: number | null; error: string | null; code?: string };
  configured: string | null;
}

export interface SampleItem {
  id: number;
  cameraId: string;
  capturedAt: number;
  taxonomy: string;
  label: string;
  shown: string | null;
  hasImage: boolean;
}

/** What POST /api/cameras/:id/corrections answers: the sample, and the label it replaced where the frame was labelled before (the same sample, relabelled). */
export interface CorrectionAnswer {
  id: number;
  label: string;
  shown: string | null;
  relabelled?: { sample: number; taxonomy: string; label: string };
}

/** The correction bar's note: "CU saved (sample 12; shown MS)", and the label it replaced where the frame was labelled before. */
export function correctionNote(answer: CorrectionAnswer): string {
  const shown = `shown ${answer.shown ?? '—'}`;
  if (!answer.relabelled) return `${answer.label} saved (sample ${answer.id}; ${shown})`;
  // Short: in a tile's menu the note has a line at most.
  return `${answer.label} saved (sample ${answer.id}; ${shown}), replacing ${answer.relabelled.label} for this frame`;
}

/** A frame the server suggests labelling (GET /api/calibration/queue). */
export type { QueueItem } from '../../../server/calibration/label-queue.js';

/** "canonical:CU" -> rows of taxonomy, label and count, in the taxonomy's order of appearance then by count. */
export function labelRows(perLabel: Record<string, number>): { taxonomy: string; label: string; count: number }[] {
  return Object.entries(perLabel)
    .map(([key, count]) => {
      const at = key.indexOf(':');
      return { taxonomy: key.slice(0, at), label: key.slice(at + 1), count };
    })
    .sort((a, b) => a.taxonomy.localeCompare(b.taxonomy) || b.count - a.count || a.label.localeCompare(b.label));
}

/**
 * "canonical (18 frames of 3 shots): 72.0% → 81.5%" per taxonomy (each fold
 * held out whole shots), or the server's reason there is no after.
 */
export function fitSummary(report: HeadReport): string {
  return report.sets
    .map((s) => {
      const of = s.shots ? `${s.count} frames of ${s.shots} shot${s.shots === 1 ? '' : 's'}` : String(s.count);
      const after = s.after ? `${s.after.exact.toFixed(1)}%` : `no figure: ${s.why ?? 'too few per label to cross-validate'}`;
      return `${s.taxonomy} (${of}): ${s.before.exact.toFixed(1)}% → ${after}`;
    })
    .join(' · ');
}

/**
 * Where a head version (null: the configured head) is in use: "every camera",
 * "every camera but cam-3" (a camera with a head of its own keeps it when
 * one is applied to every camera), "cam-1, cam-2", or "". `name` turns a
 * camera id into what the page calls it.
 */
export function whereApplied(applied: Record<string, number | null>, headId: number | null, name: (cameraId: string) => string = (id) => id): string {
  const own = Object.entries(applied).filter(([scope]) => scope !== '*');
  if (headForAll(applied) === headId) {
    const others = own.filter(([, id]) => id !== headId).map(([scope]) => name(scope));
    return others.length ? `every camera but ${others.join(', ')}` : 'every camera';
  }
  return own.filter(([, id]) => id === headId).map(([scope]) => name(scope)).join(', ');
}

/**
 * The cameras with a head of their own (applied to them alone, or rolled
 * back on their own: null, the configured head): applying a head to every
 * camera leaves them as they are, so the page lists them.
 */
export function ownHeads(applied: Record<string, number | null>): { camera: string; head: number | null }[] {
  return Object.entries(applied)
    .filter(([scope]) => scope !== '*')
    .map(([camera, head]) => ({ camera, head }))
    .sort((a, b) => a.camera.localeCompare(b.camera));
}

/**
 * Why a fit cannot start yet (the server would refuse it, by the same rule
 * and in the same words: classes counted on the canonical scale, so CU in
 * two taxonomies is one), or null.
 */
export function fitBlocker(state: Pick<CalibrationState, 'samples' | 'perLabel'>): string | null {
  return fitBlockedBy(state.samples, state.perLabel);
}

/**
 * The counts as they will be once the deletions waiting for their Undo to
 * run out are done: the heading, the per-label table, the per-camera line
 * and whether a fit is offered all agree with the list shown (which no
 * longer has them).
 */
export function withoutDeleting<T extends Pick<CalibrationState, 'samples' | 'perLabel' | 'perCamera'>>(state: T, deleting: readonly Pick<SampleItem, 'cameraId' | 'taxonomy' | 'label'>[]): T {
  if (!deleting.length) return state;
  const perLabel = { ...state.perLabel };
  const perCamera = { ...state.perCamera };
  const less = (counts: Record<string, number>, key: string) => {
    const left = (counts[key] ?? 0) - 1;
    if (left > 0) counts[key] = left;
    else delete counts[key];
  };
  for (const sample of deleting) {
    less(perLabel, `${sample.taxonomy}:${sample.label}`);
    less(perCamera, sample.cameraId);
  }
  return { ...state, samples: Math.max(0, state.samples - deleting.length), perLabel, perCamera };
}

/**
 * The "label these" list as the page shows it: frames already on screen keep
 * their places (an operator aiming at one frame must not have another slide
 * under the pointer when the list is read again), those gone leave, new ones
 * come at the end.
 */
export function mergeQueue<T extends { id: number }>(shown: readonly T[], fresh: readonly T[]): T[] {
  const byId = new Map(fresh.map((item) => [item.id, item]));
  const kept = shown.filter((item) => byId.has(item.id)).map((item) => byId.get(item.id)!);
  const onScreen = new Set(kept.map((item) => item.id));
  return [...kept, ...fresh.filter((item) => !onScreen.has(item.id))];
}

/** The head every camera uses now: a version id, or null for the configured head. */
export function headForAll(applied: Record<string, number | null>): number | null {
  return applied['*'] ?? null;
}

/**
 * The head `target` ('*' or a camera id) uses now: its own where it has one,
 * else every camera's; null: the configured head, where a roll back would
 * change nothing.
 */
export function headInUse(applied: Record<string, number | null>, target: string): number | null {
  if (target !== '*' && Object.hasOwn(applied, target)) return applied[target] ?? null;
  return headForAll(applied);
}

/**
 * What a roll back of `target` ('*' or a camera id) to the configured head
 * changes: whether anything is on a fitted head now, and, for every camera,
 * the cameras on a head of their own that it takes back too (a roll back of
 * '*' alone left them on it, while the button then said every camera used
 * the configured head).
 */
export function rollbackPlan(applied: Record<string, number | null>, target: string): { needed: boolean; ownVersions: { camera: string; head: number }[] } {
  if (target !== '*') return { needed: headInUse(applied, target) !== null, ownVersions: [] };
  const ownVersions = ownHeads(applied).flatMap((o) => (o.head === null ? [] : [{ camera: o.camera, head: o.head }]));
  return { needed: headForAll(applied) !== null || ownVersions.length > 0, ownVersions };
}

/**
 * How a label is corrected, for the page's help: a tile's ✎ on the Wall, or
 * the camera's large view; Shift + the class's number only where there is a
 * keyboard (a phone was told to press a Shift it has not got, and not of ✎).
 */
export function correctionHelp(keyboard: boolean): string {
  return `Correct a label with ✎ on a camera's tile in the Wall, or in its large view (“This frame is …”${keyboard ? ', or Shift + its number' : ''})`;
}

/**
 * Whether applying head `headId` to `target` ('*' or a camera id) would
 * change nothing: every camera's head is it already, or the camera's own is.
 * Its Apply offered a change there was none to make ("in use on every
 * camera", and Apply still active). A camera that follows every camera's
 * head is changed by it (it then keeps the head as its own), so is offered it.
 */
export function appliedAlready(applied: Record<string, number | null>, target: string, headId: number): boolean {
  if (target === '*') return headForAll(applied) === headId;
  return Object.hasOwn(applied, target) && applied[target] === headId;
}

/** A camera of the page: its id and what the page calls it. */
export interface CameraRef {
  id: string;
  name: string;
}

/**
 * What a sample's camera id is called: its name where the camera is
 * configured; an id of samples imported from a folder (import:NAME) as it
 * is; any other id is of a camera no longer configured (the config changed
 * since: "cam-3" alone read as if it were one of those on the wall), and
 * says so. `cameras` null: the list is not heard yet (the page just opened,
 * or reconnecting), and every id is said as it is, none "not configured".
 */
export function sampleCameraName(cameraId: string, cameras: readonly CameraRef[] | null): string {
  if (cameras === null) return cameraId;
  const camera = cameras.find((c) => c.id === cameraId);
  if (camera) return camera.name;
  return cameraId.startsWith('import:') ? cameraId : `${cameraId} (not configured)`;
}

/** The samples per camera as the page lists them: the cameras configured first, in their order, then the others by id. */
export function perCameraRows(perCamera: Record<string, number>, cameras: readonly CameraRef[] | null): { id: string; name: string; count: number }[] {
  const order = (id: string) => {
    const at = cameras?.findIndex((c) => c.id === id) ?? -1;
    return at < 0 ? (cameras?.length ?? 0) : at;
  };
  return Object.entries(perCamera)
    .sort(([a], [b]) => order(a) - order(b) || a.localeCompare(b))
    .map(([id, count]) => ({ id, name: sampleCameraName(id, cameras), count }));
}
