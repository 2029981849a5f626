/**
 * Failed token attempts per address: after `maxFailures` wrong tokens within
 * `windowS`, the address is refused anything that needs a token for
 * `blockS` (even with the right one: a guesser must not learn when it got it
 * right). Pages and public routes stay reachable. Memory is bounded: at most
 * MAX_TRACKED addresses are remembered, the stalest forgotten first.
 */
import type { Clock } from '../../shared/clock.js';

export interface AttemptLimits {
  maxFailures: number;
  windowS: number;
  blockS: number;
}

/** A flood from many addresses must not grow memory without bound. */
const MAX_TRACKED = 10_000;

interface Track {
  /** Times of the failures still inside the window, oldest first. */
  failures: number[];
  blockedUntil: number;
}

export class AttemptLimiter {
  private readonly tracks = new Map<string, Track>();

  constructor(
    private readonly limits: AttemptLimits,
    private readonly clock: Clock,
  ) {}

  /** Milliseconds until `address` may try again; 0 when it may now. */
  blockedFor(address: string): number {
    const track = this.tracks.get(address);
    if (!track) return 0;
    return Math.max(0, track.blockedUntil - this.clock());
  }

  /** Records a wrong token; true when this failure blocks the address. */
  fail(address: string): boolean {
    const now = this.clock();
    const track = this.tracks.get(address) ?? { failures: [], blockedUntil: 0 };
    // Re-inserted so that Map order is least recently failed first.
    this.tracks.delete(address);
    this.tracks.set(address, track);
    const windowStart = now - this.limits.windowS * 1000;
    track.failures = track.failures.filter((t) => t > windowStart);
    track.failures.push(now);
    if (this.tracks.size > MAX_TRACKED) this.tracks.delete(this.tracks.keys().next().value!);
    if (track.failures.length < this.limits.maxFailures) return false;
    track.failures = [];
    track.blockedUntil = now + this.limits.blockS * 1000;
    return true;
  }

  /** Addresses blocked now (a gauge in /metrics). */
  blockedCount(): number {
    const now = this.clock();
    let count = 0;
    for (const track of this.tracks.values()) if (track.blockedUntil > now) count += 1;
    return count;
  }
}
