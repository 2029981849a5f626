/**
 * One shot log for the cluster: every node keeps writing its shots to its
 * own SQLite file, synchronously, as a single node does, and copies them to
 * PostgreSQL every quarter second.
 *
 * Why not write PostgreSQL from the live pipeline: a network round trip per
 * write would stall the analysis of every camera for as long as PostgreSQL
 * is slow or away. The local file is the write-ahead log: triggers add each
 * write of a shot to `cluster_outbox` in the same transaction, so a crash or
 * a PostgreSQL outage loses nothing; the copy is an upsert by id, so a batch
 * sent twice (a crash between PostgreSQL's commit and the outbox's delete)
 * is harmless. A killed node's last quarter second is copied when it starts
 * again; until then whoever notices closes its open shots (closeOrphans).
 */
import type pg from 'pg';
import { errorMessage } from '../errors.js';
import type { Logger } from '../shared/logger.js';
import type { Db } from '../store/database.js';
import type { ShotStore, StoredShot } from '../store/shot-store.js';
import type { Queryable } from './node-id-lock.js';
import { refusedForContent } from './pg-errors.js';

/** Ids per node: node number n logs shots n * 2^36 upwards (68 billion a node, 131,072 nodes within 2^53). */
export const NODE_ID_SPAN = 2 ** 36;

/** Outbox rows read per batch (a shot written many times counts once). */
const BATCH_ROWS = 2000;
/** Thumbnails per insert: about 20 KB each, so a batch after a long outage goes in statements of about 1 MB. */
const THUMBNAILS_PER_INSERT = 50;
const INTERVAL_MS = 250;

/** This node's number, the same on every start: allocated once per node id. */
export async function nodeNumber(pool: pg.Pool, nodeId: string): Promise<number> {
  const { rows } = await pool.query<{ number: number }>(
    'INSERT INTO cluster_nodes (node_id) VALUES ($1) ON CONFLICT (node_id) DO UPDATE SET node_id = EXCLUDED.node_id RETURNING number',
    [nodeId],
  );
  return rows[0]!.number;
}

/**
 * Where this node's next shot id starts: above its range's base and above
 * every shot of its range PostgreSQL already has, so that a node whose file
 * was lost or replaced never overwrites its earlier shots in the cluster log.
 */
export async function firstShotId(pool: pg.Pool, base: number): Promise<number> {
  const { rows } = await pool.query<{ highest: string | null }>('SELECT MAX(id) AS highest FROM cluster_shots WHERE id >= $1 AND id < $2', [base, base + NODE_ID_SPAN]);
  return rows[0]?.highest === null || rows[0]?.highest === undefined ? base : Number(rows[0].highest) + 1;
}

/** Triggers that note each write of a shot (and its thumbnail) from `floor` up. */
function installTriggers(db: Db, floor: number): void {
  dropOutboxTriggers(db);
  db.exec(`
    CREATE TRIGGER cluster_outbox_insert AFTER INSERT ON shots WHEN NEW.id >= ${floor} BEGIN INSERT INTO cluster_outbox (shot_id) VALUES (NEW.id); END;
    CREATE TRIGGER cluster_outbox_update AFTER UPDATE ON shots WHEN NEW.id >= ${floor} BEGIN INSERT INTO cluster_outbox (shot_id) VALUES (NEW.id); END;
    CREATE TRIGGER cluster_outbox_thumbnail AFTER INSERT ON thumbnails WHEN NEW.shot_id >= ${floor} BEGIN INSERT INTO cluster_outbox (shot_id) VALUES (NEW.shot_id); END;
  `);
}

/** A node alone (not in a cluster) notes nothing, and keeps no outbox. */
export function dropOutboxTriggers(db: Db): void {
  db.exec('DROP TRIGGER IF EXISTS cluster_outbox_insert; DROP TRIGGER IF EXISTS cluster_outbox_update; DROP TRIGGER IF EXISTS cluster_outbox_thumbnail;');
}

/** PostgreSQL's text and JSONB take no NUL character (SQLite's do): dropped. */
export function noNul<T extends string | null>(text: T): T {
  return (text === null ? null : text.replace(/\u0000/g, '')) as T;
}

/** A record as JSON PostgreSQL takes (no NUL in any string). */
export const jsonWithoutNul = (record: unknown) => JSON.stringify(record, (_key, value: unknown) => (typeof value === 'string' ? noNul(value) : value));

export interface ReplicationState {
  /** Shot writes not yet in PostgreSQL. */
  pending: number;
  /** Epoch ms since when copying fails; null while it works. */
  failingSince: number | null;
  lastError: string | null;
}

export class ShotReplicator {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> = Promise.resolve();
  private failingSince: number | null = null;
  private lastError: string | null = null;

  constructor(
    private readonly db: Db,
    private readonly shots: ShotStore,
    pool: pg.Pool,
    private readonly nodeId: string,
    private readonly log: Logger,
    /**
     * Where the shots are written: in a cluster, the connection that holds
     * this node's id (node-id-lock.ts), so that a process whose id another
     * has taken cannot write one shot under it; the pool where no lock is kept.
     */
    private readonly session: () => Promise<Queryable> = async () => pool,
  ) {}

  /** From `floor` up, this node's shots go to PostgreSQL. */
  start(floor: number): void {
    installTriggers(this.db, floor);
    this.timer = setInterval(() => void this.flush(), INTERVAL_MS);
    this.timer.unref();
  }

  state(): ReplicationState {
    return { pending: this.db.prepare('SELECT COUNT(*) FROM cluster_outbox').pluck().get() as number, failingSince: this.failingSince, lastError: this.lastError };
  }

  /** Copies what is waiting; one copy at a time. Resolves once this round is done (or has failed, and will be retried). */
  flush(): Promise<void> {
    this.running = this.running.then(() => this.copy());
    return this.running;
  }

  /** Stops copying after one last round (a short wait: PostgreSQL may be away; the outbox keeps the rest for the next start). */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await Promise.race([this.flush(), new Promise((r) => setTimeout(r, 2000))]);
  }

  private async copy(): Promise<void> {
    try {
      for (;;) {
        const rows = this.db.prepare('SELECT seq, shot_id FROM cluster_outbox ORDER BY seq LIMIT ?').all(BATCH_ROWS) as { seq: number; shot_id: number }[];
        if (!rows.length) break;
        const ids = [...new Set(rows.map((r) => r.shot_id))];
        const shots = ids.flatMap((id) => {
          try {
            return [this.shots.get(id)];
          } catch {
            return []; // gone from the file: nothing to copy
          }
        });
        const session = await this.session();
        await this.upsertOrSkip(session, shots);
        await this.copyThumbnails(session, shots);
        this.db.prepare('DELETE FROM cluster_outbox WHERE seq <= ?').run(rows.at(-1)!.seq);
        if (rows.length < BATCH_ROWS) break;
      }
      if (this.failingSince !== null) this.log.info(`shots: PostgreSQL takes them again; the shots held on disk are copied`);
      this.failingSince = null;
      this.lastError = null;
    } catch (error) {
      if (this.failingSince === null) this.log.warn(`shots: cannot copy to PostgreSQL (${errorMessage(error)}); they are kept in this node's file and copied when it answers`);
      this.failingSince ??= Date.now();
      this.lastError = errorMessage(error);
    }
  }

  /**
   * A batch PostgreSQL refuses for what is in it (not for being away) is
   * sent a shot at a time, and a shot it still refuses is logged and left
   * out, so that one bad row never stops the copy of every later shot.
   */
  private async upsertOrSkip(session: Queryable, shots: StoredShot[]): Promise<void> {
    try {
      await this.upsert(session, shots);
    } catch (error) {
      if (!refusedForContent(error)) throw error;
      for (const shot of shots) {
        try {
          await this.upsert(session, [shot]);
        } catch (rowError) {
          if (!refusedForContent(rowError)) throw rowError;
          this.log.error(`shots: shot ${shot.id} cannot be copied to PostgreSQL (${errorMessage(rowError)}); it stays in this node's file only`);
        }
      }
    }
  }

  /** The thumbnails of these shots that PostgreSQL lacks (a shot's thumbnail is written once, when it closes). */
  private async copyThumbnails(session: Queryable, shots: StoredShot[]): Promise<void> {
    const ids = shots.filter((shot) => shot.hasThumbnail).map((shot) => shot.id);
    for (let i = 0; i < ids.length; i += THUMBNAILS_PER_INSERT) {
      const values: unknown[] = [];
      const tuples: string[] = [];
      for (const id of ids.slice(i, i + THUMBNAILS_PER_INSERT)) {
        const jpeg = this.shots.thumbnail(id);
        if (!jpeg) continue;
        values.push(id, jpeg);
        tuples.push(`($${values.length - 1}, $${values.length})`);
      }
      if (tuples.length) await session.query(`INSERT INTO cluster_thumbnails (shot_id, jpeg) VALUES ${tuples.join(', ')} ON CONFLICT (shot_id) DO NOTHING`, values);
    }
  }

  private async upsert(session: Queryable, shots: StoredShot[]): Promise<void> {
    if (!shots.length) return;
    const values: unknown[] = [];
    const tuples = shots.map((shot, i) => {
      values.push(shot.id, this.nodeId, shot.cameraId, shot.status, shot.inTime, shot.outTime, noNul(shot.scene), noNul(shot.take), jsonWithoutNul(shot));
      const at = i * 9;
      return `($${at + 1}, $${at + 2}, $${at + 3}, $${at + 4}, $${at + 5}, $${at + 6}, $${at + 7}, $${at + 8}, $${at + 9})`;
    });
    await session.query(
      `INSERT INTO cluster_shots (id, node_id, camera_id, status, in_time, out_time, scene, take, record) VALUES ${tuples.join(', ')}
       ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, in_time = EXCLUDED.in_time, out_time = EXCLUDED.out_time, scene = EXCLUDED.scene, take = EXCLUDED.take, record = EXCLUDED.record, updated_at = now()`,
      values,
    );
  }
}
