/**
 * Keeps what the cameras ask of the model within what it can analyse. It
 * measures two things over a sliding window: how fast frames arrive from each
 * camera, and how many frames a second the model gets through while it is
 * busy. When the cameras ask for more than `targetUtilisation` of that, every
 * camera is given a fair share (max-min: a camera asking for less than an
 * even split keeps its rate, the others share the rest evenly) and frames
 * beyond a camera's share are skipped before they queue: the analysis rate
 * falls evenly instead of latency growing. When load falls, the shares climb
 * back a step at a time (`raisePerUpdate`), so a passing spike does not make
 * them swing.
 *
 * Without it a saturated model took the newest frame of whichever cameras the
 * batch rotation reached, batches grew to every camera, and glass-to-readout
 * latency grew to several batch times (p95 460 ms at 8 cameras on 2 cores).
 */
import type { CapacitySummary } from '../shared/socket-events.js';

export interface GovernorOptions {
  /** Share of the measured capacity handed out; the rest absorbs jitter. */
  targetUtilisation: number;
  /** How far back arrivals and model time are measured. */
  windowMs: number;
  /** How often shares are recomputed. */
  updateMs: number;
  /** Most a share may grow in one update (1.25 = +25%). */
  raisePerUpdate: number;
  /**
   * Shares apply at once, but "over capacity" is reported only once they have
   * held this long: a model's first runs are slower than the rest, and the
   * demo reel logged a warning for its first second. Reported, it is taken
   * back only once no camera has been held to a share for as long: on a
   * machine whose other work made the model's measured speed swing, the
   * report flapped between over and back every 8 to 15 s.
   */
  reportAfterMs: number;
}

export const DEFAULT_GOVERNOR_OPTIONS: GovernorOptions = { targetUtilisation: 0.85, windowMs: 4000, updateMs: 1000, raisePerUpdate: 1.25, reportAfterMs: 3000 };

/** What the health view and /api/health show (see CapacitySummary). */
export type CapacityState = CapacitySummary;

interface CameraState {
  arrivals: number[];
  /** Allowed frames per arriving frame (1 = all). */
  ratio: number;
  /** Credit towards the next admitted frame; a frame is admitted at >= 1. */
  credit: number;
  allowedFps: number;
}

/** Max-min fair split of `capacity` between demands: in the order of the demands given. */
export function fairShares(demands: readonly number[], capacity: number): number[] {
  const order = demands.map((d, i) => ({ d, i })).sort((a, b) => a.d - b.d);
  const shares = new Array<number>(demands.length).fill(0);
  let left = Math.max(0, capacity);
  order.forEach(({ d, i }, k) => {
    const even = left / (order.length - k);
    shares[i] = Math.min(d, even);
    left -= shares[i]!;
  });
  return shares;
}

export class CapacityGovernor {
  private readonly cameras = new Map<string, CameraState>();
  private readonly batches: { at: number; busyMs: number; frames: number }[] = [];
  private lastUpdate = -Infinity;
  /** Since when some camera has been held to a share; null while none is. */
  private throttlingSince: number | null = null;
  /** Since when no camera has been held to a share; null while one is. */
  private calmSince: number | null = null;
  private state: CapacityState = { overCapacity: false, capacityFps: null, demandFps: 0, utilisation: 0, cameras: {} };

  constructor(
    private readonly options: GovernorOptions = DEFAULT_GOVERNOR_OPTIONS,
    private readonly onChange: (state: CapacityState, previous: CapacityState) => void = () => undefined,
    /** Batches the model runs at once (its threads): capacity is per lane times lanes. */
    private readonly lanes = 1,
  ) {}

  addCamera(cameraId: string): void {
    if (!this.cameras.has(cameraId)) this.cameras.set(cameraId, { arrivals: [], ratio: 1, credit: 1, allowedFps: 0 });
  }

  removeCamera(cameraId: string): void {
    this.cameras.delete(cameraId);
  }

  /** A frame arrived from `cameraId` at `now`: true when it is to be analysed. */
  admit(cameraId: string, now: number): boolean {
    const camera = this.cameras.get(cameraId);
    if (!camera) return false;
    camera.arrivals.push(now);
    this.maybeUpdate(now);
    if (camera.ratio >= 1) return true;
    // Credit accrues per arriving frame, so skipped frames are spread evenly
    // (3 of 5 kept reads keep, skip, keep, keep, skip); it stays below 1 + ratio,
    // so it is never saved up into a burst.
    camera.credit += camera.ratio;
    if (camera.credit < 1 - 1e-9) return false;
    camera.credit -= 1;
    return true;
  }

  /** A batch took `busyMs` of model time for `frames` frames, ending at `now`. */
  batch(now: number, busyMs: number, frames: number): void {
    if (frames > 0) this.batches.push({ at: now, busyMs, frames });
    this.maybeUpdate(now);
  }

  /**
   * The state as of `now`. Shares are otherwise recomputed only as frames and
   * batches come in, so a camera whose publisher stopped kept its last
   * arriving rate and share for good (stallcam: "2.2 fps of 0.0 fps" on the
   * wall and 4.1 fps of demand in /api/stats eight minutes on): read against
   * the clock, its arrivals age out of the window and its demand falls to 0.
   */
  snapshot(now?: number): CapacityState {
    if (now !== undefined) this.maybeUpdate(now);
    return this.state;
  }

  private maybeUpdate(now: number): void {
    if (now - this.lastUpdate < this.options.updateMs) return;
    this.lastUpdate = now;
    this.update(now);
  }

  private update(now: number): void {
    const { windowMs, targetUtilisation, raisePerUpdate } = this.options;
    const cutoff = now - windowMs;
    let drop = 0;
    while (drop < this.batches.length && this.batches[drop]!.at < cutoff) drop++;
    if (drop) this.batches.splice(0, drop);
    let busyMs = 0, frames = 0;
    for (const b of this.batches) { busyMs += b.busyMs; frames += b.frames; }
    const ids = [...this.cameras.keys()];
    const arriving = ids.map((id) => {
      const arrivals = this.cameras.get(id)!.arrivals;
      let old = 0;
      while (old < arrivals.length && arrivals[old]! < cutoff) old++;
      if (old) arrivals.splice(0, old);
      // Over the span actually seen, so a camera that just started is not read as slow.
      const span = arrivals.length > 1 ? Math.max(now - arrivals[0]!, 1000) : windowMs;
      return arrivals.length > 1 ? ((arrivals.length - 1) * 1000) / span : 0;
    });
    const demand = arriving.reduce((a, b) => a + b, 0);
    // Too little model time measured yet to say what it can do: hand out everything.
    const capacityFps = busyMs >= 200 && frames >= 3 ? ((frames * 1000) / busyMs) * this.lanes : null;
    const budget = capacityFps === null ? Infinity : capacityFps * targetUtilisation;
    const fair = fairShares(arriving, budget);
    const previous = this.state;
    const cameras: CapacityState['cameras'] = {};
    ids.forEach((id, i) => {
      const camera = this.cameras.get(id)!;
      const wanted = arriving[i]!;
      // Down at once; a throttled camera climbs back a step at a time (one that
      // was not throttled, e.g. just started, takes its share at once).
      const allowed = camera.ratio < 1 ? Math.min(fair[i]!, Math.max(camera.allowedFps * raisePerUpdate, camera.allowedFps + 0.5)) : fair[i]!;
      camera.allowedFps = wanted > 0 ? allowed : 0;
      camera.ratio = wanted > 0 && allowed < wanted * 0.98 ? allowed / wanted : 1;
      if (camera.ratio >= 1) camera.credit = 1;
      cameras[id] = { arrivingFps: round(wanted), allowedFps: round(camera.ratio >= 1 ? wanted : allowed) };
    });
    const span = Math.min(windowMs, Math.max(1000, now - (this.batches[0]?.at ?? now) + (this.batches[0]?.busyMs ?? 0)));
    const throttling = ids.some((id) => this.cameras.get(id)!.ratio < 1);
    this.throttlingSince = throttling ? (this.throttlingSince ?? now) : null;
    this.calmSince = throttling ? null : (this.calmSince ?? now);
    const { reportAfterMs } = this.options;
    // Over: held to shares for reportAfterMs. Back: none held for as long, or nothing asked of the model at all.
    const overCapacity = previous.overCapacity ? throttling || (demand > 0 && now - (this.calmSince ?? now) < reportAfterMs) : throttling && now - this.throttlingSince! >= reportAfterMs;
    // The hold-over above, told apart from a model still short: every camera's fair share covers what it
    // delivers. Not while the model's speed is unmeasured (no batch in the window): nothing says it has room.
    const recovering = overCapacity && capacityFps !== null && arriving.every((wanted, i) => fair[i]! >= wanted * 0.98);
    this.state = {
      overCapacity,
      recovering,
      capacityFps: capacityFps === null ? null : round(capacityFps),
      demandFps: round(demand),
      utilisation: Math.round(Math.min(1, busyMs / (span * this.lanes)) * 100) / 100,
      cameras,
    };
    this.onChange(this.state, previous);
  }
}

const round = (n: number) => Math.round(n * 10) / 10;
