/**
 * The cluster's tables in PostgreSQL, as numbered migrations like the shot
 * log's. Nodes start together: each migrates inside one transaction holding
 * an advisory lock, so exactly one applies a step and the others see it done.
 */
import type pg from 'pg';
import { ShotscaleError } from '../errors.js';
import { canonicalTake, slateKey, slateText } from '../shared/input-limits.js';
import { redactUrl } from './cluster-connections.js';

/** A step: SQL, or one that reads and rewrites rows in JavaScript (inside the migration's transaction). */
type ClusterMigration = string | ((client: pg.PoolClient) => Promise<void>);

const MIGRATIONS: readonly ClusterMigration[] = [
  // 1: the cameras, defined once for the cluster. `revision` comes from one
  // sequence on every insert and change, so the node analysing a camera sees
  // that it must restart it (a camera removed and added again included).
  `CREATE SEQUENCE cluster_camera_revisions;
   CREATE TABLE cluster_cameras (
     id TEXT PRIMARY KEY,
     config JSONB NOT NULL,
     revision BIGINT NOT NULL DEFAULT nextval('cluster_camera_revisions'),
     created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
     updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
   )`,
  // 2: the one shot log. Each node has a number, and its shots ids from
  // number * 2^36 up, so ids are unique over the cluster and stay the same
  // in the node's own file, in PostgreSQL and in every export. A shot is its
  // record (JSON, as the API gives it) plus the columns filters use.
  `CREATE TABLE cluster_nodes (
     node_id TEXT PRIMARY KEY,
     number SERIAL UNIQUE
   );
   CREATE TABLE cluster_shots (
     id BIGINT PRIMARY KEY,
     node_id TEXT NOT NULL,
     camera_id TEXT NOT NULL,
     status TEXT NOT NULL,
     in_time DOUBLE PRECISION NOT NULL,
     out_time DOUBLE PRECISION NOT NULL,
     scene TEXT,
     take TEXT,
     record JSONB NOT NULL,
     updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
   );
   CREATE INDEX cluster_shots_time ON cluster_shots (in_time);
   CREATE INDEX cluster_shots_camera_time ON cluster_shots (camera_id, in_time);
   CREATE INDEX cluster_shots_open ON cluster_shots (node_id) WHERE status = 'open'`,
  // 3: coverage plans set over the API, for every node (a config's plans stay in its config).
  `CREATE TABLE cluster_plans (
     scene TEXT PRIMARY KEY,
     plan JSONB NOT NULL,
     updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
   )`,
  // 4: the cluster's alert history: cameras and plans judged once for the
  // cluster (node_id null), and each node's own conditions (its storage, its
  // engines). A row per alert, updated when it clears, as in the shot log.
  `CREATE TABLE cluster_alerts (
     key TEXT NOT NULL,
     since DOUBLE PRECISION NOT NULL,
     node_id TEXT,
     kind TEXT NOT NULL,
     severity TEXT NOT NULL,
     alert JSONB NOT NULL,
     resolved_at DOUBLE PRECISION,
     PRIMARY KEY (key, since)
   );
   CREATE INDEX cluster_alerts_recent ON cluster_alerts (since DESC)`,
  // 5: the cluster's takes, written by the node where each was started or
  // ended (every node starts and ends the same takes; this is their record).
  `CREATE TABLE cluster_takes (
     id BIGSERIAL PRIMARY KEY,
     scene TEXT NOT NULL,
     take TEXT NOT NULL,
     cameras JSONB,
     started_at DOUBLE PRECISION NOT NULL,
     ended_at DOUBLE PRECISION,
     node_id TEXT NOT NULL,
     UNIQUE (scene, take, started_at)
   );
   CREATE INDEX cluster_takes_scene ON cluster_takes (scene, started_at)`,
  // 6: each closed shot's thumbnail, so that any node's wall shows every node's shots.
  `CREATE TABLE cluster_thumbnails (
     shot_id BIGINT PRIMARY KEY,
     jpeg BYTEA NOT NULL
   )`,
  // 7: the production's calibration, one for the cluster: the samples
  // operators labelled on any node, the heads fitted from them (versions,
  // never overwritten) and which head each camera uses ('*': every camera
  // without its own), so a camera keeps its head on whichever node runs it.
  `CREATE TABLE cluster_calibration_samples (
     id BIGSERIAL PRIMARY KEY,
     node_id TEXT NOT NULL,
     camera_id TEXT NOT NULL,
     captured_at DOUBLE PRECISION NOT NULL,
     created_at DOUBLE PRECISION NOT NULL,
     source TEXT NOT NULL,
     taxonomy TEXT NOT NULL,
     label TEXT NOT NULL,
     shown TEXT,
     shot_id BIGINT,
     features BYTEA NOT NULL,
     feature_names JSONB NOT NULL,
     rules JSONB NOT NULL,
     jpeg BYTEA
   );
   CREATE INDEX cluster_calibration_samples_camera ON cluster_calibration_samples (camera_id, id);
   CREATE TABLE cluster_calibration_heads (
     id BIGSERIAL PRIMARY KEY,
     node_id TEXT NOT NULL,
     created_at DOUBLE PRECISION NOT NULL,
     samples INTEGER NOT NULL,
     head JSONB NOT NULL,
     report JSONB NOT NULL
   );
   CREATE TABLE cluster_calibration_applied (
     scope TEXT PRIMARY KEY,
     head_id BIGINT REFERENCES cluster_calibration_heads (id),
     applied_at DOUBLE PRECISION NOT NULL
   )`,
  // 8: who claimed each camera last, written by the node after its lease in
  // Redis: the fence a node cut off from Redis alone reads, to stop a camera
  // another node took over meanwhile. Generations come from one sequence.
  `CREATE SEQUENCE cluster_claim_generations;
   CREATE TABLE cluster_camera_claims (
     camera_id TEXT PRIMARY KEY,
     node_id TEXT NOT NULL,
     generation BIGINT NOT NULL,
     claimed_at TIMESTAMPTZ NOT NULL DEFAULT now()
   )`,
  // 9: each stored plan's revision, from one sequence on every save (a plan
  // deleted and stored again never gets a revision a client may still hold),
  // so a stale edit from a dashboard is refused instead of overwriting.
  `CREATE SEQUENCE cluster_plan_revisions;
   ALTER TABLE cluster_plans ADD COLUMN revision BIGINT NOT NULL DEFAULT nextval('cluster_plan_revisions')`,
  // 10: a take's mark (circled: print it; ng: no good), set on any node and
  // read by every node's coverage and exports from here. NULL: unmarked.
  `ALTER TABLE cluster_takes ADD COLUMN mark TEXT CHECK (mark IN ('circled', 'ng'))`,
  // 11: the cameras a take on every camera has left while it runs on the
  // others (a take started or ended there alone), as each node's log has
  // them (`cameras` shrinks instead for a take on named cameras). NULL: none.
  `ALTER TABLE cluster_takes ADD COLUMN except_cameras JSONB`,
  // 12: the ids of cameras removed over the API, so that a node started
  // later with a config that still lists one does not add it back. Adding
  // the camera over the API again clears its row.
  `CREATE TABLE cluster_removed_cameras (
     id TEXT PRIMARY KEY,
     removed_at TIMESTAMPTZ NOT NULL DEFAULT now()
   )`,
  // 13: what every node of the cluster must agree on and its config alone
  // says: the key prefix of its Redis keys. Recorded by the first node that
  // starts (on a cluster made before this step too), checked by every later
  // start (see recordClusterIdentity). One row at most.
  `CREATE TABLE cluster_identity (
     one_row BOOLEAN PRIMARY KEY DEFAULT true CHECK (one_row),
     key_prefix TEXT NOT NULL,
     recorded_by TEXT NOT NULL,
     recorded_at TIMESTAMPTZ NOT NULL DEFAULT now()
   )`,
  // 14: the times a node was down during a take (killed, then started
  // again, it resumed the take): a JSON list of { from, to, node, cameras }
  // (epoch ms; the node, and its cameras the restart cut), each node's as
  // its own log notes them (a single server's `gaps`). NULL: none.
  `ALTER TABLE cluster_takes ADD COLUMN IF NOT EXISTS gaps JSONB`,
  // 15: one spelling per scene, take and tag, as the shot log's step 17
  // gives a node's own file (server/store/migrations.ts): take numbers as a
  // whole number ("01" is take 1), scenes and tags in Unicode NFC. Without
  // it a node's take "1" no longer found its record "01" here, and the
  // shots of a node that never runs again kept the old spelling.
  respellSlates,
  // 16: one spelling per scene, and per take of a scene, in any case and
  // spacing, as the shot log's step 18 gives a node's own file: "kitchen"
  // is the scene first slated "Kitchen" (server/shots/slate-spelling.ts).
  respellScenesInAnyCase,
];

/** Rows read at a time where a table may be large (the shots). */
const RESPELL_BATCH = 2000;

/** A JSON array of tags as slateText has them, the first of two that become one kept; null where nothing changes. */
function respelledTags(tags: unknown): string[] | null {
  if (!Array.isArray(tags) || !tags.every((tag) => typeof tag === 'string')) return null;
  const respelled = [...new Set(tags.map(slateText))];
  return respelled.length === tags.length && respelled.every((tag, i) => tag === tags[i]) ? null : respelled;
}

/**
 * Migration 15. In JavaScript rather than SQL: NFC in SQL needs a UTF-8
 * database, and the spelling must be exactly the one the API compares
 * (canonicalTake, slateText). A take or plan that would become one already
 * stored (the same scene, take and start; the same scene) keeps its
 * spelling, as the shot log's step does, rather than the upgrade failing.
 */
async function respellSlates(client: pg.PoolClient): Promise<void> {
  const takes = await client.query<{ id: string; scene: string; take: string; started_at: number }>('SELECT id, scene, take, started_at FROM cluster_takes');
  for (const row of takes.rows) {
    const scene = slateText(row.scene);
    const take = canonicalTake(row.take);
    if (scene === row.scene && take === row.take) continue;
    await client.query(
      `UPDATE cluster_takes SET scene = $2, take = $3 WHERE id = $1
         AND NOT EXISTS (SELECT 1 FROM cluster_takes WHERE scene = $2 AND take = $3 AND started_at = $4)`,
      [row.id, scene, take, row.started_at],
    );
  }
  const plans = await client.query<{ scene: string }>('SELECT scene FROM cluster_plans');
  for (const { scene } of plans.rows) {
    const respelled = slateText(scene);
    if (respelled === scene) continue;
    await client.query('UPDATE cluster_plans SET scene = $2 WHERE scene = $1 AND NOT EXISTS (SELECT 1 FROM cluster_plans WHERE scene = $2)', [scene, respelled]);
  }
  // The shots by id, a batch at a time: the columns filters use and the record the API answers both change.
  for (let after = '-9223372036854775808'; ; ) {
    const { rows } = await client.query<{ id: string; scene: string | null; take: string | null; tags: unknown }>(
      `SELECT id, scene, take, record->'tags' AS tags FROM cluster_shots
        WHERE id > $1 AND (scene IS NOT NULL OR take IS NOT NULL OR jsonb_typeof(record->'tags') = 'array')
        ORDER BY id LIMIT $2`,
      [after, RESPELL_BATCH],
    );
    for (const row of rows) {
      const scene = row.scene === null ? null : slateText(row.scene);
      const take = row.take === null ? null : canonicalTake(row.take);
      const tags = respelledTags(row.tags);
      if (scene === row.scene && take === row.take && !tags) continue;
      const patch = { scene, take, ...(tags ? { tags } : {}) };
      await client.query('UPDATE cluster_shots SET scene = $2, take = $3, record = record || $4::jsonb WHERE id = $1', [row.id, scene, take, JSON.stringify(patch)]);
    }
    if (rows.length < RESPELL_BATCH) break;
    after = rows[rows.length - 1]!.id;
  }
}

/**
 * Migration 16: runs of spaces made one (slateText, as step 15 now does),
 * then each scene in the spelling used first (slateKey: any case): a
 * take's, else a plan's, else a shot's; and each take of a scene likewise
 * (a take's, else a shot's). A row whose new spelling is taken keeps its
 * own, as in step 15. The shots by distinct scene and take: a few rows.
 */
async function respellScenesInAnyCase(client: pg.PoolClient): Promise<void> {
  await respellSlates(client);
  const scenes = new Map<string, string>();
  const sceneOf = (scene: string) => firstSeen(scenes, slateKey(scene), scene);
  const takes = new Map<string, string>();
  const takeOf = (scene: string, take: string) => firstSeen(takes, `${slateKey(scene)}\u0000${slateKey(take)}`, take);
  const takeRows = await client.query<{ id: string; scene: string; take: string; started_at: number }>('SELECT id, scene, take, started_at FROM cluster_takes ORDER BY started_at, id');
  const planRows = await client.query<{ scene: string }>('SELECT scene FROM cluster_plans ORDER BY updated_at, scene');
  const shotSlates = await client.query<{ scene: string; take: string | null }>(
    'SELECT scene, take FROM cluster_shots WHERE scene IS NOT NULL GROUP BY scene, take ORDER BY MIN(in_time), scene, take',
  );
  for (const row of takeRows.rows) takeOf(sceneOf(row.scene), row.take);
  for (const row of planRows.rows) sceneOf(row.scene);
  for (const row of shotSlates.rows) if (row.take !== null) takeOf(sceneOf(row.scene), row.take);

  for (const row of takeRows.rows) {
    const scene = sceneOf(row.scene);
    const take = takeOf(scene, row.take);
    if (scene === row.scene && take === row.take) continue;
    await client.query(
      `UPDATE cluster_takes SET scene = $2, take = $3 WHERE id = $1
         AND NOT EXISTS (SELECT 1 FROM cluster_takes WHERE scene = $2 AND take = $3 AND started_at = $4)`,
      [row.id, scene, take, row.started_at],
    );
  }
  for (const { scene } of planRows.rows) {
    const respelled = sceneOf(scene);
    if (respelled !== scene) await client.query('UPDATE cluster_plans SET scene = $2 WHERE scene = $1 AND NOT EXISTS (SELECT 1 FROM cluster_plans WHERE scene = $2)', [scene, respelled]);
  }
  for (const row of shotSlates.rows) {
    const scene = sceneOf(row.scene);
    const take = row.take === null ? null : takeOf(scene, row.take);
    if (scene === row.scene && take === row.take) continue;
    await client.query('UPDATE cluster_shots SET scene = $3, take = $4, record = record || $5::jsonb WHERE scene = $1 AND take IS NOT DISTINCT FROM $2', [
      row.scene,
      row.take,
      scene,
      take,
      JSON.stringify({ scene, take }),
    ]);
  }
}

/** The spelling `seen` keeps for `key`: the first given, or `spelled` now that it is the first. */
function firstSeen(seen: Map<string, string>, key: string, spelled: string): string {
  const first = seen.get(key);
  if (first !== undefined) return first;
  seen.set(key, spelled);
  return spelled;
}

/** Any constant: the advisory lock that serialises the nodes' migrations. */
const MIGRATION_LOCK = 0x5ca1e;

export const CLUSTER_SCHEMA_VERSION = MIGRATIONS.length;

/** Brings the cluster's schema to the latest step (`upTo`: an earlier one, as a database made by an earlier version). */
export async function migrateCluster(pool: pg.Pool, upTo = MIGRATIONS.length): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query('CREATE TABLE IF NOT EXISTS shotscale_schema (version INTEGER NOT NULL)');
    const found = await client.query<{ version: number }>('SELECT version FROM shotscale_schema');
    let version = found.rows[0]?.version ?? 0;
    if (!found.rows.length) await client.query('INSERT INTO shotscale_schema (version) VALUES (0)');
    if (version > MIGRATIONS.length) {
      throw new ShotscaleError('CLUSTER_SCHEMA', `the cluster's PostgreSQL schema is at version ${version}; this shotscale knows up to ${MIGRATIONS.length}`, { hint: 'run the same shotscale version on every node' });
    }
    for (; version < upTo; version += 1) {
      const step = MIGRATIONS[version]!;
      await (typeof step === 'string' ? client.query(step) : step(client));
    }
    await client.query('UPDATE shotscale_schema SET version = $1', [version]);
    await client.query('COMMIT');
    return version;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** The database a PostgreSQL URL names, as its error message gives it. */
function databaseOf(postgresUrl: string): string {
  try {
    return decodeURIComponent(new URL(postgresUrl).pathname.slice(1)) || '(the user\'s default)';
  } catch {
    return '(unnamed)';
  }
}

/**
 * Ties the cluster's Redis key prefix to its PostgreSQL database, at start.
 *
 * Why: leases, heartbeats and the fan-out live under the prefix, the cameras
 * and the shot log in the database. A node with another prefix on the same
 * database sees none of the live nodes: it would claim cameras they run
 * (two analyses, doubled shots) and close their open shots as those of
 * nodes that are gone. So the first node records its prefix, and a node
 * whose prefix differs stops before it joins (CONFIG_INVALID, naming both).
 * A cluster made before this record takes the prefix of the first node
 * that starts on it. Changing a cluster's prefix on purpose: stop every
 * node, then `UPDATE cluster_identity SET key_prefix = 'NEW'` (README).
 */
export async function recordClusterIdentity(pool: pg.Pool, node: { keyPrefix: string; nodeId: string; postgresUrl: string }): Promise<void> {
  type Row = { key_prefix: string; recorded_by: string; recorded_at: Date };
  const inserted = await pool.query<Row>(
    'INSERT INTO cluster_identity (key_prefix, recorded_by) VALUES ($1, $2) ON CONFLICT (one_row) DO NOTHING RETURNING key_prefix, recorded_by, recorded_at',
    [node.keyPrefix, node.nodeId],
  );
  // Not inserted: a row was there, or another first node's insert committed meanwhile (read here, by a statement that sees it).
  const rows = inserted.rows.length ? inserted.rows : (await pool.query<Row>('SELECT key_prefix, recorded_by, recorded_at FROM cluster_identity')).rows;
  const recorded = rows[0];
  if (!recorded || recorded.key_prefix === node.keyPrefix) return;
  const database = databaseOf(node.postgresUrl);
  throw new ShotscaleError(
    'CONFIG_INVALID',
    `cluster.keyPrefix: this node has "${node.keyPrefix}", but the cluster in PostgreSQL database "${database}" (${redactUrl(node.postgresUrl)}) uses "${recorded.key_prefix}" (recorded by node ${recorded.recorded_by} at ${recorded.recorded_at.toISOString()}); a node under another prefix would not see the live nodes: it would analyse their cameras a second time and close their open shots`,
    {
      hint: `to join this cluster, set cluster.keyPrefix: ${recorded.key_prefix}, as on its other nodes; a second cluster on the same PostgreSQL server needs a database of its own (createdb, then that database in cluster.postgresUrl); to change this cluster's prefix, stop every node and run UPDATE cluster_identity SET key_prefix = '${node.keyPrefix}' in "${database}"`,
    },
  );
}
