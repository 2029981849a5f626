/**
 * `shotscale samples export|import`: a production's calibration samples as a
 * folder (img/ and labels.csv, or a labels-<taxonomy>.csv per taxonomy) that
 * `shotscale calibrate` reads, and back.
 *
 * An export into a folder that holds an earlier export replaces it whole:
 * its labels files and images are removed first, so that no labels file of
 * the earlier export is left beside images it does not describe. A folder
 * that holds anything else is refused (OUTPUT_UNWRITABLE), nothing removed.
 *
 * Export reads the shot log without writing it (a running server may keep
 * using it). Import runs the folder's images through the configured model
 * (as calibrate does) and stores them as samples in the data directory,
 * which a running server holds: stop it first, or import through it later.
 * With a cluster's config both use the cluster's samples in PostgreSQL,
 * while its nodes run.
 */
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { resolveConfigPath } from '../config/load-config.js';
import { ShotscaleError } from '../errors.js';
import { csvField } from '../evaluation/csv-table.js';
import { evaluateImages } from '../evaluation/run-evaluation.js';
import { findTaxonomy } from '../evaluation/taxonomies.js';
import type { Logger } from '../shared/logger.js';
import { clusterNodeId } from '../app/shotscale-server.js';
import { ClusterCalibrationStore } from '../cluster/cluster-calibration-store.js';
import { connectPostgres } from '../cluster/cluster-connections.js';
import { migrateCluster } from '../cluster/cluster-schema.js';
import type { Config } from '../config/schema.js';
import { CalibrationStore, hasCaptureTime, SqliteCalibrationRecords, type CalibrationRecords, type NewSample } from '../store/calibration-store.js';
import { exportedColumns, pictureKey, statedTaxonomy, storedPictures, type GivenTaxonomy } from './samples-import-rows.js';
import { DATABASE_FILE, openDatabase } from '../store/database.js';
import { lockDataDir } from '../store/data-dir-lock.js';
import { openShotLogReadOnly } from '../store/read-only-database.js';
import { imageSource, labelledImagesFromArgs, progressReporter } from './labelled-images.js';
import { openOfflineClassifier } from './offline-classifier.js';
import type { DecodedFrame } from '../ingest/file-decoder.js';
import { encodeThumbnail } from '../shots/thumbnail.js';
import { ProgressLine } from './progress-line.js';
import { makeOutputDir } from './output-files.js';
import { configFromArgs } from './config-args.js';
import { checkShotLogFile } from './input-file.js';
import { parseCommandArgs, UsageError } from './command-options.js';

const JPEG_FILE = /\.jpe?g$/i;
const count = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

const HEADER = ['file', 'label', 'taxonomy', 'camera', 'captured_at', 'shown', 'source', 'shot_id'];

/** main.ts prints the usage of samples after it. */
function usage(message: string): never {
  throw new UsageError(message);
}

function dataDirOf(config: string | undefined): string {
  const loaded = configFromArgs({ config });
  return resolveConfigPath(loaded, loaded.config.shots.dataDir);
}

/** The cluster's samples in PostgreSQL, when `config` is a cluster node's. */
async function clusterRecords(config: string | undefined, log: Logger): Promise<{ records: CalibrationRecords; where: string; close: () => Promise<void> } | null> {
  const cluster: Config['cluster'] = configFromArgs({ config }).config.cluster;
  if (!cluster.enabled) return null;
  const pool = await connectPostgres(cluster, log);
  try {
    await migrateCluster(pool);
  } catch (error) {
    await pool.end();
    throw error;
  }
  return { records: new ClusterCalibrationStore(pool, clusterNodeId(cluster.nodeId)), where: "the cluster's PostgreSQL", close: () => pool.end() };
}

export async function runSamples(argv: string[], log: Logger): Promise<number> {
  const [action, ...rest] = argv;
  if (action === 'export') return exportSamples(rest, log);
  if (action === 'import') return importSamples(rest, log);
  return usage(action ? `unknown action ${JSON.stringify(action.slice(0, 40))}: export or import` : 'export or import?');
}

async function exportSamples(argv: string[], log: Logger): Promise<number> {
  const { values } = parseCommandArgs({ args: argv, options: { out: { type: 'string', short: 'o' }, db: { type: 'string' }, config: { type: 'string', short: 'c' } } });
  if (!values.out) return usage('--out DIR is required');
  if (values.db !== undefined && values.config !== undefined) {
    return usage(`--db ${values.db} and --config ${values.config}: give one (--db: a shot log file; --config: the samples of that config's data directory, or of its cluster)`);
  }
  const cluster = values.db ? null : await clusterRecords(values.config, log);
  if (cluster) {
    try {
      await writeSamples(cluster.records, values.out);
    } finally {
      await cluster.close();
    }
    return 0;
  }
  const file = values.db ? path.resolve(values.db) : path.join(dataDirOf(values.config), DATABASE_FILE);
  checkShotLogFile(file);
  const db = openShotLogReadOnly(file);
  try {
    await writeSamples(new SqliteCalibrationRecords(new CalibrationStore(db)), values.out);
  } finally {
    db.close();
  }
  return 0;
}

/** The labels files an export writes: labels.csv (one taxonomy), or labels-<taxonomy>.csv each. */
const LABELS_FILE = /^labels(-[A-Za-z0-9_.-]+)?\.csv$/;
const IMAGE_FILE = /^sample-\d{5,}\.jpg$/;

/**
 * The files of an earlier export in `out` (labels files, img/ and its
 * sample images), to be removed before this one is written; a file of any
 * other kind refuses the folder, before anything is removed or written.
 */
function earlierExport(out: string): string[] {
  const entries = statSync(out, { throwIfNoEntry: false })?.isDirectory() ? readdirSync(out, { withFileTypes: true }) : [];
  const files: string[] = [];
  const refuse = (name: string) => {
    throw new ShotscaleError('OUTPUT_UNWRITABLE', `--out ${out}: holds ${name}, which is not of a samples export; an export goes into an empty folder or replaces an earlier export whole`, {
      hint: 'name a new or empty folder with --out',
    });
  };
  for (const entry of entries) {
    if (entry.isFile() && LABELS_FILE.test(entry.name)) files.push(path.join(out, entry.name));
    else if (entry.isDirectory() && entry.name === 'img') {
      for (const image of readdirSync(path.join(out, 'img'), { withFileTypes: true })) {
        if (!image.isFile() || !IMAGE_FILE.test(image.name)) refuse(path.join('img', image.name));
        files.push(path.join(out, 'img', image.name));
      }
    } else refuse(entry.name);
  }
  return files;
}

/**
 * img/ and a labels file per taxonomy (calibrate reads each in its own);
 * labels.csv when there is one. Over an earlier export, nothing of it is
 * removed until the new one is written: every picture is read first (a
 * shot log or PostgreSQL failing midway leaves the earlier export as it
 * was), pictures are written under their ids (an id always names the same
 * picture), each labels file is written beside and renamed over, and only
 * then are the earlier export's files that this one has not are removed.
 */
async function writeSamples(store: CalibrationRecords, out: string): Promise<void> {
  const samples = (await store.listSamples()).reverse();
  const earlier = earlierExport(out);
  const images: { name: string; jpeg: Uint8Array }[] = [];
  const byTaxonomy = new Map<string, string[][]>();
  for (const s of samples) {
    const jpeg = await store.sampleImage(s.id);
    if (!jpeg) continue;
    const name = `img/sample-${String(s.id).padStart(5, '0')}.jpg`;
    images.push({ name, jpeg });
    const rows = byTaxonomy.get(s.taxonomy) ?? [];
    // An imported still has no capture time of its own: left empty, so that importing the export keeps it a still.
    rows.push([name, s.label, s.taxonomy, s.cameraId, hasCaptureTime(s) ? new Date(s.capturedAt).toISOString() : '', s.shown ?? '', s.source, s.shotId === null ? '' : String(s.shotId)]);
    byTaxonomy.set(s.taxonomy, rows);
  }
  makeOutputDir('--out', out);
  makeOutputDir('--out', path.join(out, 'img'));
  for (const image of images) writeFileSync(path.join(out, image.name), image.jpeg);
  const files = [...byTaxonomy].map(([taxonomy, rows]) => ({ name: byTaxonomy.size === 1 ? 'labels.csv' : `labels-${taxonomy}.csv`, taxonomy, rows }));
  // No samples: a labels.csv of its header alone, so that the folder is one `samples import` reads (as 0 samples).
  const labelsFiles = files.length ? files : [{ name: 'labels.csv', taxonomy: '', rows: [] as string[][] }];
  for (const file of labelsFiles) {
    const target = path.join(out, file.name);
    writeFileSync(`${target}.partial`, [HEADER, ...file.rows].map((r) => r.map(csvField).join(',')).join('\n') + '\n');
    renameSync(`${target}.partial`, target);
  }
  const kept = new Set([...images.map((i) => path.join(out, i.name)), ...labelsFiles.map((f) => path.join(out, f.name))]);
  const removed = earlier.filter((file) => !kept.has(file));
  for (const file of removed) rmSync(file, { force: true });
  const written = files.reduce((n, f) => n + f.rows.length, 0);
  if (earlier.length) process.stderr.write(`the earlier export in ${out} was replaced (${removed.length} of its files removed, the others written again)\n`);
  process.stderr.write(`${count(written, 'sample')} written to ${out} (${files.map((f) => `${f.name}: ${f.rows.length} ${f.taxonomy}`).join(', ') || 'labels.csv: its header alone'})\n`);
  if (files.length) process.stderr.write(`fit on them: shotscale calibrate ${files.map((f) => `--labels ${path.join(out, f.name)}=${f.taxonomy}`).join(' ')} --out head.json\n`);
}

/** A labels file as samples export writes it for no samples: its header and no row. */
function headerOnly(file: string): boolean {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return false; // the labels reader says why
  }
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  return lines.length === 1 && lines[0]!.replace(/^\uFEFF/, '') === HEADER.join(',');
}

const FOLDER_HINT = 'name a folder that samples export wrote (it holds labels.csv, or labels-<taxonomy>.csv for each taxonomy), or the labels file with --labels FILE';

/**
 * The labels files of a folder export wrote: labels.csv (its taxonomy
 * --taxonomy, or inferred; its taxonomy column, where it has one, first), else every labels-<taxonomy>.csv, each in the
 * taxonomy its name says (--taxonomy, or inferred, where it says none). None: labels.csv, which the labels reader says is
 * missing.
 */
function folderLabels(dir: string, taxonomy: string | undefined): { file: string; taxonomy: string | undefined }[] {
  const single = path.join(dir, 'labels.csv');
  if (existsSync(single)) return [{ file: single, taxonomy }];
  const each = readdirSync(dir)
    .map((name) => /^labels-(.+)\.csv$/.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .sort((a, b) => a[0].localeCompare(b[0]))
    // A name that is no taxonomy (labels-old.csv): the labels reader infers it from the labels.
    .map((m) => ({ file: path.join(dir, m[0]), taxonomy: findTaxonomy(m[1]!) ? m[1] : taxonomy }));
  return each.length ? each : [{ file: single, taxonomy }];
}

async function importSamples(argv: string[], log: Logger): Promise<number> {
  const { values, positionals } = parseCommandArgs({
    args: argv,
    allowPositionals: true,
    options: { labels: { type: 'string', short: 'l' }, taxonomy: { type: 'string', short: 't' }, camera: { type: 'string' }, config: { type: 'string', short: 'c' } },
  });
  const dir = positionals[0];
  if (!dir && !values.labels) return usage('a folder that samples export wrote (or --labels FILE) is required');
  if (positionals.length > 1) return usage(`one folder to import, not ${positionals.length} (${positionals.slice(0, 3).map((p) => JSON.stringify(p)).join(', ')}${positionals.length > 3 ? ', ...' : ''})`);
  if (!values.labels && !statSync(dir!, { throwIfNoEntry: false })?.isDirectory()) {
    throw new ShotscaleError('INPUT_UNREADABLE', `samples import ${dir}: ${existsSync(dir!) ? 'not a folder' : 'no such folder'}`, { hint: FOLDER_HINT });
  }
  const labelsFiles = values.labels ? [{ file: values.labels, taxonomy: values.taxonomy }] : folderLabels(dir!, values.taxonomy);
  // An export of no samples (its header alone): nothing to import, and nothing in the data directory touched.
  const listed = labelsFiles.filter((f) => !headerOnly(f.file));
  if (!listed.length) {
    process.stderr.write(`0 samples imported: ${labelsFiles.map((f) => f.file).join(', ')} ${labelsFiles.length === 1 ? 'lists' : 'list'} none (an export of a log with no samples)\n`);
    return 0;
  }
  const sets = listed.map((f) => {
    // The taxonomy the file states in its column (as export writes it) before the one its labels would suggest.
    const given: GivenTaxonomy | undefined = f.taxonomy === undefined ? undefined : { name: f.taxonomy, by: f.taxonomy === values.taxonomy ? '--taxonomy' : 'its name' };
    const taxonomy = statedTaxonomy(f.file, given);
    if (taxonomy !== f.taxonomy) process.stderr.write(`taxonomy ${taxonomy} for ${f.file}, as its taxonomy column says\n`);
    return labelledImagesFromArgs({ labels: f.file, images: undefined, taxonomy, limit: undefined }, values.labels ? undefined : FOLDER_HINT);
  });
  const cluster = await clusterRecords(values.config, log);
  // Held for the whole import: a server started meanwhile waits its turn rather than sharing the database.
  // A cluster's samples are in PostgreSQL, which its running nodes share.
  const dataDir = cluster ? null : dataDirOf(values.config);
  const lock = dataDir ? lockDataDir(dataDir) : null;
  try {
    const classifier = await openOfflineClassifier(values, log);
    try {
      const featureNames = classifier.model.featureNames;
      if (!featureNames) {
        throw new ShotscaleError('CALIBRATION_INVALID', `the configured model (${classifier.model.name}) has no framing features; samples teach the framing classifier`, {
          hint: 'import with a config whose model.manifest is the framing classifier (models/framing-default.manifest.json, the default)',
        });
      }
      const defaultCamera = values.camera ?? `import:${path.basename(path.resolve(dir ?? path.dirname(values.labels!)))}`;
      // capturedAt null: a still, captured (for the store) when it is created (hasCaptureTime).
      const found: { sample: Omit<NewSample, 'capturedAt'> & { capturedAt: number | null }; key: string; file: string }[] = [];
      const perTaxonomy = new Map<string, number>();
      const unreadable: string[] = [];
      let pictures = 0;
      // A picture that is no JPEG is stored as a JPEG of the frame analysed (as a live correction's is), so that it has a
      // picture to show, to export and to know again: the analysed frames of those are kept until they are stored.
      const decoded = new Map<string, DecodedFrame>();
      const images = imageSource(classifier);
      const source: typeof images = {
        decode: async (file) => {
          const frame = await images.decode(file);
          if (!JPEG_FILE.test(file)) decoded.set(file, frame);
          return frame;
        },
        predict: (frames) => images.predict(frames),
      };
      const { width, height } = classifier.model.input;
      for (const labelled of sets) {
        const columns = exportedColumns(labelled.labels);
        const progress = new ProgressLine(labelled.items.length, 'images');
        const outcome = await evaluateImages(labelled.items, labelled.taxonomy, source, { batchSize: 8, progress: progressReporter(progress, labelled) });
        progress.done(`${outcome.results.length} of ${count(labelled.items.length, 'image')} of ${path.basename(labelled.labels)} analysed, ${outcome.unreadable.length} unreadable`);
        pictures += labelled.items.length;
        unreadable.push(...outcome.unreadable.map((u) => `${u.file}: ${u.error}`));
        const byFile = new Map(labelled.items.map((item) => [item.file, item.path]));
        for (const r of outcome.results) {
          if (!r.analysis) continue;
          const file = byFile.get(r.file)!;
          const row = columns.get(labelled.lineOf.get(file) ?? -1) ?? {};
          const frame = decoded.get(file);
          const jpeg = JPEG_FILE.test(file) ? readFileSync(file) : frame ? encodeThumbnail({ width, height, data: frame.data }) : null;
          decoded.delete(file);
          const cameraId = values.camera ?? row.camera ?? defaultCamera;
          const capturedAt = row.capturedAt ?? null;
          const sample = { cameraId, capturedAt, source: 'import' as const, taxonomy: labelled.taxonomy.name, label: labelled.taxonomy.classes[r.truth]!.name, shown: row.shown ?? null, shotId: null, features: r.analysis.features, featureNames, rules: r.analysis.rules, jpeg };
          found.push({ sample, key: pictureKey(jpeg, r.analysis.features, capturedAt === null ? null : { cameraId, capturedAt }), file: r.file });
        }
      }
      const where = cluster?.where ?? dataDir!;
      const from = dir ?? values.labels!;
      if (!found.length) {
        throw new ShotscaleError('INPUT_UNREADABLE', `samples import ${from}: nothing imported: ${pictures === 1 ? 'its one picture could not' : `none of its ${pictures} pictures could`} be analysed${unreadable.length ? ` (${unreadable[0]!.slice(0, 300)}${unreadable.length > 1 ? `; and ${unreadable.length - 1} more` : ''})` : ''}`, {
          hint: 'list pictures (JPEG, PNG ...) in the labels file, by their path relative to it; nothing was stored',
        });
      }
      const db = cluster ? null : openDatabase(path.join(dataDir!, DATABASE_FILE));
      try {
        const records = cluster?.records ?? new SqliteCalibrationRecords(new CalibrationStore(db!));
        // A picture imported before (a folder imported twice, an export into the log it came from) is skipped, and said so.
        const stored = await storedPictures(records);
        const fresh: typeof found = [];
        const skipped: { file: string; was: { taxonomy: string; label: string }; now: { taxonomy: string; label: string } }[] = [];
        const seen = new Map<string, { taxonomy: string; label: string }>();
        for (const item of found) {
          const was = stored.get(item.key) ?? seen.get(item.key);
          if (was) skipped.push({ file: item.file, was, now: item.sample });
          else {
            fresh.push(item);
            seen.set(item.key, item.sample);
          }
        }
        const at = Date.now();
        const rows = fresh.map(({ sample }) => ({ ...sample, capturedAt: sample.capturedAt ?? at }));
        if (db) {
          const store = new CalibrationStore(db);
          db.transaction(() => {
            for (const sample of rows) store.addSample(sample, at);
          })();
        } else for (const sample of rows) await records.addSample(sample, at);
        for (const { sample } of fresh) perTaxonomy.set(sample.taxonomy, (perTaxonomy.get(sample.taxonomy) ?? 0) + 1);
        const cameras = [...new Set(fresh.map((f) => f.sample.cameraId))];
        const camerasText = cameras.length === 1 ? `camera "${cameras[0]}"` : `cameras ${cameras.slice(0, 5).map((c) => `"${c}"`).join(', ')}${cameras.length > 5 ? ', ...' : ''}`;
        const stills = fresh.filter((f) => f.sample.capturedAt === null).length;
        if (skipped.length) {
          const named = (l: { taxonomy: string; label: string }) => `${l.label}${l.taxonomy === 'canonical' ? '' : ` (${l.taxonomy})`}`;
          const other = skipped.filter((k) => named(k.was) !== named(k.now));
          process.stderr.write(
            `${count(skipped.length, 'picture')} skipped: ${skipped.length === 1 ? 'it is' : 'they are'} samples already (imported before): ${skipped.slice(0, 3).map((k) => k.file).join(', ')}${skipped.length > 3 ? ', ...' : ''}` +
              (other.length ? `; ${other.length} of them labelled otherwise there (${other[0]!.file}: ${named(other[0]!.was)}, not ${named(other[0]!.now)}): delete that sample in the Calibration view to import it with this label` : '') +
              '\n',
          );
        }
        if (!fresh.length) {
          process.stderr.write(`0 samples imported into ${where}: all ${count(found.length, 'picture')} analysed ${found.length === 1 ? 'is a sample' : 'are samples'} already\n`);
          return 0;
        }
        const taxonomies = sets.length === 1 ? sets[0]!.taxonomy.name : [...perTaxonomy].map(([name, n]) => `${n} ${name}`).join(', ');
        const each = stills === fresh.length ? (stills === 1 ? 'a still, a shot of its own' : 'each still a shot of its own') : stills ? `${count(stills, 'still')} each a shot of its own, the others with their capture times` : fresh.length === 1 ? 'with its capture time' : 'with their capture times';
        process.stderr.write(`${count(fresh.length, 'sample')} imported into ${where} (${camerasText}, ${taxonomies}; ${each}); fit them in the Calibration view or with POST /api/calibration/fit\n`);
      } finally {
        db?.close();
      }
    } finally {
      await classifier.dispose();
    }
  } finally {
    lock?.release();
    await cluster?.close();
  }
  return 0;
}
