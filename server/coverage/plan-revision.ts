/**
 * Optimistic concurrency for coverage plans: a client names the revision it
 * loaded (If-Match: "3", the ETag of GET /api/plans/:scene) when it changes
 * or deletes a plan, and a plan changed since is refused with the plan as it
 * is now, instead of one script supervisor's save silently undoing another's.
 * A request that names no revision changes the plan whatever it is (scripts
 * and API clients written before revisions).
 */
import { ShotscaleError } from '../errors.js';
import type { CoveragePlan, PlanRecord } from '../shared/shots.js';
import { readStoredPlan } from './coverage-plan.js';

/** The ETag of a plan's revision (revision 0: the config file's plan, or none). */
export function planEtag(revision: number): string {
  return `"${revision}"`;
}

/**
 * The revision an If-Match header names: a number, quoted or not (a weak
 * W/ tag reads the same); undefined when the header is absent. Anything
 * else (a list, "*", text) is refused: a precondition that cannot be
 * checked must not pass for one that was.
 */
export function parseIfMatch(header: string | string[] | undefined): number | undefined {
  if (header === undefined) return undefined;
  const value = (Array.isArray(header) ? header.join(',') : header).trim();
  const match = /^(?:W\/)?(?:"(\d{1,15})"|(\d{1,15}))$/.exec(value);
  if (!match) {
    throw new ShotscaleError('BAD_REQUEST', `If-Match: ${JSON.stringify(value.slice(0, 40))} is not a plan revision; send the ETag of GET /api/plans/SCENE, e.g. If-Match: "3" ("0": no stored plan yet)`);
  }
  return Number(match[1] ?? match[2]);
}

/** Refuses the change (PLAN_CONFLICT) when the plan is no longer at the revision the client loaded; `current` is the plan now (null: none). */
export function checkPlanRevision(scene: string, expected: number | undefined, current: PlanRecord | null): void {
  if (expected === undefined) return;
  const now = current?.revision ?? 0;
  if (now === expected) return;
  const what = current === null ? 'deleted' : `changed (revision ${expected} -> ${now})`;
  throw new ShotscaleError('PLAN_CONFLICT', `the coverage plan of scene "${scene}" was ${what} since it was loaded; load it again, then make the change`, {
    hint: 'GET /api/plans/SCENE answers the plan as it is now, with its revision in the ETag',
    details: { revision: now, plan: current },
  });
}

/** Every plan as the API answers it: the config file's (revision 0), each replaced by a stored one where there is one; by scene name. */
export function planRecords(configPlans: Iterable<CoveragePlan>, stored: Iterable<{ scene: string; plan: unknown; revision: number }>): PlanRecord[] {
  const byScene = new Map<string, PlanRecord>();
  for (const plan of configPlans) byScene.set(plan.scene, { ...plan, revision: 0, source: 'config' });
  for (const row of stored) {
    const overrides = byScene.get(row.scene)?.source === 'config';
    // The row's scene, not the one in the plan as given: an upgrade respells the row (a scene in the case slated first).
    byScene.set(row.scene, { ...readStoredPlan(row.plan), scene: row.scene, revision: row.revision, source: 'stored', ...(overrides ? { overridesConfig: true as const } : {}) });
  }
  return [...byScene.values()].sort((a, b) => a.scene.localeCompare(b.scene, undefined, { numeric: true }));
}
