/**
 * When an open shot is told again (the `shot` event) while it runs: when its
 * scale is not the one last told. The `shot` event went out only when a shot
 * opened and closed, so a dashboard showed the running shot at the scale it
 * opened with (the previous shot's, or none read yet) for the whole shot,
 * while GET /api/shots?status=open had the scale it has now. The open shot
 * is written 4 times a second (ShotTracker.persistOpen); this looks at each
 * of those writes and lets at most one a second per camera through.
 */
import type { ShotRecord } from '../shared/shots.js';

/** At most one push of a running shot a second per camera: a scale that flickers between two classes costs one event a second, not four. */
export const OPEN_SHOT_PUSH_MS = 1000;

interface Told {
  id: number;
  scale: string;
  at: number;
}

export class OpenShotPush {
  /** Per camera: the open shot as last told, and when. */
  private readonly last = new Map<string, Told>();

  constructor(private readonly gapMs = OPEN_SHOT_PUSH_MS) {}

  /** The open shot was told at `now` (it opened, or moved to another take). */
  told(shot: ShotRecord, now: number): void {
    this.last.set(shot.cameraId, { id: shot.id, scale: shot.scale, at: now });
  }

  /**
   * The open shot as written now: whether to tell it again (its scale is not
   * the one last told, and the last push is a second old). One that must
   * wait is told on a later write, as the scale still differs then.
   */
  due(shot: ShotRecord, now: number): boolean {
    const last = this.last.get(shot.cameraId);
    if (last && last.id === shot.id && (last.scale === shot.scale || now - last.at < this.gapMs)) return false;
    this.last.set(shot.cameraId, { id: shot.id, scale: shot.scale, at: now });
    return true;
  }

  /** The camera's shot closed (and was told so). */
  closed(cameraId: string): void {
    this.last.delete(cameraId);
  }
}
