/** Coverage plans set over the API, kept per scene with a revision (config plans are not stored). */
import type { Db } from './database.js';
import { guardWrite } from './storage-fault.js';

export interface StoredPlanRow {
  scene: string;
  /** As it was given (parse it again to use it). */
  plan: unknown;
  revision: number;
}

export class PlanStore {
  constructor(private readonly db: Db) {}

  /**
   * Stores the plan under a new revision, which it returns. `check` runs in
   * the same transaction, on the row as stored now (null: none), and may
   * throw to store nothing: a revision check cannot race another write.
   * A full disk is STORAGE_FULL (the plan is not held: it is sent again).
   */
  save(scene: string, plan: unknown, at: number, check: (current: StoredPlanRow | null) => void = () => undefined): number {
    return guardWrite(this.db, () =>
      this.db.transaction(() => {
        check(this.get(scene));
        const revision = this.db.prepare('UPDATE plan_revision SET last = last + 1 WHERE id = 1 RETURNING last').pluck().get() as number;
        this.db.prepare('INSERT OR REPLACE INTO plans (scene, plan, updated_at, revision) VALUES (?, ?, ?, ?)').run(scene, JSON.stringify(plan), Math.round(at), revision);
        return revision;
      })(),
    );
  }

  /** Removes the scene's plan (after `check`, as in save); whether there was one. */
  remove(scene: string, check: (current: StoredPlanRow | null) => void = () => undefined): boolean {
    return guardWrite(this.db, () =>
      this.db.transaction(() => {
        check(this.get(scene));
        return this.db.prepare('DELETE FROM plans WHERE scene = ?').run(scene).changes > 0;
      })(),
    );
  }

  get(scene: string): StoredPlanRow | null {
    const row = this.db.prepare('SELECT scene, plan, revision FROM plans WHERE scene = ?').get(scene) as { scene: string; plan: string; revision: number } | undefined;
    return row ? { scene: row.scene, plan: JSON.parse(row.plan) as unknown, revision: row.revision } : null;
  }

  /** The scenes with a stored plan (SlateSpelling). */
  sceneNames(): string[] {
    return this.db.prepare('SELECT scene FROM plans ORDER BY updated_at, scene').pluck().all() as string[];
  }

  /** Every stored plan as it was given (parse it again to use it). */
  all(): StoredPlanRow[] {
    return (this.db.prepare('SELECT scene, plan, revision FROM plans ORDER BY scene').all() as { scene: string; plan: string; revision: number }[]).map((row) => ({
      scene: row.scene,
      plan: JSON.parse(row.plan) as unknown,
      revision: row.revision,
    }));
  }
}
