/**
 * Pure helpers of the shot log and coverage views: query strings for the shot
 * filters and export links, the newest page of shots from an oldest-first API,
 * tag and note edits, and the coverage plan form (rows of text fields) to and
 * from the plan JSON the server takes, with messages in words. No DOM, no
 * Svelte: unit-tested under node (test/unit/web-shot-filters.test.ts).
 */
import { CANONICAL_SCALES, SCALE_NAMES, type CanonicalScale } from '../../../server/shared/scale.js';
import { shotWithoutPicture, type CoveragePlan, type ShotFraming, type ShotRecord } from '../../../server/shared/shots.js';
import { DEFAULT_MIN_DURATION_S, defaultItemLabel, describeScaleRange, parseScaleSpec as parseSharedScaleSpec, type ScaleRange } from '../../../server/shared/scale-range.js';
import { canonicalTake, hasControlCharacter, MAX_LABEL_LENGTH, MAX_MIN_DURATION_S, MAX_NAME_LENGTH, MAX_PLAN_ITEMS, slateKey } from '../../../server/shared/input-limits.js';

export { DEFAULT_MIN_DURATION_S, defaultItemLabel, describeScaleRange, type ScaleRange };

// ---- shot filters and exports ----

/** The shot log's filters as typed: empty means "any". */
export interface ShotFilterForm {
  /** One camera id, or '' for every camera. */
  camera: string;
  scene: string;
  take: string;
  /** One canonical scale, 'none' (shots without a picture), or '' for every scale. */
  scale: string;
}

export const EMPTY_FILTERS: Readonly<ShotFilterForm> = { camera: '', scene: '', take: '', scale: '' };

/** The scale filter's choices after "any": each scale, then shots without a picture (GET /api/shots?scale=none). */
export const SCALE_FILTER_OPTIONS: readonly { value: CanonicalScale | 'none'; label: string }[] = [
  ...CANONICAL_SCALES.map((scale) => ({ value: scale, label: `${scale} · ${SCALE_NAMES[scale]}` })),
  { value: 'none', label: 'No picture' },
];

/** Whether any filter is set (scene and take as typed: blank is none). */
export function anyFilter(filters: Partial<ShotFilterForm>): boolean {
  return Boolean(filters.camera || filters.scene?.trim() || filters.take?.trim() || filters.scale);
}

/** Shots the log view reads at a time: the newest at first, then as many older ones per "Show older" (shot-pages.ts). */
export const SHOT_PAGE_LIMIT = 500;

/** Export formats of GET /api/shots?format=, in the order of the buttons. */
export const EXPORT_FORMATS = [
  { format: 'csv', label: 'CSV', title: 'spreadsheet, a row per shot' },
  { format: 'json', label: 'JSON', title: 'every field of every shot' },
  { format: 'edl', label: 'EDL', title: 'CMX3600 edit decision list, an event per shot' },
  { format: 'ale', label: 'ALE', title: 'Avid Log Exchange' },
  { format: 'otio', label: 'OTIO', title: 'OpenTimelineIO, a track per camera' },
  { format: 'markers', label: 'Markers', title: 'marker EDL for DaVinci Resolve and Premiere' },
  { format: 'fcpxml', label: 'FCPXML', title: 'Final Cut Pro: a clip per shot, scale and subjects as keywords' },
] as const;

export type ExportFormat = (typeof EXPORT_FORMATS)[number]['format'];

/** The filters as query parameters, trimmed, empty ones left out. */
export function filterParams(filters: Partial<ShotFilterForm>): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of ['camera', 'scene', 'take', 'scale'] as const) {
    const value = filters[key]?.trim();
    if (value) params.set(key, value);
  }
  return params;
}

/** What a shot filter reads of a shot: matchesFilters. */
export type FilteredShot = Pick<ShotRecord, 'cameraId' | 'scene' | 'take' | 'scale' | 'noPicture' | 'classifierScale'>;

/**
 * Whether GET /api/shots with these filters lists the shot: the camera's id,
 * the scene and take as the server compares them (shot-routes.ts: trimmed,
 * NFC, any case, take "01" is take 1), and its scale as exports write it (none for a
 * shot without a picture). For a shot heard live, which no read filtered.
 */
export function matchesFilters(shot: FilteredShot, filters: Partial<ShotFilterForm>): boolean {
  const params = filterParams(filters);
  const camera = params.get('camera');
  const scene = params.get('scene');
  const take = params.get('take');
  const scale = params.get('scale');
  if (camera !== null && shot.cameraId !== camera) return false;
  // One scene in any case (slateKey): the server lists "Kitchen" for scene=kitchen, as it spells the scene (slate-spelling.ts).
  if (scene !== null && (shot.scene === null || slateKey(shot.scene) !== slateKey(scene))) return false;
  // A take in any case within the scene asked for; asked for alone, as written (each scene keeps its own spelling).
  if (take !== null && (shot.take === null || (scene === null ? shot.take !== canonicalTake(take) : slateKey(shot.take) !== slateKey(canonicalTake(take))))) return false;
  return scale === null || (shotWithoutPicture(shot) ? scale === 'none' : shot.scale === scale);
}

/** `/api/shots?camera=cam-a&order=desc&limit=500`: a page of the shot list (newest first with order desc; `to`: shots that start before it, epoch ms). */
export function shotsPath(filters: Partial<ShotFilterForm>, page: { limit?: number; offset?: number; order?: 'asc' | 'desc'; to?: number } = {}): string {
  const params = filterParams(filters);
  if (page.order === 'desc') params.set('order', 'desc');
  if (page.to !== undefined) params.set('to', String(page.to));
  if (page.limit !== undefined) params.set('limit', String(page.limit));
  if (page.offset !== undefined && page.offset > 0) params.set('offset', String(page.offset));
  const query = params.toString();
  return query ? `/api/shots?${query}` : '/api/shots';
}

/** `/api/shots?scene=12&format=edl`: every shot matching the filters, as a download. */
export function exportPath(filters: Partial<ShotFilterForm>, format: ExportFormat): string {
  const params = filterParams(filters);
  params.set('format', format);
  return `/api/shots?${params.toString()}`;
}

/** `/api/shots/17/thumbnail`. */
export function thumbnailPath(shotId: number): string {
  return `/api/shots/${encodeURIComponent(String(shotId))}/thumbnail`;
}

/** `/api/alerts/doubling%3Acam-1%2Bcam-2/dismiss`. */
export function dismissPath(alertKey: string): string {
  return `/api/alerts/${encodeURIComponent(alertKey)}/dismiss`;
}

/** `/api/plans/12A`. */
export function planPath(scene: string): string {
  return `/api/plans/${encodeURIComponent(scene)}`;
}

export interface ShotPage {
  count: number;
  /** Shots matching the filters in all. */
  total: number;
  shots: ShotRecord[];
}

/*
 * The tags field is one line, tags apart with commas. A tag with a comma in it
 * ("Smith, John": README's ALE writes it `Smith; John`) is written in double
 * quotes, a quote inside doubled, as a spreadsheet's CSV has it:
 * `"Smith, John", Anna`. Splitting on every comma made an edit of the note
 * alone save `Smith, John` back as two tags, and a plan item tagged
 * "Smith, John" went back to missing.
 */

/** What the field's help says about the rule, in words. */
export const TAGS_HELP = 'a tag with a comma in it goes in quotes: "Smith, John"';

/** The tags as typed, in order: quoted ones whole, the rest split on commas, each trimmed, empty ones dropped. */
function splitTags(text: string): string[] {
  const tags: string[] = [];
  let i = 0;
  while (i <= text.length) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    let tag = '';
    if (text[i] === '"') {
      // Quoted: up to the quote that is not doubled; one never closed runs to the end of the line.
      i++;
      while (i < text.length) {
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            tag += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        tag += text[i++];
      }
    }
    // Unquoted (or what follows a closing quote before the next comma): as typed, a quote inside it too.
    const comma = text.indexOf(',', i);
    const end = comma === -1 ? text.length : comma;
    tag += text.slice(i, end);
    tags.push(tag.trim());
    i = end + 1;
  }
  return tags.filter(Boolean);
}

/**
 * The tags typed in the field: `"Smith, John", Anna, Ben, anna` -> ["Smith, John", "Anna", "Ben"].
 * A repeat is dropped, and so is a typed tag that differs from another only in
 * case; `kept` (the shot's tags) are never merged: a shot tagged "Anna" and
 * "anna" before the edit keeps both.
 */
export function parseTags(text: string, kept: readonly string[] = []): string[] {
  const typed = splitTags(text);
  const keptHere = new Set(typed.filter((tag) => kept.includes(tag)));
  const keptCase = new Set([...keptHere].map((tag) => tag.toLowerCase()));
  const seen = new Set<string>();
  const seenCase = new Set<string>();
  const tags: string[] = [];
  for (const tag of typed) {
    if (seen.has(tag)) continue;
    if (!keptHere.has(tag) && (seenCase.has(tag.toLowerCase()) || keptCase.has(tag.toLowerCase()))) continue;
    seen.add(tag);
    seenCase.add(tag.toLowerCase());
    tags.push(tag);
  }
  return tags;
}

/** One tag as the field writes it: in quotes (a quote inside doubled) where it holds a comma or starts with a quote. */
export function tagText(tag: string): string {
  return tag.includes(',') || tag.startsWith('"') ? `"${tag.replaceAll('"', '""')}"` : tag;
}

/** The field's text for these tags; parseTags reads it back as the same tags. */
export function tagsText(tags: readonly string[]): string {
  return tags.map(tagText).join(', ');
}

/** The scale an edit of this shot starts from: its own, or none ('') for a shot with no picture, whose scale is only carried over. */
export function editableScale(shot: Pick<ShotRecord, 'scale' | 'noPicture' | 'classifierScale'>): CanonicalScale | '' {
  return shotWithoutPicture(shot) ? '' : shot.scale;
}

type EditedShot = Pick<ShotRecord, 'tags' | 'note' | 'scale' | 'noPicture' | 'classifierScale' | 'operatorFraming'>;

export type ShotEditField = 'scale' | 'framing' | 'tags' | 'note';

/**
 * The fields of an edit that were edited: those whose input differs from what
 * the field opened with (`opened`, the shot then). Only these are sent, so a
 * field left alone never rewrites the shot, nor a change made to it elsewhere.
 */
export function editedFields(
  opened: EditedShot,
  tagsInput: string,
  noteInput: string,
  scaleInput: CanonicalScale | '' = editableScale(opened),
  framingInput: ShotFraming | '' = opened.operatorFraming ?? '',
): ShotEditField[] {
  const edited: ShotEditField[] = [];
  if (scaleInput !== editableScale(opened)) edited.push('scale');
  if (framingInput !== (opened.operatorFraming ?? '')) edited.push('framing');
  if (tagsInput !== tagsText(opened.tags)) edited.push('tags');
  if (noteInput !== (opened.note ?? '')) edited.push('note');
  return edited;
}

/**
 * What an open edit says of fields changed on another dashboard meanwhile
 * (`changed`), given the fields edited here: Save puts what was typed in place
 * of the edited ones and leaves the others as changed. Null for none.
 */
export function changedElsewhereText(changed: readonly ShotEditField[], edited: readonly ShotEditField[]): string | null {
  if (!changed.length) return null;
  const replaced = changed.filter((field) => edited.includes(field));
  const kept = changed.filter((field) => !edited.includes(field));
  const says = [
    ...(replaced.length ? [`puts what you typed in place of the ${replaced.join(' and ')}`] : []),
    ...(kept.length ? [`keeps the change to the ${kept.join(' and ')} (not edited here)`] : []),
  ];
  return `Changed elsewhere since you opened this edit (${changed.join(', ')}): Save ${says.join(', and ')}.`;
}

/** What an edit sends: only the fields it changes. */
export interface ShotEditPatch {
  scale?: CanonicalScale;
  framing?: ShotFraming | null;
  tags?: string[];
  note?: string | null;
}

/**
 * The PATCH body for an edited shot: the fields edited (against `opened`, the
 * shot when the edit opened) that differ from the shot now; null when none
 * does. `framingInput` '': the detector's framing.
 */
export function shotEdit(
  shot: EditedShot,
  tagsInput: string,
  noteInput: string,
  scaleInput: CanonicalScale | '' = editableScale(shot),
  framingInput: ShotFraming | '' = shot.operatorFraming ?? '',
  opened: EditedShot = shot,
): ShotEditPatch | null {
  const patch: ShotEditPatch = {};
  const edited = editedFields(opened, tagsInput, noteInput, scaleInput, framingInput);
  // An operator's framing counts for plan items over the detector's; back to '' hands it to the detector again.
  if (edited.includes('framing') && framingInput !== (shot.operatorFraming ?? '')) patch.framing = framingInput === '' ? null : framingInput;
  // An operator's scale: the shot's scale in the log and every export from now on, and a calibration sample.
  // On a shot with no picture any scale chosen is news, even the one it carried over.
  if (edited.includes('scale') && scaleInput !== '' && scaleInput !== editableScale(shot)) patch.scale = scaleInput;
  // Saving every tag again from the field's text split "Smith, John" in two and merged "Anna" and "anna" after an
  // edit of the note alone: tags go only when their field was edited, and the shot's own are read back as they are.
  if (edited.includes('tags')) {
    const tags = parseTags(tagsInput, [...opened.tags, ...shot.tags]);
    if (tags.join('\u0000') !== shot.tags.join('\u0000')) patch.tags = tags;
  }
  const note = noteInput.trim() === '' ? null : noteInput.trim();
  if (edited.includes('note') && note !== (shot.note ?? null)) patch.note = note;
  return Object.keys(patch).length ? patch : null;
}

/**
 * The shot an open edit counts from after one of its saves landed: the fields
 * that save sent as the server saved them, the rest as the edit opened (a
 * change made elsewhere to another field stays news).
 */
export function baseAfterSave<T extends EditedShot>(base: T, saved: EditedShot, patch: ShotEditPatch): T {
  return {
    ...base,
    ...('scale' in patch ? { scale: saved.scale } : {}),
    ...('framing' in patch ? { operatorFraming: saved.operatorFraming } : {}),
    ...('tags' in patch ? { tags: saved.tags } : {}),
    ...('note' in patch ? { note: saved.note } : {}),
  };
}

/**
 * The order of each shot's saves. A save that timed out may answer after a
 * later save of the same shot, though the server handled it first: note "a"
 * timed out, "b" was saved, and "a"'s reply, coming last, put the row and the
 * open edit back to "a" while the server held "b". An answer counts only
 * while no later save of its shot has answered.
 */
export class SaveOrder {
  private readonly sent = new Map<number, number>();
  private readonly answered = new Map<number, number>();

  /** Numbers a save of shot `id` as it is sent. */
  send(id: number): number {
    const save = (this.sent.get(id) ?? 0) + 1;
    this.sent.set(id, save);
    return save;
  }

  /** Whether the answer to save `save` of shot `id` is the shot as saved (false: a later save has answered); counts it answered. */
  answer(id: number, save: number): boolean {
    if ((this.answered.get(id) ?? 0) > save) return false;
    this.answered.set(id, save);
    return true;
  }
}

// ---- coverage plan form ----

export const FRAMINGS = ['single', 'two-shot', 'group'] as const;
export type Framing = (typeof FRAMINGS)[number];

/** One item of a plan as typed in the editor: every field text, empty means "not set". */
export interface PlanRow {
  id: string;
  label: string;
  scale: string;
  /** '' or one of FRAMINGS. */
  framing: string;
  tag: string;
  count: string;
  minDurationS: string;
}

/** An item as PUT /api/plans/:scene takes it. */
export interface PlanItemBody {
  id: string;
  label?: string;
  scale: string;
  framing?: Framing;
  tag?: string;
  count?: number;
  minDurationS?: number;
}

export const SCALE_SPEC_HELP = `one scale (${CANONICAL_SCALES.join(', ')}), "WS+" (WS or wider), "CU-" (CU or tighter) or a range "MCU..CU"`;

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/*
 * The server's bounds on a plan (server/shared/input-limits.ts) are checked
 * here so that each is said at its field and item as the editor numbers them:
 * the server's answer names items from 0 ("items[1].tag") and marks no field.
 */
const NO_CONTROL = 'no control characters or invisible ones (tab, newline, direction overrides, zero-width spaces...)';

/** Why a scene name typed to plan cannot be one (null: it can): the server would refuse its plan only at the save. */
export function sceneNameProblem(scene: string): string | null {
  const name = scene.trim();
  if (name.length > MAX_NAME_LENGTH) return `a scene name has at most ${MAX_NAME_LENGTH} characters (this one has ${name.length})`;
  if (hasControlCharacter(name)) return `a scene name has ${NO_CONTROL}`;
  return null;
}

/** Reads a scale spec as the server does ("WS+", "cu-", "MCU..CU", "MS"); null when it is not one. */
export function parseScaleSpec(spec: string): ScaleRange | null {
  if (!spec.trim()) return null;
  const range = parseSharedScaleSpec(spec);
  return 'error' in range ? null : range;
}

const TIGHTEST = CANONICAL_SCALES[0];
const WIDEST = CANONICAL_SCALES[CANONICAL_SCALES.length - 1];

/** The shortest spec of a range: "MS", "WS+", "CU-", "MCU..MS", "ECU..EWS" (any). */
export function scaleSpecOf({ tightest, widest }: ScaleRange): string {
  if (tightest === widest) return tightest;
  if (tightest === TIGHTEST && widest === WIDEST) return `${TIGHTEST}..${WIDEST}`;
  if (widest === WIDEST) return `${tightest}+`;
  if (tightest === TIGHTEST) return `${widest}-`;
  return `${tightest}..${widest}`;
}

/** The label a row would get if left empty, or '' while its scale is not readable. */
export function rowDefaultLabel(row: PlanRow): string {
  const range = parseScaleSpec(row.scale);
  if (!range) return '';
  const count = Number(row.count.trim() || '1');
  const minDurationS = Number(row.minDurationS.trim() || String(DEFAULT_MIN_DURATION_S));
  const framing = (FRAMINGS as readonly string[]).includes(row.framing) ? (row.framing as Framing) : undefined;
  return defaultItemLabel({
    ...range,
    count: Number.isInteger(count) && count >= 1 ? count : 1,
    minDurationS: Number.isFinite(minDurationS) && minDurationS >= 0 ? minDurationS : DEFAULT_MIN_DURATION_S,
    ...(framing ? { framing } : {}),
    ...(row.tag.trim() ? { tag: row.tag.trim() } : {}),
  });
}

export function emptyRow(id = ''): PlanRow {
  return { id, label: '', scale: '', framing: '', tag: '', count: '', minDurationS: '' };
}

/** An id not yet used by the rows: item-1, item-2, ... */
export function nextRowId(rows: readonly PlanRow[]): string {
  const used = new Set(rows.map((row) => row.id.trim()));
  let n = rows.length + 1;
  while (used.has(`item-${n}`)) n++;
  return `item-${n}`;
}

/** The rows of a stored plan. A label the server made up is left empty, so it follows later edits. */
export function planToRows(plan: CoveragePlan): PlanRow[] {
  return plan.items.map((item) => ({
    id: item.id,
    label: item.label === defaultItemLabel(item) ? '' : item.label,
    scale: scaleSpecOf(item),
    framing: item.framing ?? '',
    tag: item.tag ?? '',
    count: item.count === 1 ? '' : String(item.count),
    // Empty is the default; a plan's own 0 (any length) stays written, or a save would turn it into the default.
    minDurationS: item.minDurationS === DEFAULT_MIN_DURATION_S ? '' : String(item.minDurationS),
  }));
}

export interface RowProblem {
  /** Index of the row, or -1 for the plan as a whole. */
  row: number;
  field: keyof PlanRow | null;
  message: string;
}

export type PlanFormResult = { ok: true; body: { items: PlanItemBody[] } } | { ok: false; problems: RowProblem[] };

/**
 * Checks the rows as the server would and builds the PUT body. Every problem
 * comes back at once, each naming its row and field, in words.
 */
export function rowsToPlan(rows: readonly PlanRow[]): PlanFormResult {
  const problems: RowProblem[] = [];
  const items: PlanItemBody[] = [];
  if (rows.length === 0) problems.push({ row: -1, field: null, message: 'a plan needs at least one item' });
  if (rows.length > MAX_PLAN_ITEMS) problems.push({ row: -1, field: null, message: `a plan has at most ${MAX_PLAN_ITEMS} items (this one has ${rows.length})` });
  const seen = new Map<string, number>();
  rows.forEach((row, index) => {
    const where = `item ${index + 1}`;
    const problem = (field: keyof PlanRow, message: string) => problems.push({ row: index, field, message: `${where}: ${message}` });
    const id = row.id.trim();
    if (!id) problem('id', 'the id is empty (e.g. "master")');
    else if (!ID_PATTERN.test(id)) problem('id', `id "${id}": letters, digits, ".", "-" and "_", at most 64, starting with a letter or digit`);
    else if (seen.has(id)) problem('id', `id "${id}" is already used by item ${seen.get(id)! + 1}`);
    else seen.set(id, index);

    const scale = row.scale.trim();
    if (!scale) problem('scale', `the scale is missing; use ${SCALE_SPEC_HELP}`);
    else if (!parseScaleSpec(scale)) problem('scale', `"${scale}" is not a scale; use ${SCALE_SPEC_HELP}`);

    const label = row.label.trim();
    if (label.length > MAX_LABEL_LENGTH) problem('label', `the label has ${label.length} characters, at most ${MAX_LABEL_LENGTH}`);
    else if (hasControlCharacter(label)) problem('label', `the label has ${NO_CONTROL}`);

    const tag = row.tag.trim();
    if (tag.length > MAX_NAME_LENGTH) problem('tag', `the tag has ${tag.length} characters, at most ${MAX_NAME_LENGTH}`);
    else if (hasControlCharacter(tag)) problem('tag', `the tag has ${NO_CONTROL}`);

    const framing = row.framing.trim();
    if (framing && !(FRAMINGS as readonly string[]).includes(framing)) problem('framing', `framing "${framing}" is not one of ${FRAMINGS.join(', ')}`);

    const countText = row.count.trim();
    const count = Number(countText);
    if (countText && (!Number.isInteger(count) || count < 1)) problem('count', `count "${countText}" is not a whole number of at least 1`);

    const minText = row.minDurationS.trim();
    const minDurationS = Number(minText);
    if (minText && (!Number.isFinite(minDurationS) || minDurationS < 0)) problem('minDurationS', `minimum duration "${minText}" is not a number of seconds >= 0`);
    else if (minDurationS > MAX_MIN_DURATION_S) problem('minDurationS', `minimum duration ${minText} s is more than a day: at most ${MAX_MIN_DURATION_S} s`);

    const item: PlanItemBody = { id, scale };
    if (label) item.label = label;
    if (framing) item.framing = framing as Framing;
    if (tag) item.tag = tag;
    if (countText) item.count = count;
    if (minText) item.minDurationS = minDurationS;
    items.push(item);
  });
  return problems.length ? { ok: false, problems } : { ok: true, body: { items } };
}
