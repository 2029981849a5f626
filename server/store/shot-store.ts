/**
 * Shots in the database: written when they open, as they grow and when they
 * close; read back with filters for the API, coverage and exports. Rows map
 * to ShotRecord one to one (JSON columns for probabilities, subjects, tags).
 */
import { ShotscaleError } from '../errors.js';
import { isCanonicalScale, type CanonicalScale } from '../shared/scale.js';
import type { CoverageShot, ShotBoundary, ShotFraming, ShotRecord, TimecodeRateName } from '../shared/shots.js';
import { NO_PICTURE_KINDS, type NoPicture, type Subjects } from '../shared/socket-events.js';
import type { FrameAnalysis } from '../shots/shot-accumulator.js';
import type { Db } from './database.js';
import { guardWrite } from './storage-fault.js';

export interface ShotFilter {
  cameraIds?: readonly string[];
  scene?: string;
  take?: string;
  /** Shots that end after this epoch ms ... */
  from?: number;
  /** ... and start before this one. */
  to?: number;
  status?: ShotRecord['status'];
  /**
   * Shots of these scales (the scale exports write: an operator's where one
   * was set), and with 'none' those without a picture from cut to cut (which
   * have no scale: shotWithoutPicture).
   */
  scales?: readonly ShotScaleFilter[];
  /** By start time: oldest first (default) or newest first. */
  order?: 'asc' | 'desc';
  limit?: number;
  offset?: number;
}

/** A scale a shot filter asks for: a canonical one, or 'none' (a shot without a picture). */
export type ShotScaleFilter = CanonicalScale | 'none';

interface ShotRow {
  id: number;
  camera_id: string;
  status: 'open' | 'closed';
  in_time: number;
  out_time: number;
  rate: string;
  in_frame: number;
  out_frame: number;
  start_s: number;
  scale: string;
  scale_start: string | null;
  scale_end: string | null;
  confidence: number;
  probabilities: string;
  readouts: number;
  subjects: string | null;
  reason: string | null;
  cut_in: string;
  cut_out: string | null;
  take_id: number | null;
  scene: string | null;
  take: string | null;
  tags: string;
  note: string | null;
  has_thumbnail: number;
  scale_classifier: string | null;
  no_picture: string | null;
  no_picture_s: number | null;
  framing_operator: ShotFraming | null;
}

export interface StoredShot extends ShotRecord {
  takeId: number | null;
}

export interface ShotPatch {
  /** An operator's scale (closed shots): see setScale. */
  scale?: CanonicalScale;
  /** An operator's framing; null clears it (the detector's counts again). */
  framing?: ShotFraming | null;
  tags?: string[];
  note?: string | null;
  scene?: string | null;
  take?: string | null;
}

const SELECT = `SELECT s.*, EXISTS (SELECT 1 FROM thumbnails t WHERE t.shot_id = s.id) AS has_thumbnail FROM shots s`;

function fromRow(row: ShotRow, timecode: (frames: number, rate: string) => string): StoredShot {
  return {
    id: row.id,
    cameraId: row.camera_id,
    status: row.status,
    inTime: row.in_time,
    outTime: row.out_time,
    rate: row.rate as TimecodeRateName,
    inFrame: row.in_frame,
    outFrame: row.out_frame,
    tcIn: timecode(row.in_frame, row.rate),
    tcOut: timecode(row.out_frame, row.rate),
    durationS: (row.out_time - row.in_time) / 1000,
    startS: row.start_s,
    scale: isCanonicalScale(row.scale) ? row.scale : 'MS',
    scaleStart: row.scale_start && isCanonicalScale(row.scale_start) ? row.scale_start : null,
    scaleEnd: row.scale_end && isCanonicalScale(row.scale_end) ? row.scale_end : null,
    confidence: row.confidence,
    probabilities: JSON.parse(row.probabilities) as number[],
    readouts: row.readouts,
    subjects: row.subjects ? (JSON.parse(row.subjects) as Subjects) : null,
    reason: row.reason,
    cutIn: row.cut_in as ShotBoundary,
    cutOut: row.cut_out as ShotBoundary | null,
    takeId: row.take_id,
    scene: row.scene,
    take: row.take,
    tags: JSON.parse(row.tags) as string[],
    note: row.note,
    hasThumbnail: row.has_thumbnail === 1,
    ...pictureFields(row),
    ...(row.framing_operator ? { operatorFraming: row.framing_operator } : {}),
  };
}

/** An operator's scale (with the classifier's beside it) and the shot's time without a picture, each only where the row has it. */
function pictureFields(row: Pick<ShotRow, 'scale_classifier' | 'no_picture' | 'no_picture_s'>): Pick<ShotRecord, 'classifierScale' | 'noPicture' | 'noPictureS'> {
  return {
    // Only where an operator set the scale: other shots read as they always did.
    ...(row.scale_classifier !== null ? { classifierScale: classifierScaleOf(row) } : {}),
    ...(row.no_picture && (NO_PICTURE_KINDS as readonly string[]).includes(row.no_picture) ? { noPicture: row.no_picture as NoPicture } : {}),
    ...(row.no_picture_s && row.no_picture_s > 0 ? { noPictureS: row.no_picture_s } : {}),
  };
}

/**
 * An operator-set shot's classifier scale: the one stored beside it, or null
 * where the classifier read none. A shot with no picture from cut to cut
 * read none whatever is stored: its scale was carried over from the shot
 * before (a log written before setScale knew this stored that one).
 */
function classifierScaleOf(row: Pick<ShotRow, 'scale_classifier' | 'no_picture'>): CanonicalScale | null {
  if (row.no_picture !== null) return null;
  return row.scale_classifier && isCanonicalScale(row.scale_classifier) ? row.scale_classifier : null;
}

/** The WHERE clause (with its leading space, or empty) and parameters of a filter. */
function whereOf(filter: ShotFilter): { where: string; params: Record<string, unknown> } {
  const clauses: string[] = [];
  const params: Record<string, unknown> = {};
  if (filter.cameraIds?.length) {
    clauses.push(`s.camera_id IN (${filter.cameraIds.map((_c, i) => `@camera${i}`).join(', ')})`);
    filter.cameraIds.forEach((c, i) => (params[`camera${i}`] = c));
  }
  const when = (value: unknown, clause: string, key: string) => {
    if (value === undefined) return;
    clauses.push(clause);
    params[key] = value;
  };
  when(filter.scene, 's.scene = @scene', 'scene');
  when(filter.take, 's.take = @take', 'take');
  when(filter.from, 's.out_time > @from', 'from');
  when(filter.to, 's.in_time < @to', 'to');
  when(filter.status, 's.status = @status', 'status');
  if (filter.scales?.length) {
    // As shotWithoutPicture reads a shot: no picture and no operator's scale (scale_classifier NULL) is none; else its scale.
    const blank = 's.no_picture IS NOT NULL AND s.scale_classifier IS NULL';
    const scales = filter.scales.filter((scale) => scale !== 'none');
    scales.forEach((scale, i) => (params[`scale${i}`] = scale));
    const either = [
      ...(scales.length ? [`(s.scale IN (${scales.map((_s, i) => `@scale${i}`).join(', ')}) AND NOT (${blank}))`] : []),
      ...(filter.scales.includes('none') ? [`(${blank})`] : []),
    ];
    clauses.push(`(${either.join(' OR ')})`);
  }
  return { where: clauses.length ? ` WHERE ${clauses.join(' AND ')}` : '', params };
}

export class ShotStore {
  private readonly insert;
  private readonly updateOpen;
  private readonly close;
  private readonly putThumbnail;

  constructor(
    private readonly db: Db,
    /** Formats a frame count as timecode at a rate name (kept out of the rows: derived). */
    private readonly timecode: (frames: number, rate: string) => string,
  ) {
    this.insert = db.prepare(`INSERT INTO shots (id, camera_id, status, in_time, out_time, rate, in_frame, out_frame, start_s, scale, scale_start, scale_end, confidence,
      probabilities, readouts, subjects, reason, no_picture, no_picture_s, cut_in, cut_out, take_id, scene, take, tags, note)
      VALUES (@id, @cameraId, @status, @inTime, @outTime, @rate, @inFrame, @outFrame, @startS, @scale, @scaleStart, @scaleEnd, @confidence,
      @probabilities, @readouts, @subjects, @reason, @noPicture, @noPictureS, @cutIn, @cutOut, @takeId, @scene, @take, @tags, @note)`);
    this.updateOpen = db.prepare(`UPDATE shots SET out_time = @outTime, out_frame = @outFrame, scale = @scale, scale_start = @scaleStart, scale_end = @scaleEnd, confidence = @confidence,
      probabilities = @probabilities, readouts = @readouts, subjects = @subjects, reason = @reason, no_picture = @noPicture, no_picture_s = @noPictureS WHERE id = @id AND status = 'open'`);
    this.close = db.prepare(`UPDATE shots SET status = 'closed', out_time = @outTime, out_frame = @outFrame, scale = @scale, scale_start = @scaleStart, scale_end = @scaleEnd, confidence = @confidence,
      probabilities = @probabilities, readouts = @readouts, subjects = @subjects, reason = @reason, no_picture = @noPicture, no_picture_s = @noPictureS, cut_out = @cutOut WHERE id = @id`);
    this.putThumbnail = db.prepare('INSERT OR REPLACE INTO thumbnails (shot_id, jpeg, features, rules) VALUES (?, ?, ?, ?)');
  }

  /**
   * Stores a new (usually open) shot; returns its id: the shot's own when it
   * has one (the live log allocates ids itself, see nextId), else the next.
   */
  add(shot: ShotRecord, takeId: number | null): number {
    const result = this.insert.run({ ...this.params(shot), id: shot.id > 0 ? shot.id : null, status: shot.status, inTime: shot.inTime, rate: shot.rate, inFrame: shot.inFrame, startS: shot.startS, cutIn: shot.cutIn, takeId, scene: shot.scene, take: shot.take, tags: JSON.stringify(shot.tags), note: shot.note });
    return Number(result.lastInsertRowid);
  }

  /** The open shot grew. */
  extend(shot: ShotRecord): void {
    const { cutOut: _cutOut, ...params } = this.params(shot);
    this.updateOpen.run({ ...params, id: shot.id });
  }

  /** Closes a shot, with its thumbnail (and what the model saw in that frame), in one transaction. */
  finish(shot: ShotRecord, jpeg: Uint8Array | null, analysis: FrameAnalysis | null = null): void {
    this.db.transaction(() => {
      this.close.run({ ...this.params(shot), id: shot.id });
      if (jpeg) this.putThumbnail.run(shot.id, jpeg, analysis ? Buffer.from(analysis.features.buffer, analysis.features.byteOffset, analysis.features.byteLength) : null, analysis ? JSON.stringify(analysis.rules) : null);
    })();
  }

  /** The thumbnail frame's features and rules' probabilities, where the model gave them. */
  thumbnailAnalysis(id: number): FrameAnalysis | null {
    const row = this.db.prepare('SELECT features, rules FROM thumbnails WHERE shot_id = ?').get(id) as { features: Buffer | null; rules: string | null } | undefined;
    if (!row?.features || !row.rules) return null;
    return { features: new Float32Array(new Uint8Array(row.features).buffer), rules: JSON.parse(row.rules) as number[] };
  }

  /**
   * An operator's scale for a closed shot: `scale` takes it (exports, coverage),
   * the classifier's own is kept in scale_classifier (the first time only).
   * A shot with no picture from cut to cut has no scale of the classifier's:
   * scale_classifier is then '' (set by an operator, the classifier read
   * none), never the scale carried over from the shot before.
   */
  setScale(id: number, scale: CanonicalScale): StoredShot {
    const shot = this.get(id);
    if (shot.status !== 'closed') throw new ShotscaleError('CALIBRATION_INVALID', `shot ${id} is still open: correct its scale once it closes`);
    guardWrite(this.db, () =>
      this.db.prepare(`UPDATE shots SET scale_classifier = COALESCE(scale_classifier, CASE WHEN no_picture IS NULL THEN scale ELSE '' END), scale = ? WHERE id = ?`).run(scale, id),
    );
    return this.get(id);
  }

  /** In a cluster: this node's shots get ids from here up, apart from every other node's. */
  private idFloor = 1;

  setIdFloor(floor: number): void {
    this.idFloor = floor;
  }

  /** One more than the highest id stored at or above the floor (the floor itself when there is none). */
  nextId(): number {
    const highest = this.db.prepare('SELECT MAX(id) FROM shots WHERE id >= ?').pluck().get(this.idFloor) as number | null;
    return highest === null ? this.idFloor : highest + 1;
  }

  /**
   * After a crash: shots still open are closed at the last frame written
   * (their out point). Returns how many.
   */
  closeAbandoned(): number {
    return this.db.prepare(`UPDATE shots SET status = 'closed', cut_out = 'restart' WHERE status = 'open'`).run().changes;
  }

  /**
   * Where a camera's log ends: its latest shot's out point (the frame after
   * its last, at its rate) and the wall time of that frame; null when it has
   * no shots. A restarted camera's timecode counts on from here.
   */
  loggedEnd(cameraId: string): { outFrame: number; outTime: number; rate: string } | null {
    const row = this.db.prepare('SELECT out_frame AS outFrame, out_time AS outTime, rate FROM shots WHERE camera_id = ? ORDER BY in_time DESC, id DESC LIMIT 1').get(cameraId) as
      | { outFrame: number; outTime: number; rate: string }
      | undefined;
    return row ?? null;
  }

  /** The scenes shots carry (an operator's edit may name one no take has), each once (SlateSpelling). */
  sceneNames(): string[] {
    return this.db.prepare('SELECT DISTINCT scene FROM shots WHERE scene IS NOT NULL').pluck().all() as string[];
  }

  /** The takes shots carry in `scene`, each once. */
  takeNames(scene: string): string[] {
    return this.db.prepare('SELECT DISTINCT take FROM shots WHERE scene = ? AND take IS NOT NULL').pluck().all(scene) as string[];
  }

  /**
   * When the shots an operator put in `scene` take `take` were shot (the
   * first in point to the last out point), or null: none carries that slate.
   */
  slateSpan(scene: string, take: string): { from: number; to: number } | null {
    const row = this.db.prepare('SELECT MIN(in_time) AS "from", MAX(out_time) AS "to" FROM shots WHERE scene = ? AND take = ?').get(scene, take) as { from: number | null; to: number | null };
    return row.from === null || row.to === null ? null : { from: row.from, to: row.to };
  }

  get(id: number): StoredShot {
    const row = this.db.prepare(`${SELECT} WHERE s.id = ?`).get(id) as ShotRow | undefined;
    if (!row) throw new ShotscaleError('NOT_FOUND', `no shot ${id}`);
    return fromRow(row, this.timecode);
  }

  thumbnail(id: number): Buffer | null {
    const row = this.db.prepare('SELECT jpeg FROM thumbnails WHERE shot_id = ?').get(id) as { jpeg: Buffer } | undefined;
    return row?.jpeg ?? null;
  }

  list(filter: ShotFilter = {}): StoredShot[] {
    const { where, params } = whereOf(filter);
    const direction = filter.order === 'desc' ? 'DESC' : 'ASC';
    const sql = `${SELECT}${where} ORDER BY s.in_time ${direction}, s.id ${direction} LIMIT @limit OFFSET @offset`;
    const rows = this.db.prepare(sql).all({ ...params, limit: filter.limit ?? -1, offset: filter.offset ?? 0 }) as ShotRow[];
    return rows.map((row) => fromRow(row, this.timecode));
  }

  /**
   * The shots of a filter as per-camera coverage reads them, in list()'s
   * order: the few columns it needs, no thumbnail lookup, timecode or JSON.
   * The dashboards' coverage is counted every second over every shot since
   * the server started; read with list(), that took 360 ms of the main
   * thread at 19,600 shots (a day of an edited reel on 4 cameras), and
   * readouts waited behind it.
   */
  coverageList(filter: ShotFilter = {}): CoverageShot[] {
    const { where, params } = whereOf(filter);
    const sql = `SELECT s.id, s.camera_id, s.status, s.in_time, s.out_time, s.scale, s.readouts, s.scale_classifier, s.no_picture, s.no_picture_s FROM shots s${where} ORDER BY s.in_time, s.id`;
    const rows = this.db.prepare(sql).all(params) as Pick<ShotRow, 'id' | 'camera_id' | 'status' | 'in_time' | 'out_time' | 'scale' | 'readouts' | 'scale_classifier' | 'no_picture' | 'no_picture_s'>[];
    return rows.map((row) => ({
      id: row.id,
      cameraId: row.camera_id,
      status: row.status,
      durationS: (row.out_time - row.in_time) / 1000,
      scale: isCanonicalScale(row.scale) ? row.scale : 'MS',
      readouts: row.readouts,
      ...pictureFields(row),
    }));
  }

  /** How many shots match a filter (limit and offset aside), counted by SQLite. */
  count(filter: ShotFilter = {}): number {
    const { where, params } = whereOf(filter);
    return (this.db.prepare(`SELECT COUNT(*) AS n FROM shots s${where}`).get(params) as { n: number }).n;
  }

  /** Operator edits: tags (e.g. characters), a note, or a corrected scene/take. A full disk is STORAGE_FULL. */
  patch(id: number, patch: ShotPatch, takeId?: number | null): StoredShot {
    this.get(id);
    const sets: string[] = [];
    const params: Record<string, unknown> = { id };
    const set = (value: unknown, column: string) => {
      if (value === undefined) return;
      sets.push(`${column} = @${column}`);
      params[column] = value;
    };
    set(patch.tags === undefined ? undefined : JSON.stringify(patch.tags), 'tags');
    set(patch.framing, 'framing_operator');
    set(patch.note, 'note');
    set(patch.scene, 'scene');
    set(patch.take, 'take');
    if (takeId !== undefined) {
      sets.push('take_id = @take_id');
      params.take_id = takeId;
    }
    if (sets.length) guardWrite(this.db, () => this.db.prepare(`UPDATE shots SET ${sets.join(', ')} WHERE id = @id`).run(params));
    return this.get(id);
  }

  private params(shot: ShotRecord) {
    return {
      cameraId: shot.cameraId,
      outTime: shot.outTime,
      outFrame: shot.outFrame,
      scale: shot.scale,
      scaleStart: shot.scaleStart,
      scaleEnd: shot.scaleEnd,
      confidence: shot.confidence,
      probabilities: JSON.stringify(shot.probabilities.map((p) => Math.round(p * 1e5) / 1e5)),
      readouts: shot.readouts,
      subjects: shot.subjects ? JSON.stringify(shot.subjects) : null,
      reason: shot.reason,
      noPicture: shot.noPicture ?? null,
      noPictureS: shot.noPictureS ?? null,
      cutOut: shot.cutOut,
    };
  }
}
