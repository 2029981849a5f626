/**
 * The cluster's record of takes in PostgreSQL (`cluster_takes`): a row per
 * take, keyed by its start on the node where it was started, written by
 * whichever node starts it, ends it or makes it leave cameras (queued, so
 * that PostgreSQL slow or away never holds up a slate), and read back as
 * the API gives takes, with the record's id; and which record each of this
 * node's own takes is (TakeKeys), so that every answer and push names the record.
 */
import type pg from 'pg';
import { errorMessage } from '../errors.js';
import type { Logger } from '../shared/logger.js';
import type { Take, TakeGap, TakeMark } from '../shared/shots.js';
import type { KnownSlate } from '../shots/slate-spelling.js';
import type { ShotFilter, StoredShot } from '../store/shot-store.js';
import { clusterQueryError } from './pg-errors.js';
import { PgWriteQueue } from './pg-write-queue.js';
import { jsonWithoutNul, noNul } from './shot-replicator.js';

interface TakeRow {
  id: string;
  scene: string;
  take: string;
  cameras: string[] | null;
  except_cameras: string[] | null;
  started_at: number;
  ended_at: number | null;
  mark: TakeMark | null;
  gaps: NodeTakeGap[] | null;
}

/**
 * A take's gap as the cluster's record holds it: a node was down during
 * the take (killed, then started again), so its cameras have no shots from
 * `from` to `to` (epoch ms), as a single server's record of the take says;
 * and which node it was, and which of its cameras the restart cut (those
 * whose shots it closed; empty where it had no shot open in the take).
 */
export interface NodeTakeGap extends TakeGap {
  node: string;
  cameras: string[];
}

const COLUMNS = 'id, scene, take, cameras, except_cameras, started_at, ended_at, mark, gaps';

/**
 * A take as a cluster's answer gives it: `id` is its record's in the
 * cluster (what PATCH /api/takes/:id marks), or null with `recordPending`
 * while that record has not been read (PostgreSQL slow or away, or the
 * node where it was started has not written it yet). Never this node's own
 * id of the take: that is another number, and may be another take's record.
 */
export type RecordedTake = Omit<Take, 'id'> & { id: number | null; recordPending?: true };

/** A take with the id of its record, or with none yet (see RecordedTake). */
export function withRecord(take: Take, id: number | null | undefined, gaps: TakeGap[] = take.gaps): RecordedTake {
  return id === null || id === undefined ? { ...take, id: null, recordPending: true, gaps } : { ...take, id, gaps };
}

/** A take running in the cluster as its record holds it: its key (its start where it was started) and its cameras. */
export interface UnendedTake {
  scene: string;
  take: string;
  cameras: string[] | null;
  exceptCameras: string[];
  startedAt: number;
}

/** A record's gaps (every node's), in time order. */
const sortedGaps = (gaps: NodeTakeGap[] | null): NodeTakeGap[] => [...(gaps ?? [])].sort((x, y) => x.from - y.from || x.node.localeCompare(y.node));

/** A take as the cluster's record holds it. */
function fromRow(r: TakeRow): Take {
  return { id: Number(r.id), scene: r.scene, take: r.take, cameras: r.cameras, exceptCameras: r.except_cameras ?? [], gaps: sortedGaps(r.gaps), startedAt: r.started_at, endedAt: r.ended_at, mark: r.mark ?? null };
}

/**
 * The gaps of a take this node resumed after a restart, as its own log
 * notes them, with the node and the cameras each concerns: those whose
 * shots in the take the restart closed (cut `restart`, after the gap
 * before, if any, and by the gap's start).
 */
export function gapsOfNode(take: Take, nodeId: string, shots: (filter: ShotFilter) => StoredShot[]): NodeTakeGap[] {
  let after: number | undefined;
  return take.gaps.map((gap) => {
    // The gap starts at the take's last frame written, rounded down to the ms: its shots end up to 1 ms later.
    const cut = shots({ scene: take.scene, take: take.take, ...(after === undefined ? {} : { from: after }), to: gap.from + 1 }).filter(
      (s) => s.takeId === take.id && s.cutOut === 'restart' && s.outTime < gap.from + 1,
    );
    after = gap.to;
    return { from: gap.from, to: gap.to, node: nodeId, cameras: [...new Set(cut.map((s) => s.cameraId))].sort() };
  });
}

/**
 * How a write of a take's cameras meets the record another node's write
 * may have changed already (two nodes can each make a take leave cameras,
 * and their writes land in either order): a take's list of cameras only
 * shrinks and its cameras left only grow, so the record keeps what both
 * say, in the order the cameras were left.
 */
const MERGE_CAMERAS = `cameras = CASE WHEN cluster_takes.cameras IS NULL OR EXCLUDED.cameras IS NULL THEN cluster_takes.cameras
       ELSE COALESCE((SELECT jsonb_agg(c ORDER BY i) FROM jsonb_array_elements(cluster_takes.cameras) WITH ORDINALITY AS x(c, i) WHERE EXCLUDED.cameras @> jsonb_build_array(c)), cluster_takes.cameras) END,
     except_cameras = CASE WHEN EXCLUDED.except_cameras IS NULL THEN cluster_takes.except_cameras WHEN cluster_takes.except_cameras IS NULL THEN EXCLUDED.except_cameras
       ELSE cluster_takes.except_cameras || COALESCE((SELECT jsonb_agg(c ORDER BY i) FROM jsonb_array_elements(EXCLUDED.except_cameras) WITH ORDINALITY AS x(c, i) WHERE NOT cluster_takes.except_cameras @> jsonb_build_array(c)), '[]') END`;

/**
 * How a node's write of a take's gaps meets the record: each node adds its
 * own, keyed by the node and the gap's start, and writes one again when its
 * end is known (the gap is written at the join ending at the restart, and
 * again ending at the take's first shot since: restart-gaps.ts), so a gap
 * written again replaces the one with its key rather than adding another
 * that overlaps it; the other nodes' gaps are kept.
 */
const MERGE_GAPS = `gaps = CASE WHEN cluster_takes.gaps IS NULL THEN EXCLUDED.gaps WHEN EXCLUDED.gaps IS NULL THEN cluster_takes.gaps
       ELSE (SELECT jsonb_agg(merged.g ORDER BY merged.k, merged.i) FROM (
         SELECT x.g, 0 AS k, x.i FROM jsonb_array_elements(cluster_takes.gaps) WITH ORDINALITY AS x(g, i)
           WHERE NOT EXISTS (SELECT 1 FROM jsonb_array_elements(EXCLUDED.gaps) AS n(g) WHERE n.g->'node' = x.g->'node' AND n.g->'from' = x.g->'from')
         UNION ALL SELECT y.g, 1 AS k, y.i FROM jsonb_array_elements(EXCLUDED.gaps) WITH ORDINALITY AS y(g, i)) AS merged) END`;

/**
 * How long an answer that needs a take's record (its id, the takes as they
 * stand) waits for this node's writes: PostgreSQL takes one in
 * milliseconds; past this it is slow or away, and the answer goes without.
 */
const RECORD_WAIT_MS = 2000;

/**
 * How much later than a resumed take's last frame here its record may have
 * started, by the clock of the node that started it: nodes kept by NTP agree
 * within milliseconds, and a take is relayed in as few; 2 s leaves room for
 * a clock stepped at boot, and a take is seldom slated again that soon.
 */
const RESUMED_SLACK_MS = 2000;

/** The slot of the write that starts a take's record (keyed by its start here, where it was started). */
const startSlot = (take: Take) => `start ${take.scene}/${take.take}@${take.startedAt}`;

/** A take's cameras and cameras left, as the record's columns hold them. */
const camerasOf = (take: Take): [string | null, string | null] => [
  take.cameras ? jsonWithoutNul(take.cameras) : null,
  take.exceptCameras.length ? jsonWithoutNul(take.exceptCameras) : null,
];

/** Takes whose record ids (and starts where they were started, once ended) are kept: far more than run at once. */
const KEPT_TAKES = 1000;

/** Keeps the latest entries of a map of takes (by insertion): what an answer a moment later may still ask for. */
function trim(map: Map<number, number>): void {
  for (const id of map.keys()) {
    if (map.size <= KEPT_TAKES) return;
    map.delete(id);
  }
}

/**
 * Which record of the cluster each of this node's takes is: its start on
 * the node where it was started (the record's key; this node's own start of
 * a take another node started, or of one it resumed after a restart, is
 * another time), and the record's id once read (this node's own id of the
 * take is another number, and may be another take's in the record).
 */
export class TakeKeys {
  /** Each running take's start where it was started, by this node's id of the take. */
  private readonly running = new Map<number, number>();
  /** The same for takes that ended a moment ago: the answer to their end names their records. */
  private readonly justEnded = new Map<number, number>();
  private readonly recordIds = new Map<number, number>();

  /** This node's take `id` is the one started, where it was started, at `startedAt`. */
  started(id: number, startedAt: number): void {
    this.running.set(id, startedAt);
  }

  /** A take's start on the node where it was started: its key in the cluster's record. */
  originOf(take: Take): number {
    return this.running.get(take.id) ?? this.justEnded.get(take.id) ?? take.startedAt;
  }

  /** A take no longer running here: its start is kept a while, for the answer to its end. */
  ended(id: number): void {
    const startedAt = this.running.get(id);
    this.running.delete(id);
    if (startedAt === undefined) return;
    this.justEnded.set(id, startedAt);
    trim(this.justEnded);
  }

  /** The takes running here now: any other ended (another node ended it). */
  runningNow(takes: Take[]): void {
    const running = new Set(takes.map((t) => t.id));
    for (const id of [...this.running.keys()]) if (!running.has(id)) this.ended(id);
  }

  /** The ids of takes' records as read (null: not in yet). */
  noteRecordIds(takes: Take[], ids: (number | null)[]): void {
    takes.forEach((t, i) => {
      const id = ids[i];
      if (id !== null && id !== undefined) this.recordIds.set(t.id, id);
    });
    trim(this.recordIds);
  }

  /** The id of the take's record, once read; null before. */
  recordId(take: Take): number | null {
    return this.recordIds.get(take.id) ?? null;
  }

  /** The takes with the ids of their records where read (else this node's own). */
  withRecordIds(takes: Take[]): Take[] {
    return takes.map((t) => ({ ...t, id: this.recordIds.get(t.id) ?? t.id }));
  }
}

export class TakeRecords {
  private readonly writes: PgWriteQueue;

  constructor(
    private readonly pool: pg.Pool,
    private readonly nodeId: string,
    private readonly log: Logger,
  ) {
    this.writes = new PgWriteQueue(pool, log, 'take records');
  }

  /** A take started here. */
  started(take: Take): void {
    this.writes.write(
      startSlot(take),
      'INSERT INTO cluster_takes (scene, take, cameras, except_cameras, started_at, node_id) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (scene, take, started_at) DO NOTHING',
      [noNul(take.scene), noNul(take.take), ...camerasOf(take), take.startedAt, this.nodeId],
    );
  }

  /**
   * Ends the take's record, keyed by its start on the node where it was
   * started: written whether or not that node's start record is in yet (the
   * two nodes' writes may reach PostgreSQL in either order).
   */
  ended(take: Take, startedAt: number, at: number): void {
    this.writes.write(
      `end ${take.scene}/${take.take}@${startedAt}`,
      `INSERT INTO cluster_takes (scene, take, cameras, except_cameras, started_at, ended_at, node_id) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (scene, take, started_at) DO UPDATE SET ended_at = EXCLUDED.ended_at, ${MERGE_CAMERAS}`,
      [noNul(take.scene), noNul(take.take), ...camerasOf(take), startedAt, at, this.nodeId],
    );
  }

  /**
   * Ends the take's record where it is still unended: the take ended here
   * because another node said so (a take ended, or started, on the same
   * cameras). That node records the end of the takes it had running; one it
   * did not have (slated here while this node was cut off from Redis, its
   * start never relayed) would otherwise run on in the record for ever. An
   * update alone: a record not in yet is the sending node's to write, and
   * its own end, written whenever it lands, wins over this one.
   */
  endedAsTold(take: Take, startedAt: number, at: number): void {
    this.writes.write(`told end ${take.scene}/${take.take}@${startedAt}`, 'UPDATE cluster_takes SET ended_at = $4 WHERE scene = $1 AND take = $2 AND started_at = $3 AND ended_at IS NULL', [
      noNul(take.scene),
      noNul(take.take),
      startedAt,
      at,
    ]);
  }

  /**
   * The take runs on, having left cameras (a take was started or ended
   * there alone): its record says so, as each node's log does. Keyed, like
   * its end, by its start on the node where it was started.
   */
  left(take: Take, startedAt: number): void {
    this.writes.write(
      `left ${take.scene}/${take.take}@${startedAt}`,
      `INSERT INTO cluster_takes (scene, take, cameras, except_cameras, started_at, node_id) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (scene, take, started_at) DO UPDATE SET ${MERGE_CAMERAS}`,
      [noNul(take.scene), noNul(take.take), ...camerasOf(take), startedAt, this.nodeId],
    );
  }

  /**
   * The take, resumed here after this node was down during it, notes the
   * gap in the cluster's record, as this node's own log does (again when
   * the gap's end moves: MERGE_GAPS). Keyed, like its end, by its start on
   * the node where it was started.
   */
  resumed(take: Take, startedAt: number, gaps: NodeTakeGap[]): void {
    if (!gaps.length) return;
    this.writes.write(
      `gaps ${take.scene}/${take.take}@${startedAt}`,
      `INSERT INTO cluster_takes (scene, take, cameras, except_cameras, started_at, node_id, gaps) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (scene, take, started_at) DO UPDATE SET ${MERGE_GAPS}`,
      [noNul(take.scene), noNul(take.take), ...camerasOf(take), startedAt, this.nodeId, jsonWithoutNul(gaps)],
    );
  }

  /**
   * The id of the record of a take just started here, once this node's
   * write of it is in; null while PostgreSQL is slow or away.
   */
  async idOfStarted(take: Take): Promise<number | null> {
    if (!(await this.writes.settled(startSlot(take), RECORD_WAIT_MS))) return null;
    try {
      const { rows } = await this.pool.query<{ id: string }>('SELECT id FROM cluster_takes WHERE scene = $1 AND take = $2 AND started_at = $3', [noNul(take.scene), noNul(take.take), take.startedAt]);
      return rows[0] ? Number(rows[0].id) : null;
    } catch (error) {
      this.log.warn(`cluster: the record of scene ${take.scene} take ${take.take} not read: ${errorMessage(error)}`);
      return null;
    }
  }

  /** The ids and gaps of the records of takes, each by its start where it was started (null: not in yet). */
  async recordsOf(takes: { scene: string; take: string; startedAt: number }[]): Promise<({ id: number; gaps: NodeTakeGap[] } | null)[]> {
    if (!takes.length) return [];
    // Those started or narrowed here a moment ago are found (their writes may still be on their way).
    await this.writes.flushWithin(RECORD_WAIT_MS);
    const key = (scene: string, take: string, startedAt: number) => JSON.stringify([scene, take, startedAt]);
    const keys = takes.map((t) => ({ scene: noNul(t.scene), take: noNul(t.take), startedAt: t.startedAt }));
    try {
      const { rows } = await this.pool.query<{ id: string; scene: string; take: string; started_at: number; gaps: NodeTakeGap[] | null }>(
        'SELECT id, scene, take, started_at, gaps FROM cluster_takes WHERE (scene, take, started_at) IN (SELECT * FROM unnest($1::text[], $2::text[], $3::float8[]))',
        [keys.map((k) => k.scene), keys.map((k) => k.take), keys.map((k) => k.startedAt)],
      );
      const records = new Map(rows.map((r) => [key(r.scene, r.take, r.started_at), { id: Number(r.id), gaps: sortedGaps(r.gaps) }]));
      return keys.map((k) => records.get(key(k.scene, k.take, k.startedAt)) ?? null);
    } catch (error) {
      throw clusterQueryError(error, "the cluster's takes", 'takes still start and end on every node');
    }
  }

  /** The takes the cluster's record holds unended: those running in the cluster, where Redis has lost its list. */
  async unended(): Promise<UnendedTake[]> {
    try {
      const { rows } = await this.pool.query<TakeRow>(`SELECT ${COLUMNS} FROM cluster_takes WHERE ended_at IS NULL ORDER BY started_at, id`);
      return rows.map((r) => ({ scene: r.scene, take: r.take, cameras: r.cameras, exceptCameras: r.except_cameras ?? [], startedAt: r.started_at }));
    } catch (error) {
      throw clusterQueryError(error, "the cluster's running takes");
    }
  }

  /**
   * The cluster's record of a take this node resumed after a restart and
   * found ended in the cluster (another node ended it while this one was
   * down): its key (its start where it was started) and its end; null when
   * the record holds no such ended take. Of the records of its scene and
   * take (one slated again has another), the last started by the take's
   * last frame here (`ranUntil`): one started after this node went down is
   * another take. RESUMED_SLACK_MS allows for the nodes' clocks.
   */
  async endOfResumed(take: Take, ranUntil: number): Promise<{ startedAt: number; endedAt: number } | null> {
    try {
      const { rows } = await this.pool.query<{ started_at: number; ended_at: number | null }>(
        'SELECT started_at, ended_at FROM cluster_takes WHERE scene = $1 AND take = $2 AND started_at <= $3 ORDER BY started_at DESC LIMIT 1',
        [noNul(take.scene), noNul(take.take), Math.max(take.startedAt, ranUntil) + RESUMED_SLACK_MS],
      );
      const record = rows[0];
      return record && record.ended_at !== null ? { startedAt: record.started_at, endedAt: record.ended_at } : null;
    } catch (error) {
      throw clusterQueryError(error, "the cluster's record of a take");
    }
  }

  /** The cluster's takes (of one scene), oldest first, with ids of the cluster's record. */
  /**
   * Every scene and take the cluster has slated or an edit put a shot in,
   * each once, oldest first (takes before shots): the spellings a node
   * starting now resolves new ones to (ShotLog.knowClusterSlates).
   */
  async slates(): Promise<KnownSlate[]> {
    try {
      // With when each was shot (a take still running: no end), which TAKE_EXISTS says.
      const { rows } = await this.pool.query<{ scene: string; take: string | null; first: number; last: number | null }>(
        `SELECT scene, take, MIN(at) AS first, CASE WHEN bool_or(until IS NULL) THEN NULL ELSE MAX(until) END AS last FROM (
           SELECT scene, take, 0 AS source, started_at AS at, ended_at AS until FROM cluster_takes
           UNION ALL SELECT scene, take, 1, in_time, out_time FROM cluster_shots WHERE scene IS NOT NULL
         ) slates GROUP BY scene, take ORDER BY MIN(source), MIN(at)`,
      );
      return rows.map((r) => ({ scene: r.scene, take: r.take, shot: { from: r.first, to: r.last } }));
    } catch (error) {
      throw clusterQueryError(error, "the cluster's scenes and takes");
    }
  }

  async list(scene?: string): Promise<Take[]> {
    // A take started or ended here a moment ago is listed as it stands (its record's write may still be on its way).
    await this.writes.flushWithin(RECORD_WAIT_MS);
    try {
      const { rows } = await this.pool.query<TakeRow>(
        `SELECT ${COLUMNS} FROM cluster_takes${scene === undefined ? '' : ' WHERE scene = $1'} ORDER BY started_at, id`,
        scene === undefined ? [] : [noNul(scene)],
      );
      return rows.map(fromRow);
    } catch (error) {
      throw clusterQueryError(error, "the cluster's takes", 'takes still start and end on every node');
    }
  }

  /** Marks the record with this id; null when there is none. */
  async mark(id: number, mark: TakeMark | null): Promise<Take | null> {
    try {
      const { rows } = await this.pool.query<TakeRow>(`UPDATE cluster_takes SET mark = $2 WHERE id = $1 RETURNING ${COLUMNS}`, [id, mark]);
      return rows[0] ? fromRow(rows[0]) : null;
    } catch (error) {
      throw clusterQueryError(error, "the cluster's takes");
    }
  }

  async close(): Promise<void> {
    await this.writes.close();
  }
}
