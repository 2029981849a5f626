/**
 * The coverage plans of a shot log: those of the config file, each under its
 * scene as the log spells it, and those stored over the API, which stand in
 * front of them. Changes are checked against the revision the client loaded
 * (plan-revision.ts) and the number of plans a log may hold.
 */
import { ShotscaleError } from '../errors.js';
import type { Clock } from '../shared/clock.js';
import { slateKey } from '../shared/input-limits.js';
import type { CoveragePlan, PlanRecord } from '../shared/shots.js';
import type { PlanStore } from '../store/plan-store.js';
import { parseCoveragePlan, readStoredPlan, refuseBeyondPlanLimit } from './coverage-plan.js';
import { checkPlanRevision, planRecords } from './plan-revision.js';

/**
 * A plan sent for `scene`, checked: the parsed plan, and the form to store
 * (the input with its scene). Refused (PLAN_INVALID) when it is not a plan
 * or names another scene.
 */
export function planForScene(scene: string, input: unknown): { plan: CoveragePlan; given: unknown } {
  const sent = input && typeof input === 'object' && !Array.isArray(input) ? { scene, ...(input as object) } : input;
  const plan = parseCoveragePlan(sent);
  // The scene in the body may be spelled otherwise ("kitchen" sent to Kitchen): it is the scene as the log spells it.
  if (slateKey(plan.scene) !== slateKey(scene)) throw new ShotscaleError('PLAN_INVALID', `the plan is for scene "${plan.scene}" but was sent to scene "${scene}"`);
  return { plan: { ...plan, scene }, given: { ...(sent as object), scene } };
}

export class ScenePlans {
  private readonly configPlans = new Map<string, CoveragePlan>();

  /**
   * `onChange`: after a plan was set or asked to be removed; `changed`
   * false when there was none to remove (coverage is counted again either
   * way; open editors learn theirs may be stale only when it changed).
   */
  constructor(
    private readonly store: PlanStore,
    private readonly clock: Clock,
    private readonly onChange: (scene: string, changed: boolean) => void,
  ) {}

  /**
   * The config file's plans, each under `sceneOf` its scene: a plan of a
   * scene slated in another spelling is that scene's (two spellings in the
   * config: one plan, the last). `sceneOf` may read configuredScenes().
   */
  configure(plans: readonly CoveragePlan[], sceneOf: (scene: string) => string): void {
    for (const plan of plans) {
      const scene = sceneOf(plan.scene);
      this.configPlans.set(scene, { ...plan, scene });
    }
  }

  /** The scenes the config file has plans for (as the log spells them). */
  configuredScenes(): Iterable<string> {
    return this.configPlans.keys();
  }

  /** The config's plans, each of its scene as the log spells it (a cluster's coverage reads these). */
  configured(): CoveragePlan[] {
    return [...this.configPlans.values()];
  }

  /** The scene's plan: the stored one, else the config file's, else null. */
  plan(scene: string): CoveragePlan | null {
    const stored = this.store.get(scene);
    return stored ? readStoredPlan(stored.plan) : (this.configPlans.get(scene) ?? null);
  }

  all(): CoveragePlan[] {
    return this.records().map(({ scene, items }) => ({ scene, items }));
  }

  /** Every plan with its revision and source, as the plans API answers. */
  records(): PlanRecord[] {
    return planRecords(this.configPlans.values(), this.store.all());
  }

  record(scene: string): PlanRecord | null {
    const config = this.configPlans.get(scene);
    const stored = this.store.get(scene);
    return planRecords(config ? [config] : [], stored ? [stored] : [])[0] ?? null;
  }

  /**
   * Stores the scene's plan. `expected`: the revision the client loaded;
   * a plan changed since is refused (PLAN_CONFLICT) and nothing changes.
   */
  set(scene: string, input: unknown, expected?: number): PlanRecord {
    const { given } = planForScene(scene, input);
    const stored = this.store.all();
    if (!stored.some((p) => p.scene === scene)) refuseBeyondPlanLimit(stored.length);
    this.store.save(scene, given, this.clock(), () => checkPlanRevision(scene, expected, this.record(scene)));
    this.onChange(scene, true);
    return this.record(scene)!;
  }

  /** Removes the scene's stored plan (`expected` as in set); whether there was one. */
  remove(scene: string, expected?: number): boolean {
    const removed = this.store.remove(scene, () => checkPlanRevision(scene, expected, this.record(scene)));
    this.onChange(scene, removed);
    return removed;
  }
}
