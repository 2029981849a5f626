/**
 * Unsaved plan edits, kept for the life of the page: switching views
 * unmounts the Coverage view and its plan editor, and an operator who
 * pressed w then c must find what they typed (and the editor open) again.
 * A reload or a closed tab asks first while any draft is unsaved.
 */
import type { PlanRow } from './shot-filters.js';

export interface PlanDraft {
  rows: PlanRow[];
  /** The rows as loaded from the server, to tell unsaved edits. */
  savedJson: string;
  /** The revision the edits were made on (0: the config file's plan, or none). */
  revision: number;
}

const drafts = new Map<string, PlanDraft>();

/** The scene whose plan editor is open in the Coverage view (null: none), kept across view switches. */
export const planEditing = $state<{ scene: string | null }>({ scene: null });

export function planDraft(scene: string): PlanDraft | null {
  return drafts.get(scene) ?? null;
}

export function keepPlanDraft(scene: string, draft: PlanDraft): void {
  drafts.set(scene, draft);
}

export function dropPlanDraft(scene: string): void {
  drafts.delete(scene);
}

export function hasPlanDrafts(): boolean {
  return drafts.size > 0;
}

if (typeof window !== 'undefined') {
  window.addEventListener('beforeunload', (event) => {
    if (hasPlanDrafts()) event.preventDefault();
  });
}
