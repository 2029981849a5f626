/** Coverage plans set over the API, kept per scene (config plans are not stored). */
import type { Db } from './database.js';
import { guardWrite } from './storage-fault.js';

export class PlanStore {
  constructor(private readonly db: Db) {}

  /** A full disk is STORAGE_FULL (the plan is not held: it is sent again). */
  save(scene: string, plan: unknown, at: number): void {
    guardWrite(this.db, () => this.db.prepare('INSERT OR REPLACE INTO plans (scene, plan, updated_at) VALUES (?, ?, ?)').run(scene, JSON.stringify(plan), Math.round(at)));
  }

  remove(scene: string): boolean {
    return guardWrite(this.db, () => this.db.prepare('DELETE FROM plans WHERE scene = ?').run(scene).changes > 0);
  }

  /** Every stored plan as it was given (parse it again to use it). */
  all(): { scene: string; plan: unknown }[] {
    return (this.db.prepare('SELECT scene, plan FROM plans ORDER BY scene').all() as { scene: string; plan: string }[]).map((row) => ({
      scene: row.scene,
      plan: JSON.parse(row.plan) as unknown,
    }));
  }
}
