/**
 * What `shotscale samples import` keeps of a labels file beyond file and
 * label: the columns samples export writes (taxonomy, camera, captured_at,
 * shown), so that an export imported again keeps each sample's taxonomy,
 * camera, capture time and shown label; and which pictures are samples already, so that a folder
 * imported twice is not stored twice.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { ShotscaleError } from '../errors.js';
import { parseCsv } from '../evaluation/csv-table.js';
import { findTaxonomy, TAXONOMIES, type Taxonomy } from '../evaluation/taxonomies.js';
import { CANONICAL_SCALES } from '../shared/scale.js';
import { hasCaptureTime, type CalibrationRecords } from '../store/calibration-store.js';
import { UsageError } from './command-options.js';

/** A row's export columns, where it has them (a folder of stills has none). */
export interface ExportedColumns {
  camera?: string;
  /** Epoch ms; absent: a still, with no capture time of its own. */
  capturedAt?: number;
  /** A canonical class, else absent. */
  shown?: string;
}

/**
 * The export columns of each row of `file`, by its line (as the labels
 * reader numbers them). A captured_at that is no date is refused, saying
 * where: it would put the sample at a time it was never taken.
 */
export function exportedColumns(file: string): Map<number, ExportedColumns> {
  const [header, ...records] = parseCsv(readFileSync(file, 'utf8'), file);
  const byLine = new Map<number, ExportedColumns>();
  if (!header) return byLine;
  const names = header.fields.map((f) => f.trim().toLowerCase());
  const at = { camera: names.indexOf('camera'), capturedAt: names.indexOf('captured_at'), shown: names.indexOf('shown') };
  for (const { line, fields } of records) {
    const field = (i: number) => (i < 0 ? '' : (fields[i] ?? '').trim());
    const row: ExportedColumns = {};
    if (field(at.camera)) row.camera = field(at.camera);
    const time = field(at.capturedAt);
    if (time) {
      const ms = Date.parse(time);
      if (!Number.isFinite(ms)) {
        throw new ShotscaleError('INPUT_UNREADABLE', `${file}:${line}, column ${at.capturedAt + 1} ("captured_at"): ${JSON.stringify(time.slice(0, 40))} is not a date`, {
          hint: 'write the capture time as samples export does (ISO 8601, e.g. 2026-12-06T12:00:00.000Z), or leave it empty for a still',
        });
      }
      row.capturedAt = ms;
    }
    const shown = field(at.shown).toUpperCase();
    if ((CANONICAL_SCALES as readonly string[]).includes(shown)) row.shown = shown;
    byLine.set(line, row);
  }
  return byLine;
}

/** Where an import's taxonomy came from, when not from the file's own column: --taxonomy, or a labels-<taxonomy>.csv's name. */
export interface GivenTaxonomy {
  name: string;
  by: '--taxonomy' | 'its name';
}

/**
 * The taxonomy a labels file states in its taxonomy column (samples export
 * writes one, the same on every row), else `given`'s, else undefined (the
 * labels reader infers it). Ignored, an export whose labels all fitted a
 * smaller taxonomy (CU and MS alone) was read as that one. A file whose rows
 * state different taxonomies is refused (one file is read in one taxonomy:
 * export writes a labels-<taxonomy>.csv for each), and so is a stated
 * taxonomy that contradicts --taxonomy or the file's name: whichever won,
 * the labels would be read in a taxonomy someone said they are not in.
 * A file that cannot be read is left to the labels reader to say why.
 */
export function statedTaxonomy(file: string, given: GivenTaxonomy | undefined): string | undefined {
  let records;
  try {
    if (!statSync(file).isFile()) return given?.name;
    records = parseCsv(readFileSync(file, 'utf8'), file);
  } catch {
    return given?.name;
  }
  const [header, ...rows] = records;
  const at = header ? header.fields.map((f) => f.trim().toLowerCase()).indexOf('taxonomy') : -1;
  if (at < 0) return given?.name;
  const where = (line: number) => `${file}:${line}, column ${at + 1} ("taxonomy")`;
  let stated: { taxonomy: Taxonomy; line: number } | undefined;
  for (const { line, fields } of rows) {
    const name = (fields[at] ?? '').trim();
    if (!name) continue;
    const taxonomy = findTaxonomy(name);
    if (!taxonomy) {
      throw new ShotscaleError('INPUT_UNREADABLE', `${where(line)}: ${JSON.stringify(name.slice(0, 40))} is no taxonomy (known: ${TAXONOMIES.map((t) => t.name).join(', ')})`, {
        hint: 'write the taxonomy the row\'s label is in, as samples export does, or leave the column empty to have it inferred',
      });
    }
    if (!stated) stated = { taxonomy, line };
    else if (taxonomy !== stated.taxonomy) {
      throw new ShotscaleError('INPUT_UNREADABLE', `${where(line)}: ${taxonomy.name}, while line ${stated.line} says ${stated.taxonomy.name}: a labels file is read in one taxonomy`, {
        hint: 'put each taxonomy\'s rows in a file of its own, as samples export does (labels-<taxonomy>.csv), and import the folder',
      });
    }
  }
  if (!stated) return given?.name;
  const named = given === undefined ? undefined : findTaxonomy(given.name);
  if (given && named !== stated.taxonomy) {
    const said = given.by === '--taxonomy' ? `--taxonomy ${given.name}` : `its name says ${given.name}`;
    const message = `${file}: ${said}, but its taxonomy column says ${stated.taxonomy.name} (line ${stated.line})`;
    if (given.by === '--taxonomy') throw new UsageError(message, 'leave --taxonomy out: a file with a taxonomy column is read in the taxonomy it states');
    throw new ShotscaleError('INPUT_UNREADABLE', message, { hint: `rename the file labels-${stated.taxonomy.name}.csv, or correct its taxonomy column` });
  }
  return stated.taxonomy.name;
}

/**
 * What says two samples are one: the same picture (its JPEG's bytes, or,
 * for a sample stored without one, as imports of other formats once were,
 * the features the model measured on it)
 * and, where it has one, the same capture (camera and time). A still has no
 * capture of its own: its picture alone.
 */
export function pictureKey(picture: Uint8Array | null, features: Float32Array, capture: { cameraId: string; capturedAt: number } | null): string {
  const bytes = picture ?? new Uint8Array(features.buffer, features.byteOffset, features.byteLength);
  const digest = createHash('sha256').update(bytes).digest('hex');
  return `${picture ? 'jpeg' : 'features'}:${digest}${capture ? `@${capture.cameraId}@${Math.round(capture.capturedAt)}` : ''}`;
}

/** The samples stored already, by pictureKey: their id and label. */
export async function storedPictures(records: CalibrationRecords): Promise<Map<string, { id: number; taxonomy: string; label: string }>> {
  const keys = new Map<string, { id: number; taxonomy: string; label: string }>();
  for (const s of await records.samplesForFit()) {
    const jpeg = s.hasImage ? await records.sampleImage(s.id) : null;
    keys.set(pictureKey(jpeg, s.features, hasCaptureTime(s) ? s : null), { id: s.id, taxonomy: s.taxonomy, label: s.label });
  }
  return keys;
}
