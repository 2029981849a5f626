/**
 * Coverage plans: what a script supervisor wants shot for a scene ("a master
 * WS or wider, a mid, singles of Anna and Ben"), written by hand in YAML or
 * sent as JSON, then checked against the shots of a scene or take. The input
 * syntax is forgiving ("WS+", "MCU..CU", lower case); the output is the strict
 * CoveragePlanItem every other module reads.
 */
import { z } from 'zod';
import { hasControlCharacter, MAX_LABEL_LENGTH, MAX_MIN_DURATION_S, MAX_NAME_LENGTH, MAX_PLAN_ITEMS, NO_CONTROL_CHARACTERS, slateText } from '../shared/input-limits.js';
import { describeIssue, formatKeyPath } from '../config/zod-issues.js';
import { ShotscaleError } from '../errors.js';
import { DEFAULT_MIN_DURATION_S, defaultItemLabel, describeScaleRange, parseScaleSpec, scaleIndex, SCALE_FORMS, type ScaleRange, type ScaleSpec } from '../shared/scale-range.js';
import { CANONICAL_SCALES } from '../shared/scale.js';

export { DEFAULT_MIN_DURATION_S, defaultItemLabel, describeScaleRange, parseScaleSpec, SCALE_FORMS, type ScaleRange, type ScaleSpec };
import { scaleSetByOperator, shotFraming, SHOT_FRAMINGS, type CoveragePlan, type CoveragePlanItem, type CoverageStats, type PlanItemStatus, type SceneCoverage, type ShotRecord } from '../shared/shots.js';
import { computeCoverage, coverageByCamera } from './coverage-stats.js';
import { countsForCoverage, takeMarkNotes } from './take-marks.js';

const FRAMINGS = SHOT_FRAMINGS;

const planItemInputSchema = z.strictObject({
  id: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'letters, digits, ".", "-" and "_", at most 64, starting with a letter or digit')
    .describe('Stable id within the plan, e.g. "master"'),
  label: z.string().transform(slateText).pipe(z.string().min(1)).optional().describe('What the script supervisor calls it; default: the scale in words, e.g. "WS or wider"'),
  // Checked in the transform below, so that every scale error names its item.
  scale: z.custom<ScaleSpec>((value) => value !== undefined, `the scale is missing; use ${SCALE_FORMS}`).describe(`Scales that count: ${SCALE_FORMS}`),
  framing: z.enum(FRAMINGS).optional().describe('Only shots with this many subjects count'),
  tag: z.string().transform(slateText).pipe(z.string().min(1)).optional().describe('Only shots tagged with this (e.g. a character name, any case) count'),
  count: z.number().int().min(1).default(1).describe('Shots needed'),
  minDurationS: z.number().min(0).default(DEFAULT_MIN_DURATION_S).describe(`Shots shorter than this (seconds) do not count; default ${DEFAULT_MIN_DURATION_S}`),
});

const planItemSchema = planItemInputSchema.transform((item, ctx): CoveragePlanItem => {
  const range = parseScaleSpec(item.scale);
  if ('error' in range) {
    ctx.addIssue({ code: 'custom', path: ['scale'], message: `item "${item.id}": ${range.error}; use ${SCALE_FORMS}` });
    return z.NEVER;
  }
  const rest = { ...range, count: item.count, minDurationS: item.minDurationS };
  const normalised: Omit<CoveragePlanItem, 'label' | 'id'> = {
    ...rest,
    ...(item.framing ? { framing: item.framing } : {}),
    ...(item.tag ? { tag: item.tag } : {}),
  };
  return { id: item.id, label: item.label ?? defaultItemLabel(normalised), ...normalised };
});

/** A plan as stored: what the rules below refuse may be in a plan stored before them, and is still read. */
const storedPlanSchema = z
  .strictObject({
    // YAML reads `scene: 12` as a number; a scene is a name, so take both.
    scene: z
      .union([z.string().transform(slateText).pipe(z.string().min(1, 'the scene name is empty')), z.number()], { error: 'a scene name or number, e.g. "12"' })
      // NFC, as takes store it: a plan for "Ku\u0308che 4" is the plan of the scene "Küche 4".
      .transform(String)
      .describe('Scene name or number as on the slate, e.g. "12" or "12A"'),
    items: z.array(planItemSchema).min(1, 'a plan needs at least one item').describe('Framings the scene needs'),
  })
  .superRefine((plan, ctx) => {
    const seen = new Set<string>();
    plan.items.forEach((item, index) => {
      // An item whose own checks failed has no value here; its error is already reported.
      if (!item) return;
      if (seen.has(item.id)) ctx.addIssue({ code: 'custom', path: ['items', index, 'id'], message: `duplicate item id "${item.id}"` });
      seen.add(item.id);
    });
  });

/** Bounds on what a plan may ask for (server/shared/input-limits.ts, which the plan editor reads too). */
export { MAX_LABEL_LENGTH, MAX_PLAN_ITEMS };
/** Stored plans (scenes): a feature has 100-200 scenes, a series block more. */
export const MAX_STORED_PLANS = 500;

/** A new scene's plan when MAX_STORED_PLANS are stored already: refused (a plan replaced or removed is not new). */
export function refuseBeyondPlanLimit(storedCount: number): void {
  if (storedCount >= MAX_STORED_PLANS) throw new ShotscaleError('PLAN_INVALID', `at most ${MAX_STORED_PLANS} coverage plans are stored; remove plans of scenes that are done (DELETE /api/plans/SCENE) before adding another`);
}

/**
 * A plan as the config and PUT /api/plans give it: its scene a name like a
 * take's (at most 64 characters, README), so that a take can be slated for
 * it, and no control characters in what it names (they break the exports
 * and forge log lines).
 */
export const coveragePlanSchema = storedPlanSchema.superRefine((plan, ctx) => {
  if (plan.scene.length > MAX_NAME_LENGTH) ctx.addIssue({ code: 'custom', path: ['scene'], message: `at most ${MAX_NAME_LENGTH} characters` });
  if (plan.items.length > MAX_PLAN_ITEMS) ctx.addIssue({ code: 'custom', path: ['items'], message: `at most ${MAX_PLAN_ITEMS} items (${plan.items.length} given)` });
  if (hasControlCharacter(plan.scene)) ctx.addIssue({ code: 'custom', path: ['scene'], message: NO_CONTROL_CHARACTERS });
  plan.items.forEach((item, index) => {
    if (!item) return;
    if (item.tag !== undefined && item.tag.length > MAX_NAME_LENGTH) ctx.addIssue({ code: 'custom', path: ['items', index, 'tag'], message: `at most ${MAX_NAME_LENGTH} characters` });
    const badTag = item.tag !== undefined && hasControlCharacter(item.tag);
    if (badTag) ctx.addIssue({ code: 'custom', path: ['items', index, 'tag'], message: NO_CONTROL_CHARACTERS });
    // A label not given is made from the tag: its fault is the tag's, said once.
    else if (typeof item.label === 'string' && hasControlCharacter(item.label)) ctx.addIssue({ code: 'custom', path: ['items', index, 'label'], message: NO_CONTROL_CHARACTERS });
    if (item.minDurationS > MAX_MIN_DURATION_S) ctx.addIssue({ code: 'custom', path: ['items', index, 'minDurationS'], message: `item "${item.id}": at most ${MAX_MIN_DURATION_S} s (a day), ${item.minDurationS} given` });
    if (typeof item.label === 'string' && item.label.length > MAX_LABEL_LENGTH) ctx.addIssue({ code: 'custom', path: ['items', index, 'label'], message: `at most ${MAX_LABEL_LENGTH} characters` });
  });
});

export type CoveragePlanInput = z.input<typeof coveragePlanSchema>;

/** Validates a plan from HTTP or a file; the error lists every problem with its path. */
export function parseCoveragePlan(input: unknown): CoveragePlan {
  return planOrError(coveragePlanSchema.safeParse(input));
}

/** A plan read back from the shot log (or the cluster's store): checked when it was stored, so read under the rules of then. */
export function readStoredPlan(stored: unknown): CoveragePlan {
  return planOrError(storedPlanSchema.safeParse(stored));
}

function planOrError(result: ReturnType<typeof storedPlanSchema.safeParse>): CoveragePlan {
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => `${formatKeyPath(issue.path)}: ${describeIssue(issue)}`);
  throw new ShotscaleError('PLAN_INVALID', `invalid coverage plan: ${lines.join('; ')}`, {
    hint: `an item looks like { id: "master", scale: "WS+" }; scale is ${SCALE_FORMS}`,
  });
}

/**
 * A shot's scale counts for an item that asks for a scale when a frame of it
 * was read (or an operator set it). A shot with no picture from cut to cut (black, a capped
 * lens), or one shorter than the analysis interval, carries the previous
 * shot's scale over: 30 s of black after a master is no second master.
 */
function scaleWasRead(shot: ShotRecord): boolean {
  return shot.readouts > 0 || scaleSetByOperator(shot);
}

/** Rounding noise of a duration computed from milliseconds must not fail an exact minimum. */
const DURATION_EPSILON_S = 1e-6;

export function shotMatchesItem(shot: ShotRecord, item: CoveragePlanItem): boolean {
  // An NG take's shots are not to be cut in: they cover nothing, whatever they show.
  if (!countsForCoverage(shot)) return false;
  const index = scaleIndex(shot.scale);
  if (index < scaleIndex(item.tightest) || index > scaleIndex(item.widest)) return false;
  const anyScale = scaleIndex(item.tightest) === 0 && scaleIndex(item.widest) === CANONICAL_SCALES.length - 1;
  if (!anyScale && !scaleWasRead(shot)) return false;
  if (shot.durationS + DURATION_EPSILON_S < item.minDurationS) return false;
  // The operator's framing where set: they saw two people where the detector read none.
  if (item.framing && shotFraming(shot) !== item.framing) return false;
  if (item.tag) {
    // NFC on both sides: a tag stored before tags were normalised still meets its item.
    const wanted = slateText(item.tag).toLowerCase();
    if (!shot.tags.some((tag) => slateText(tag).toLowerCase() === wanted)) return false;
  }
  return true;
}

/**
 * Checks each item against the shots given (the caller picks the scene's or
 * take's shots, closed ones and the open one if it wants). One shot may count
 * for several items: a close single of Anna is both "singles" and "CU Anna".
 */
export function evaluatePlan(plan: CoveragePlan, shots: readonly ShotRecord[]): PlanItemStatus[] {
  const ordered = [...shots].sort((a, b) => a.inTime - b.inTime);
  return plan.items.map((item) => {
    const shotIds = ordered.filter((shot) => shotMatchesItem(shot, item)).map((shot) => shot.id);
    return { id: item.id, label: item.label, met: shotIds.length >= item.count, shotIds, needed: item.count };
  });
}

export function missingItems(statuses: readonly PlanItemStatus[]): PlanItemStatus[] {
  return statuses.filter((status) => !status.met);
}

/**
 * Coverage of one scene (take null) or take: stats over the shots given, per
 * camera, and the plan's status. `missing` holds the ids of unmet items.
 * Shots of an NG take are left out of all of it; `marks` says which takes
 * are marked, so that a view can say why a take's shots are not counted.
 */
export function sceneCoverage(scene: string, take: string | null, shots: readonly ShotRecord[], plan: CoveragePlan | null): SceneCoverage {
  const counted = shots.filter(countsForCoverage);
  const planStatus = plan ? evaluatePlan(plan, counted) : null;
  const marks = takeMarkNotes(shots);
  return {
    scene,
    take,
    stats: computeCoverage(counted),
    perCamera: coverageByCamera(counted),
    plan: planStatus,
    missing: planStatus ? missingItems(planStatus).map((status) => status.id) : [],
    ...(marks.length ? { marks } : {}),
  };
}

/** What GET /api/coverage answers: figures over the shots asked for, and the scene's (or take's) block when a scene is asked for. */
export interface CoverageReport {
  stats: CoverageStats;
  perCamera: Record<string, CoverageStats>;
  scene: SceneCoverage | null;
}

/**
 * The coverage report of `shots` (a single server's log or the cluster's).
 * An NG take's shots are left out of the top-level figures as out of the
 * scene's: one answer gave 71 shots at the top and 61 in its scene block.
 * The scene block's `marks` still says how many were left out, and why.
 */
export function coverageReport(query: { scene?: string; take?: string }, shots: readonly ShotRecord[], plan: CoveragePlan | null): CoverageReport {
  const counted = shots.filter(countsForCoverage);
  const scene = query.scene === undefined ? null : sceneCoverage(query.scene, query.take ?? null, shots, plan);
  return { stats: computeCoverage(counted), perCamera: coverageByCamera(counted), scene };
}
