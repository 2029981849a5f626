/**
 * Which take numbers each scene has used: in this log's takes, in shots an
 * operator moved to a take, and (in a cluster) in the cluster's record. It
 * gives a take its number when none is typed (the scene's next), and refuses
 * a number used before (TAKE_EXISTS) unless it is slated again on purpose:
 * two take 8s would merge in the take line, coverage and alerts.
 */
import { ShotscaleError } from '../errors.js';
import type { ShotStore } from '../store/shot-store.js';
import { takeAfter, type TakeStore } from '../store/take-store.js';
import { clockTime } from './restart-gaps.js';
import type { KnownSlate } from './slate-spelling.js';

/** Two spans of a slate as one: the first start, and the last end (null while a take of it runs). */
function spanOf(a: KnownSlate['shot'], b: NonNullable<KnownSlate['shot']>): NonNullable<KnownSlate['shot']> {
  if (!a) return b;
  return { from: Math.min(a.from, b.from), to: a.to === null || b.to === null ? null : Math.max(a.to, b.to) };
}

/** When another node shot a slate, as TAKE_EXISTS says it. */
function elsewhereWhen(slate: KnownSlate): string {
  if (!slate.shot) return 'on another node';
  return slate.shot.to === null ? `running since ${clockTime(slate.shot.from)}, on another node` : `shot ${clockTime(slate.shot.from)} to ${clockTime(slate.shot.to)}, on another node`;
}

export class UsedTakes {
  /**
   * A cluster's scenes and takes as its record spells them: from before this
   * node ran (knowCluster), and those an edit on another node put a shot in
   * since (knowClusterSlate). Their take numbers count as used here.
   */
  private clusterSlates: readonly KnownSlate[] = [];

  constructor(
    private readonly takes: TakeStore,
    private readonly shots: ShotStore,
  ) {}

  /** The cluster's scenes and takes known here, oldest first (the log's spelling reads them too). */
  get slates(): readonly KnownSlate[] {
    return this.clusterSlates;
  }

  /** The scenes and takes of a cluster's record, oldest first. */
  knowCluster(slates: readonly KnownSlate[]): void {
    this.clusterSlates = slates;
  }

  /** A scene and take another node's edit put a shot in, after this node joined: its number is used here too. */
  knowClusterSlate(slate: KnownSlate): void {
    const known = this.clusterSlates.find((s) => s.scene === slate.scene && s.take === slate.take);
    if (!known) this.clusterSlates = [...this.clusterSlates, slate];
    else if (slate.shot) this.clusterSlates = this.clusterSlates.map((s) => (s === known ? { ...s, shot: spanOf(s.shot, slate.shot!) } : s));
  }

  /**
   * The next take number of `scene`: past this log's takes and shots, and
   * past the cluster's (a node started after takes 1 to 5 were slated on
   * other nodes slates 6, not 1 again).
   */
  next(scene: string): string {
    const here = Number(this.takes.nextTakeNumber(scene));
    const cluster = Number(takeAfter(this.clusterSlates.flatMap((s) => (s.scene === scene && s.take !== null ? [s.take] : []))));
    return String(Math.max(here, cluster));
  }

  /** TAKE_EXISTS when `scene` has had a take `take`, or a shot an operator moved there carries that number. */
  refuseUsed(scene: string, take: string): void {
    const used = this.takes.find(scene, take);
    const moved = used ? null : this.shots.slateSpan(scene, take);
    // In a cluster: slated, or given to a shot by an edit, on another node before this one heard of it.
    const elsewhere = used || moved ? null : this.clusterSlates.find((s) => s.scene === scene && s.take === take);
    if (!used && !moved && !elsewhere) return;
    const next = this.next(scene);
    const when = used
      ? used.endedAt === null
        ? `running since ${clockTime(used.startedAt)}`
        : `shot ${clockTime(used.startedAt)} to ${clockTime(used.endedAt)}`
      : moved
        ? `shot ${clockTime(moved.from)} to ${clockTime(moved.to)}`
        : elsewhereWhen(elsewhere!);
    // The details let a client offer both ways on (the next number, or this one again) without reading the message.
    throw new ShotscaleError('TAKE_EXISTS', `scene ${scene} already has a take ${take} (${when}); the next take is ${next}, or send "again": true to slate take ${take} again`, {
      hint: `slate take ${next}`,
      details: { scene, take, next, when },
    });
  }
}
