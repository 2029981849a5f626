/**
 * Takes in the database: "scene 12, take 3" started and ended by an operator,
 * on every camera or some. A camera is in at most one take at a time.
 */
import { MAX_SLATE_NUMBER } from '../config/name-text.js';
import { ShotscaleError } from '../errors.js';
import type { Take, TakeGap, TakeMark } from '../shared/shots.js';
import type { Db } from './database.js';
import { guardWrite } from './storage-fault.js';

interface TakeRow {
  id: number;
  scene: string;
  take: string;
  cameras: string | null;
  except_cameras: string | null;
  gaps: string | null;
  started_at: number;
  ended_at: number | null;
  mark: TakeMark | null;
}

function fromRow(row: TakeRow): Take {
  return {
    id: row.id,
    scene: row.scene,
    take: row.take,
    cameras: row.cameras ? (JSON.parse(row.cameras) as string[]) : null,
    exceptCameras: row.except_cameras ? (JSON.parse(row.except_cameras) as string[]) : [],
    gaps: row.gaps ? (JSON.parse(row.gaps) as TakeGap[]) : [],
    startedAt: row.started_at,
    endedAt: row.ended_at,
    mark: row.mark ?? null,
  };
}

/** A take left running by a process that stopped without ending it, and the last frame written in it. */
export interface AbandonedTake {
  take: Take;
  /** Out point of its last shot written, or its start when it has none (epoch ms). */
  lastFrameAt: number;
}

/**
 * The take number after `takes`: one more than the highest ("12A" counts
 * as 12). Numbers past MAX_SLATE_NUMBER (text the API took as a name) are
 * not counted: one past them could not be told apart.
 */
export function takeAfter(takes: Iterable<string>): string {
  let highest = 0;
  for (const take of takes) {
    const number = Number.parseInt(take, 10);
    if (number > highest && number <= MAX_SLATE_NUMBER) highest = number;
  }
  return String(highest + 1);
}

export class TakeStore {
  constructor(private readonly db: Db) {}

  /** A full disk is STORAGE_FULL: a slate is not held like shots, the operator slates again. */
  start(scene: string, take: string, cameras: string[] | null, at: number, exceptCameras: readonly string[] = []): Take {
    const result = guardWrite(this.db, () =>
      this.db
        .prepare('INSERT INTO takes (scene, take, cameras, except_cameras, started_at) VALUES (?, ?, ?, ?, ?)')
        .run(scene, take, cameras ? JSON.stringify(cameras) : null, !cameras && exceptCameras.length ? JSON.stringify([...exceptCameras]) : null, Math.round(at)),
    );
    return this.get(Number(result.lastInsertRowid));
  }

  end(id: number, at: number): Take {
    guardWrite(this.db, () => this.db.prepare('UPDATE takes SET ended_at = ? WHERE id = ? AND ended_at IS NULL').run(Math.round(at), id));
    return this.get(id);
  }

  /**
   * The take runs on no more on `cameras` (a take was started or ended there
   * alone): a take on named cameras keeps the others, a take on every camera
   * notes them as left. Returns the take as it now stands.
   */
  leave(id: number, cameras: readonly string[]): Take {
    const take = this.get(id);
    guardWrite(this.db, () => {
      if (take.cameras) this.db.prepare('UPDATE takes SET cameras = ? WHERE id = ?').run(JSON.stringify(take.cameras.filter((c) => !cameras.includes(c))), id);
      else this.db.prepare('UPDATE takes SET except_cameras = ? WHERE id = ?').run(JSON.stringify([...new Set([...take.exceptCameras, ...cameras])]), id);
    });
    return this.get(id);
  }

  /** Notes that the server was down during the take: no shots from `gap.from` to `gap.to`. */
  addGap(id: number, gap: TakeGap): Take {
    const take = this.get(id);
    guardWrite(this.db, () => this.db.prepare('UPDATE takes SET gaps = ? WHERE id = ?').run(JSON.stringify([...take.gaps, { from: Math.round(gap.from), to: Math.round(gap.to) }]), id));
    return this.get(id);
  }

  /**
   * Notes a gap, or moves the end of the one from the same frame: a gap is
   * known to end at the restart first, then at the take's first shot after
   * it (restart-gaps.ts), and a second restart before any shot widens the
   * same hole rather than noting another.
   */
  setGap(id: number, gap: TakeGap): Take {
    const take = this.get(id);
    const from = Math.round(gap.from);
    if (!take.gaps.some((g) => g.from === from)) return this.addGap(id, gap);
    const gaps = take.gaps.map((g) => (g.from === from ? { from, to: Math.round(gap.to) } : g));
    guardWrite(this.db, () => this.db.prepare('UPDATE takes SET gaps = ? WHERE id = ?').run(JSON.stringify(gaps), id));
    return this.get(id);
  }

  /** Circles a take, marks it NG, or (null) clears its mark; running or ended. NOT_FOUND for no such take. */
  setMark(id: number, mark: TakeMark | null): Take {
    this.get(id);
    guardWrite(this.db, () => this.db.prepare('UPDATE takes SET mark = ? WHERE id = ?').run(mark, id));
    return this.get(id);
  }

  get(id: number): Take {
    const row = this.db.prepare('SELECT * FROM takes WHERE id = ?').get(id) as TakeRow | undefined;
    if (!row) throw new ShotscaleError('NOT_FOUND', `no take ${id}`);
    return fromRow(row);
  }

  /** Takes not ended, oldest first. */
  running(): Take[] {
    return (this.db.prepare('SELECT * FROM takes WHERE ended_at IS NULL ORDER BY started_at, id').all() as TakeRow[]).map(fromRow);
  }

  /** The take that ended last, or null. */
  lastEnded(): Take | null {
    const row = this.db.prepare('SELECT * FROM takes WHERE ended_at IS NOT NULL ORDER BY ended_at DESC, id DESC LIMIT 1').get() as TakeRow | undefined;
    return row ? fromRow(row) : null;
  }

  list(scene?: string): Take[] {
    const rows = scene === undefined ? this.db.prepare('SELECT * FROM takes ORDER BY started_at, id').all() : this.db.prepare('SELECT * FROM takes WHERE scene = ? ORDER BY started_at, id').all(scene);
    return (rows as TakeRow[]).map(fromRow);
  }

  /** The scenes slated, each once, in the order each was first slated (SlateSpelling). */
  sceneNames(): string[] {
    return this.db.prepare('SELECT scene FROM takes GROUP BY scene ORDER BY MIN(started_at), MIN(id)').pluck().all() as string[];
  }

  /** The take numbers slated in `scene`, each once, in the order each was first slated. */
  takeNames(scene: string): string[] {
    return this.db.prepare('SELECT take FROM takes WHERE scene = ? GROUP BY take ORDER BY MIN(started_at), MIN(id)').pluck().all(scene) as string[];
  }

  /** The latest take of `scene` slated with the number `take`, or null. */
  find(scene: string, take: string): Take | null {
    const row = this.db.prepare('SELECT * FROM takes WHERE scene = ? AND take = ? ORDER BY started_at DESC, id DESC LIMIT 1').get(scene, take) as TakeRow | undefined;
    return row ? fromRow(row) : null;
  }

  /**
   * The next take number of a scene: one more than the highest numbered take
   * so far ("12A" counts as 12), or carried by a shot an operator moved to
   * the scene (a take of that number would merge with it). Takes past
   * MAX_SLATE_NUMBER (text the API took as a name) are not counted: one
   * past them could not be told apart.
   */
  nextTakeNumber(scene: string): string {
    const takes = this.db.prepare('SELECT take FROM takes WHERE scene = ? UNION SELECT take FROM shots WHERE scene = ? AND take IS NOT NULL').pluck().all(scene, scene) as string[];
    return takeAfter(takes);
  }

  /** After a crash: the takes left running, each with the out point of its last shot written (or its start). */
  abandoned(): AbandonedTake[] {
    const rows = this.db
      .prepare(
        `SELECT takes.*, COALESCE((SELECT MAX(CAST(s.out_time AS INTEGER)) FROM shots s WHERE s.take_id = takes.id), started_at) AS last_frame_at
         FROM takes WHERE ended_at IS NULL ORDER BY started_at, id`,
      )
      .all() as (TakeRow & { last_frame_at: number })[];
    return rows.map((row) => ({ take: fromRow(row), lastFrameAt: Math.max(row.last_frame_at, row.started_at) }));
  }
}
