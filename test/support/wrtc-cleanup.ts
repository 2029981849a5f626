/**
 * @roamhq/wrtc crashes (SIGSEGV) when the process ends by emptying its event
 * loop while native WebRTC objects are still waiting for the garbage
 * collector; an explicit process.exit (what the CLI does) does not. A test
 * file ends the first way, so its `after` hook collects them first.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export async function collectWrtcGarbage(): Promise<void> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 100));
  }
}
