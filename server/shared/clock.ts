/**
 * The clock adapter. Wall-clock epoch milliseconds with sub-millisecond
 * precision, monotonic within the process (performance.now() never jumps back
 * when NTP steps the system clock, which would make latencies negative).
 */
export type Clock = () => number;

export const systemClock: Clock = () => performance.timeOrigin + performance.now();
