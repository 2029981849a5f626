/**
 * Coverage for the whole cluster: plans stored once in PostgreSQL, and
 * coverage computed from the cluster's shot log, by one node at a time (the
 * one holding the coverage duty's lease; another takes the duty within the
 * lease time if it dies). Every node answers the coverage routes from the
 * same data.
 */
import type pg from 'pg';
import { coverageReport, refuseBeyondPlanLimit, sceneCoverage } from '../coverage/coverage-plan.js';
import { coverageByCamera } from '../coverage/coverage-stats.js';
import { checkPlanRevision, planRecords } from '../coverage/plan-revision.js';
import type { CoverageQuery, CoverageReport } from '../shots/shot-log.js';
import type { CoveragePlan, CoverageUpdate, PlanRecord, Take } from '../shared/shots.js';
import type { ClusterShotLog } from './cluster-shot-log.js';
import { clusterQueryError } from './pg-errors.js';
import { jsonWithoutNul, noNul } from './shot-replicator.js';

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

  /** The plans set over the API, as they were given, with their revisions. */
  async storedPlans(): Promise<{ scene: string; plan: unknown; revision: number }[]> {
    const { rows } = await this.query<{ scene: string; plan: unknown; revision: string }>('SELECT scene, plan, revision FROM cluster_plans ORDER BY scene');
    return rows.map((row) => ({ scene: row.scene, plan: row.plan, revision: Number(row.revision) }));
  }

  /** Every plan with its revision and source, as the plans API answers. */
  async planRecords(): Promise<PlanRecord[]> {
    return planRecords(this.configPlans, await this.storedPlans());
  }

  async planRecord(scene: string): Promise<PlanRecord | null> {
    return (await this.planRecords()).find((p) => p.scene === scene) ?? null;
  }

  async plans(): Promise<CoveragePlan[]> {
    return (await this.planRecords()).map(({ scene, items }) => ({ scene, items }));
  }

  async plan(scene: string): Promise<CoveragePlan | null> {
    return (await this.plans()).find((p) => p.scene === scene) ?? null;
  }

  /**
   * Stores a plan checked as a single node checks it (the caller parses it
   * first). `expected`: the revision the client loaded; the write itself is
   * conditional on it, so two nodes saving at once cannot both pass.
   */
  async savePlan(scene: string, given: unknown, expected?: number): Promise<PlanRecord> {
    const stored = await this.storedPlans();
    if (!stored.some((row) => row.scene === scene)) refuseBeyondPlanLimit(stored.length);
    const values = [noNul(scene), jsonWithoutNul(given)];
    const written =
      expected === undefined
        ? await this.query("INSERT INTO cluster_plans (scene, plan) VALUES ($1, $2) ON CONFLICT (scene) DO UPDATE SET plan = EXCLUDED.plan, revision = nextval('cluster_plan_revisions'), updated_at = now()", values)
        : expected === 0
          ? await this.query('INSERT INTO cluster_plans (scene, plan) VALUES ($1, $2) ON CONFLICT (scene) DO NOTHING', values)
          : await this.query("UPDATE cluster_plans SET plan = $2, revision = nextval('cluster_plan_revisions'), updated_at = now() WHERE scene = $1 AND revision = $3", [...values, expected]);
    const now = await this.planRecord(scene);
    if (!written.rowCount) checkPlanRevision(scene, expected, now);
    return now!;
  }

  /** Removes the scene's stored plan (`expected` as in savePlan); whether there was one. */
  async removePlan(scene: string, expected?: number): Promise<boolean> {
    const removed = expected === undefined
      ? await this.query('DELETE FROM cluster_plans WHERE scene = $1', [noNul(scene)])
      : await this.query('DELETE FROM cluster_plans WHERE scene = $1 AND revision = $2', [noNul(scene), expected]);
    if (removed.rowCount) return true;
    // Nothing deleted: a stale revision is a conflict; no stored plan at the revision named (0) is nothing to delete.
    checkPlanRevision(scene, expected, await this.planRecord(scene));
    return false;
  }

  async report(query: CoverageQuery): Promise<CoverageReport> {
    return coverageReport(query, await this.shots.list(query), query.scene === undefined ? null : await this.plan(query.scene));
  }

  /**
   * What the `coverage` event carries, over every node's shots since
   * `since`; `running`: the takes running, oldest first (as the shot log
   * lists them), the latest of them the current take.
   */
  async update(since: number, running: readonly Take[]): Promise<CoverageUpdate> {
    const plans = await this.plans();
    const planOf = (scene: string) => plans.find((p) => p.scene === scene) ?? null;
    const { rows } = await this.query<{ scene: string }>('SELECT DISTINCT scene FROM cluster_shots WHERE scene IS NOT NULL');
    const names = [...new Set([...plans.map((p) => p.scene), ...rows.map((r) => r.scene)])].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
    // One query at a time: the pool's few connections stay free for the node's own ticks.
    const scenes = [];
    for (const scene of names) scenes.push(sceneCoverage(scene, null, await this.shots.list({ scene }), planOf(scene)));
    // Newest first, as a single server sends them: two scenes shot at once each have their take's line.
    const takes = [];
    for (const take of [...running].reverse()) takes.push(sceneCoverage(take.scene, take.take, await this.shots.list({ scene: take.scene, take: take.take }), planOf(take.scene)));
    return { perCamera: coverageByCamera(await this.shots.list({ from: since })), current: takes[0] ?? null, running: takes, scenes };
  }
}
