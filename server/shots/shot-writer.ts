/**
 * The trackers' shot writes, through the held-writes queue (WriteBehind), so
 * that a full or failing disk never stops the pipeline and loses nothing.
 *
 * Ids are allocated here, not by the insert: a shot is announced (and its
 * later writes are queued) under its id whether or not its insert has landed
 * yet. An open shot's updates coalesce into one held write, and its close
 * supersedes them, so the queue holds about three writes per shot (insert,
 * update, close with its thumbnail) however long the outage.
 */
import type { ShotRecord } from '../shared/shots.js';
import type { FrameAnalysis } from './shot-accumulator.js';
import type { ShotStore } from '../store/shot-store.js';
import type { WriteBehind } from '../store/write-behind.js';

export class ShotWriter {
  private nextId = 0;

  constructor(
    private readonly shots: ShotStore,
    private readonly held: WriteBehind,
  ) {}

  /** Queues (or writes) a new shot; returns the id it has from now on. */
  open(shot: ShotRecord, takeId: number | null): number {
    const id = this.allocateId();
    const record = { ...shot, id };
    this.held.write({ shotId: id, run: () => void this.shots.add(record, takeId) });
    return id;
  }

  /** The open shot moved to another take. */
  relabel(shot: ShotRecord, takeId: number | null): void {
    this.held.write({ shotId: shot.id, run: () => void this.shots.patch(shot.id, { scene: shot.scene, take: shot.take }, takeId) });
  }

  /** The open shot grew: the latest state replaces a held one. */
  extend(shot: ShotRecord): void {
    this.held.write({ shotId: shot.id, coalesce: extendKey(shot.id), run: () => this.shots.extend(shot) });
  }

  /** The shot closed: it writes every column an update would, so a held update is dropped. */
  finish(shot: ShotRecord, jpeg: Uint8Array | null, analysis: FrameAnalysis | null = null): void {
    this.held.write({ shotId: shot.id, supersedes: extendKey(shot.id), run: () => this.shots.finish(shot, jpeg, analysis) });
  }

  /**
   * One past both the last id given out and the highest stored: ids held in
   * memory are not in the table yet, and a shot stored by another path (a
   * test, a tool) must not be overwritten. A read, so it works on a full disk;
   * if even reading fails, the memory alone decides.
   */
  private allocateId(): number {
    let stored = 0;
    try {
      stored = this.shots.nextId();
    } catch {
      // a failing disk: see above
    }
    this.nextId = Math.max(this.nextId, stored);
    return this.nextId++;
  }
}

function extendKey(id: number): string {
  return `extend:${id}`;
}
