/**
 * The shapes of what clients send, shared by HTTP routes and Socket.IO events
 * so that both refuse the same things with the same words: types, sizes and
 * lengths, never coerced ("abc" is not a list of cameras, {} is not a scene).
 */
import { z } from 'zod';
import type { CameraPatch } from '../app/camera-manager.js';
import { cameraIdSchema } from '../config/camera-id.js';
import { MAX_NAME_LENGTH, MAX_SLATE_NUMBER, nameText, noteText } from '../config/name-text.js';
import { MAX_NOTE_LENGTH, MAX_TAGS, SLATE_NUMBER_NOT_NEGATIVE, SLATE_NUMBER_WHOLE, takeNumberProblems } from '../shared/input-limits.js';
import { describeIssue, formatKeyPath } from '../config/zod-issues.js';
import { ShotscaleError } from '../errors.js';
import { CANONICAL_SCALES } from '../shared/scale.js';
import { SHOT_FRAMINGS, TAKE_MARKS, type TakeMark } from '../shared/shots.js';
import type { TakeRequest } from '../shots/shot-log.js';
import type { ShotPatch } from '../store/shot-store.js';

/** More cameras than any wall shows; a longer list is not a mistake but an attack. */
export const MAX_CAMERAS_IN_REQUEST = 256;
export { MAX_NAME_LENGTH, MAX_NOTE_LENGTH, MAX_TAGS };

/**
 * A scene or take name: text or a whole number (a slate says "12"), trimmed,
 * at most MAX_NAME_LENGTH, no control characters. A number past
 * MAX_SLATE_NUMBER or with a fraction is refused rather than rounded into a
 * take that already exists (9007199254740993 reads as ...992). The fraction
 * is a refinement, not zod's int(): a failed int() is a type error, which the
 * union turned into its own 'a name or a number' for 1.5.
 */
const slateName = z
  .union(
    [
      z.string(),
      z
        .number()
        .refine(Number.isInteger, SLATE_NUMBER_WHOLE)
        .min(0, SLATE_NUMBER_NOT_NEGATIVE)
        .max(MAX_SLATE_NUMBER, `at most ${MAX_SLATE_NUMBER}, or text`),
    ],
    { error: 'a name or a number, e.g. "12"' },
  )
  .transform((v) => String(v).trim())
  .pipe(nameText());

/**
 * A take: a name as above, and a take written as a number is held to the
 * number's rule with the same words ("-1" and "1.5" were slated as takes
 * while -1 and 1.5 were refused). Text that does not read as a number
 * ("12A", "9007199254740993" is a whole number) is a name as sent.
 */
const takeName = slateName.superRefine((text, context) => {
  for (const message of takeNumberProblems(text)) context.addIssue({ code: 'custom', message });
});

const cameraList = z.array(cameraIdSchema).max(MAX_CAMERAS_IN_REQUEST, `at most ${MAX_CAMERAS_IN_REQUEST} cameras`);

/** subscribe / preview:subscribe: some cameras, or null for all. */
export const cameraSelectionSchema = cameraList.nullable();

/** The cameras a take is slated or ended on: some (never none: [] would read as every camera), or null for all. */
const takeCameras = cameraList.min(1, 'at least one camera, or null for every camera').nullable().optional();

export const takeStartSchema = z.strictObject({
  scene: slateName,
  take: takeName.nullable().optional(),
  cameras: takeCameras,
  /** Slate a take number the scene has used before, on purpose. */
  again: z.boolean().optional(),
});

export const takeEndSchema = z.strictObject({ cameras: takeCameras }).nullable().optional();

const shotPatchSchema = z.strictObject({
  scale: z.enum(CANONICAL_SCALES).optional(),
  framing: z.enum(SHOT_FRAMINGS).nullable().optional(),
  tags: z
    .array(z.string().trim().pipe(nameText()))
    .max(MAX_TAGS, `at most ${MAX_TAGS} tags`)
    .transform((tags) => [...new Set(tags.filter(Boolean))])
    .optional(),
  note: noteText(MAX_NOTE_LENGTH).nullable().optional(),
  scene: slateName.nullable().optional(),
  take: takeName.nullable().optional(),
});

/** Validates `value`, or throws BAD_REQUEST naming each wrong field. */
/** A value echoed in an error, short enough for a log line whatever was sent. */
export function shown(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
}

/**
 * A request's `scope` (the cluster's record, or this node's own): undefined
 * where not given; anything else is refused, so that a scope misspelt
 * ("NODE") never quietly answers for the whole cluster.
 */
export function parseScope(scope: string | undefined): 'cluster' | 'node' | undefined {
  if (scope !== undefined && scope !== 'cluster' && scope !== 'node') throw new ShotscaleError('BAD_REQUEST', `scope: ${shown(scope)} is not cluster or node`);
  return scope;
}

/** Past this a page is not a page; SQLite would also refuse numbers past 2^63. */
const MAX_COUNT = 1_000_000_000;

/** A count in a query (limit, offset): absent or empty is undefined; anything but a whole number from 0 to a billion is BAD_REQUEST. */
export function parseCount(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = /^\d{1,10}$/.test(value) ? Number(value) : NaN;
  if (!(n <= MAX_COUNT)) throw new ShotscaleError('BAD_REQUEST', `${name}: ${shown(value)} is not a whole number from 0 to ${MAX_COUNT}`);
  return n;
}

/** A record's id in a path (a shot, a sample): a positive whole number SQLite can hold, else BAD_REQUEST. */
export function parseRecordId(value: string, what: string): number {
  const id = /^\d{1,15}$/.test(value) ? Number(value) : NaN;
  if (!(id > 0)) throw new ShotscaleError('BAD_REQUEST', `${shown(value)} is not a ${what} id`);
  return id;
}

export function parseRequest<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.slice(0, 5).map((issue) => `${issue.path.length ? `${formatKeyPath(issue.path)}: ` : ''}${describeIssue(issue)}`);
  // Capped: a body of ten thousand unknown keys gets a short answer.
  throw new ShotscaleError('BAD_REQUEST', `${what}: ${issues.join('; ')}`.slice(0, 600));
}

/** A validated take:start / POST /api/takes as the shot log takes it. */
export function takeRequest(given: z.output<typeof takeStartSchema>): TakeRequest {
  return { scene: given.scene, ...(given.take ? { take: given.take } : {}), cameras: given.cameras ?? null, ...(given.again ? { again: true } : {}) };
}

/** PATCH /api/shots/:id: empty texts clear the field. */
export function parseShotPatch(body: unknown): ShotPatch {
  const given = parseRequest(shotPatchSchema, body, 'shot edit { scale?, framing?, tags?, note?, scene?, take? }');
  const patch: ShotPatch = {};
  if (given.tags !== undefined) patch.tags = given.tags;
  if (given.scale !== undefined) patch.scale = given.scale;
  if (given.framing !== undefined) patch.framing = given.framing;
  for (const key of ['note', 'scene', 'take'] as const) {
    const value = given[key];
    if (value !== undefined) patch[key] = value === null || value.trim() === '' ? null : value;
  }
  return patch;
}

// Any case: the exports and the dashboard write "NG" and "Circled", so a script supervisor types them so too; stored lower case.
const takeMarkSchema = z.strictObject({ mark: z.string().transform((mark) => mark.toLowerCase()).pipe(z.enum(TAKE_MARKS)).nullable() });

/** PATCH /api/takes/:id: { mark: "circled" | "ng" | null } in any case (null clears it), answered in lower case. */
export function parseTakeMark(body: unknown): TakeMark | null {
  return parseRequest(takeMarkSchema, body, 'take mark { mark: "circled", "ng" or null }').mark;
}

/** PATCH /api/cameras/:id: an object of camera fields (the camera schema checks them once merged). */
export function parseCameraPatch(body: unknown): CameraPatch {
  return parseRequest(z.record(z.string(), z.unknown()), body, 'camera edit (a JSON object of camera fields)') as CameraPatch;
}
