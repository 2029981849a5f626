/**
 * The cluster's tables in PostgreSQL, as numbered migrations like the shot
 * log's. Nodes start together: each migrates inside one transaction holding
 * an advisory lock, so exactly one applies a step and the others see it done.
 */
import type pg from 'pg';
import { ShotscaleError } from '../errors.js';
import { redactUrl } from './cluster-connections.js';

const MIGRATIONS: readonly string[] = [
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
];

/** Any constant: the advisory lock that serialises the nodes' migrations. */
const MIGRATION_LOCK = 0x5ca1e;

export const CLUSTER_SCHEMA_VERSION = MIGRATIONS.length;

export async function migrateCluster(pool: pg.Pool): Promise<number> {
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
    for (; version < MIGRATIONS.length; version += 1) await client.query(MIGRATIONS[version]!);
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
