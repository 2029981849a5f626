/**
 * The second fence. Leases live in Redis; a node cut off from Redis alone
 * (while the others still reach it) cannot renew, and after the lease time
 * another node claims its cameras. It cannot learn that from Redis, so each
 * claim is also recorded in PostgreSQL (who claimed a camera last, with a
 * generation from one sequence), and a node that cannot reach Redis reads
 * that record every tick: a camera another node claimed after this node's
 * own record is stopped here at once. Two nodes then analyse a camera for
 * about a second, not until Redis comes back. A node cut off from both
 * engines cannot know, and keeps its cameras.
 */
import type pg from 'pg';

export class CameraClaims {
  constructor(
    private readonly pool: pg.Pool,
    private readonly nodeId: string,
  ) {}

  /** This node claimed `cameraId` (its lease in Redis is taken): the claim's generation. */
  async record(cameraId: string): Promise<number> {
    const { rows } = await this.pool.query<{ generation: string }>(
      `INSERT INTO cluster_camera_claims (camera_id, node_id, generation) VALUES ($1, $2, nextval('cluster_claim_generations'))
       ON CONFLICT (camera_id) DO UPDATE SET node_id = EXCLUDED.node_id, generation = EXCLUDED.generation, claimed_at = now()
       RETURNING generation`,
      [cameraId, this.nodeId],
    );
    return Number(rows[0]!.generation);
  }

  /** Of the cameras held here (with the generation of this node's record), those another node claimed since. */
  async takenOver(held: ReadonlyMap<string, number>): Promise<{ cameraId: string; nodeId: string }[]> {
    if (!held.size) return [];
    const { rows } = await this.pool.query<{ camera_id: string; node_id: string; generation: string }>('SELECT camera_id, node_id, generation FROM cluster_camera_claims WHERE camera_id = ANY($1)', [[...held.keys()]]);
    return rows.filter((r) => r.node_id !== this.nodeId && Number(r.generation) > held.get(r.camera_id)!).map((r) => ({ cameraId: r.camera_id, nodeId: r.node_id }));
  }
}
