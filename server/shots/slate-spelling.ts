/**
 * One spelling per scene, and per take of a scene: "kitchen" slated on one
 * dashboard after "Kitchen" on another is the scene "Kitchen", and take
 * "12a" of it after "12A" is take "12A". Split over two spellings, coverage
 * would count each framing in one and call it missing in the other, and a
 * take number would be slated twice. Two spellings are one where slateKey
 * says so (case, runs of spaces, Unicode composition); the spelling kept is
 * the one in use already (logSpelling: a cluster's, a take's, a plan's, a shot's).
 * Every way in resolves through here: a take started, a shot edited, a plan
 * set, a filter asked for (HTTP, Socket.IO, the command line).
 */
import { canonicalTake, slateKey, slateText } from '../shared/input-limits.js';
import type { PlanStore } from '../store/plan-store.js';
import type { ShotStore } from '../store/shot-store.js';
import type { TakeStore } from '../store/take-store.js';

/** Where the spellings in use are read, each in the order the first of them wins. */
export interface SpellingSources {
  /** Every scene spelling in use, the one to keep first (see logSpelling). Lazy: read as far as needed. */
  scenes(): Iterable<string>;
  /** Every take spelling in use in `scene`, oldest first. */
  takes(scene: string): Iterable<string>;
}

/** The scene and take fields of a filter or edit. */
interface Slated {
  scene?: string | null;
  take?: string | null;
}

export class SlateSpelling {
  constructor(private readonly sources: SpellingSources) {}

  /** The scene as the log spells it; a scene not in use as slateText has it. */
  scene(text: string): string {
    return firstSpelling(slateText(text), this.sources.scenes());
  }

  /** The take of `scene` (already spelled) as the log spells it; one not in use as canonicalTake has it. */
  take(scene: string, text: string): string {
    return firstSpelling(canonicalTake(text), this.sources.takes(scene));
  }

  /**
   * A filter's or edit's scene and take as the log spells them. Blank text
   * is kept as sent (a filter on it finds nothing, rather than every shot);
   * null (an edit clearing the field) stays null. A take given without a
   * scene is of `sceneNow`: the scene of the shot an edit changes (null: it
   * has none, or a filter of any scene). A filter's take of any scene is
   * kept as canonicalTake has it: each scene keeps its own spelling of a
   * take (12a in one, 12A in another), and a filter finds one spelling.
   */
  slated<T extends Slated>(given: T, sceneNow?: string | null): T {
    const spelled: T = { ...given };
    if (typeof given.scene === 'string' && given.scene.trim()) spelled.scene = this.scene(given.scene);
    if (typeof given.take === 'string' && given.take.trim()) {
      const scene = given.scene !== undefined ? spelled.scene : sceneNow;
      spelled.take = typeof scene === 'string' ? this.take(scene, given.take) : canonicalTake(given.take);
    }
    return spelled;
  }
}

/** `spelled` as the first of `known` that is the same name (slateKey), or as it is. */
function firstSpelling(spelled: string, known: Iterable<string>): string {
  if (!spelled) return spelled;
  const key = slateKey(spelled);
  for (const name of known) if (name === spelled || slateKey(name) === key) return name;
  return spelled;
}

/** A scene and take in use elsewhere (a cluster's record): take null for a shot with a scene alone. */
export interface KnownSlate {
  scene: string;
  take: string | null;
  /** When it was shot, where known (epoch ms): its first start, and its last end (null: a take of it still runs). */
  shot?: { from: number; to: number | null };
}

/** Spellings in use beyond a shot log's own tables. */
export interface OtherSpellings {
  /** The cluster's takes and shots, read when the node joined it: before anything of the node's own. */
  slates?: () => readonly KnownSlate[];
  /** A config's plans' scenes. */
  configScenes?: () => Iterable<string>;
}

/**
 * The spellings of a shot log's database: a cluster's (`other.slates`,
 * first: every node then spells a scene as the cluster's record does, even
 * where its own file kept another spelling), its takes', the config's
 * plans', its stored plans' (null: not read), its shots'.
 */
export function logSpelling(takes: TakeStore, plans: PlanStore | null, shots: ShotStore, other: OtherSpellings = {}): SlateSpelling {
  return new SlateSpelling({
    *scenes() {
      for (const slate of other.slates?.() ?? []) yield slate.scene;
      yield* takes.sceneNames();
      yield* other.configScenes?.() ?? [];
      if (plans) yield* plans.sceneNames();
      yield* shots.sceneNames();
    },
    *takes(scene) {
      for (const slate of other.slates?.() ?? []) if (slate.take !== null && slate.scene === scene) yield slate.take;
      yield* takes.takeNames(scene);
      yield* shots.takeNames(scene);
    },
  });
}
