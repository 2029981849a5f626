/**
 * A closed peer connection's native memory (decoder, buffers, threads) is
 * freed only when V8 collects its JavaScript wrapper, and V8 does not see
 * that memory: with nothing else allocating, it may never collect, and every
 * ended session stays resident. So after sessions end (rare events: a
 * publisher leaving), the server asks for one full collection, debounced.
 * It also spares @roamhq/wrtc's crash when a process ends with such objects
 * still waiting to be collected.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const DEBOUNCE_MS = 1000;
let timer: NodeJS.Timeout | null = null;
let collect: (() => void) | null = null;

function collector(): () => void {
  if (!collect) {
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as () => void;
  }
  return collect;
}

/** Collects garbage a second after the last call (a burst of closes costs one collection). */
export function releaseNativeSoon(): void {
  if (timer) clearTimeout(timer);
  timer = setTimeout(() => {
    timer = null;
    collector()();
  }, DEBOUNCE_MS);
  timer.unref();
}
