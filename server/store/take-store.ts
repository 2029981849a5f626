/**
 * Takes in the database: "scene 12, take 3" started and ended by an operator,
 * on every camera or some. A camera is in at most one take at a time.
 */
import { MAX_SLATE_NUMBER } from '../config/name-text.js';
import { ShotscaleError } from '../errors.js';
import type { Take } from '../shared/shots.js';
import type { Db } from './database.js';
import { guardWrite } from './storage-fault.js';

interface TakeRow {
  id: number;
  scene: string;
  take: string;
  cameras: string | null;
  started_at: number;
  ended_at: number | null;
}

function fromRow(row: TakeRow): Take {
  return {
    id: row.id,
    scene: row.scene,
    take: row.take,
    cameras: row.cameras ? (JSON.parse(row.cameras) as string[]) : null,
    startedAt: row.started_at,
    endedAt: row.ended_at,
  };
}

export class TakeStore {
  constructor(private readonly db: Db) {}

  /** A full disk is STORAGE_FULL: a slate is not held like shots, the operator slates again. */
  start(scene: string, take: string, cameras: string[] | null, at: number): Take {
    const result = guardWrite(this.db, () =>
      this.db.prepare('INSERT INTO takes (scene, take, cameras, started_at) VALUES (?, ?, ?, ?)').run(scene, take, cameras ? JSON.stringify(cameras) : null, Math.round(at)),
    );
    return this.get(Number(result.lastInsertRowid));
  }

  end(id: number, at: number): Take {
    guardWrite(this.db, () => this.db.prepare('UPDATE takes SET ended_at = ? WHERE id = ? AND ended_at IS NULL').run(Math.round(at), id));
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

  list(scene?: string): Take[] {
    const rows = scene === undefined ? this.db.prepare('SELECT * FROM takes ORDER BY started_at, id').all() : this.db.prepare('SELECT * FROM takes WHERE scene = ? ORDER BY started_at, id').all(scene);
    return (rows as TakeRow[]).map(fromRow);
  }

  /**
   * The next take number of a scene: one more than the highest numbered take
   * so far ("12A" counts as 12). Takes past MAX_SLATE_NUMBER (text the API
   * took as a name) are not counted: one past them could not be told apart.
   */
  nextTakeNumber(scene: string): string {
    const takes = this.db.prepare('SELECT take FROM takes WHERE scene = ?').all(scene) as { take: string }[];
    let highest = 0;
    for (const { take } of takes) {
      const number = Number.parseInt(take, 10);
      if (number > highest && number <= MAX_SLATE_NUMBER) highest = number;
    }
    return String(highest + 1);
  }

  /** After a crash: takes left running are ended at the last shot of theirs (or their start). */
  endAbandoned(): number {
    return this.db
      .prepare(
        `UPDATE takes SET ended_at = COALESCE((SELECT MAX(CAST(s.out_time AS INTEGER)) FROM shots s WHERE s.take_id = takes.id), started_at)
         WHERE ended_at IS NULL`,
      )
      .run().changes;
  }
}
