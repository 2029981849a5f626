/**
 * What the Calibration view shows, from GET /api/calibration: the samples
 * per label, the head versions with what each scored before and after, and
 * where each applies. Pure (no DOM, no Svelte): unit-tested under node.
 */

export interface FitFigures {
  exact: number;
  withinOne: number;
}

export interface HeadReport {
  base: string | null;
  sets: { taxonomy: string; count: number; before: FitFigures; after: FitFigures | null }[];
  fitS: number;
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
  fit: { state: 'idle' | 'fitting' | 'done' | 'failed'; startedAt: number | null; finishedAt: number | null; headId: number | null; error: string | null };
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

/** "72.0% -> 81.5%" per taxonomy, or why there is no after. */
export function fitSummary(report: HeadReport): string {
  return report.sets
    .map((s) => `${s.taxonomy} (${s.count}): ${s.before.exact.toFixed(1)}% → ${s.after ? `${s.after.exact.toFixed(1)}%` : 'too few per label to cross-validate'}`)
    .join(' · ');
}

/** Where a head version is in use: "every camera", "cam-1, cam-2", or "". */
export function whereApplied(applied: Record<string, number | null>, headId: number | null): string {
  const scopes = Object.entries(applied).filter(([, id]) => id === headId).map(([scope]) => scope);
  const cameras = scopes.filter((s) => s !== '*');
  return [...(scopes.includes('*') ? ['every camera'] : []), ...cameras].join(', ');
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
