/**
 * Coverage for the whole cluster: plans stored once in PostgreSQL, and
 * coverage computed from the cluster's shot log, by one node at a time (the
 * one holding the coverage duty's lease; another takes the duty within the
 * lease time if it dies). Every node answers the coverage routes from the
 * same data.
 */
import type pg from 'pg';
import { readStoredPlan, refuseBeyondPlanLimit, sceneCoverage } from '../coverage/coverage-plan.js';
import { coverageByCamera, computeCoverage } from '../coverage/coverage-stats.js';
import type { CoverageQuery, CoverageReport } from '../shots/shot-log.js';
import type { CoveragePlan, CoverageUpdate, Take } from '../shared/shots.js';
import type { ClusterShotLog } from './cluster-shot-log.js';
import { clusterQueryError } from './pg-errors.js';
import { jsonWithoutNul, noNul } from './shot-replicator.js';

const bySceneName = (a: { scene: string }, b: { scene: string }) => a.scene.localeCompare(b.scene, undefined, { numeric: true });

export class ClusterCoverage {
  constructor(
    private readonly pool: pg.Pool,
    private readonly shots: ClusterShotLog,
    /** Plans from this node's config (every node is expected to carry the same). */
    private readonly configPlans: readonly CoveragePlan[],
  ) {}

  private async query<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<pg.QueryResult<R>> {
    try {
      return await this.pool.query<R>(text, values);
    } catch (error) {
      throw clusterQueryError(error, "the cluster's plans");
    }
  }

  /** The plans set over the API, as they were given. */
  async storedPlans(): Promise<{ scene: string; plan: unknown }[]> {
    return (await this.query<{ scene: string; plan: unknown }>('SELECT scene, plan FROM cluster_plans ORDER BY scene')).rows;
  }

  async plans(): Promise<CoveragePlan[]> {
    const byScene = new Map(this.configPlans.map((p) => [p.scene, p]));
    for (const row of await this.storedPlans()) byScene.set(row.scene, readStoredPlan(row.plan));
    return [...byScene.values()].sort(bySceneName);
  }

  async plan(scene: string): Promise<CoveragePlan | null> {
    return (await this.plans()).find((p) => p.scene === scene) ?? null;
  }

  /** Stores a plan checked as a single node checks it (the caller parses it first). */
  async savePlan(scene: string, given: unknown): Promise<void> {
    const stored = await this.storedPlans();
    if (!stored.some((row) => row.scene === scene)) refuseBeyondPlanLimit(stored.length);
    await this.query('INSERT INTO cluster_plans (scene, plan) VALUES ($1, $2) ON CONFLICT (scene) DO UPDATE SET plan = EXCLUDED.plan, updated_at = now()', [noNul(scene), jsonWithoutNul(given)]);
  }

  async removePlan(scene: string): Promise<boolean> {
    return ((await this.query('DELETE FROM cluster_plans WHERE scene = $1', [noNul(scene)])).rowCount ?? 0) > 0;
  }

  async report(query: CoverageQuery): Promise<CoverageReport> {
    const shots = await this.shots.list(query);
    const scene = query.scene === undefined ? null : sceneCoverage(query.scene, query.take ?? null, shots, await this.plan(query.scene));
    return { stats: computeCoverage(shots), perCamera: coverageByCamera(shots), scene };
  }

  /** What the `coverage` event carries, over every node's shots since `since`. */
  async update(since: number, current: Take | null): Promise<CoverageUpdate> {
    const plans = await this.plans();
    const planOf = (scene: string) => plans.find((p) => p.scene === scene) ?? null;
    const { rows } = await this.query<{ scene: string }>('SELECT DISTINCT scene FROM cluster_shots WHERE scene IS NOT NULL');
    const names = [...new Set([...plans.map((p) => p.scene), ...rows.map((r) => r.scene)])].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
    // One query at a time: the pool's few connections stay free for the node's own ticks.
    const scenes = [];
    for (const scene of names) scenes.push(sceneCoverage(scene, null, await this.shots.list({ scene }), planOf(scene)));
    const currentCoverage = current ? sceneCoverage(current.scene, current.take, await this.shots.list({ scene: current.scene, take: current.take }), planOf(current.scene)) : null;
    return { perCamera: coverageByCamera(await this.shots.list({ from: since })), current: currentCoverage, scenes };
  }
}
