/**
 * Since when has a camera's picture not changed at all? A capture card or a
 * decoder that loses its input often holds the last frame it had: frames
 * keep coming, so the feed never stalls, but the wall shows a label of a
 * picture that is no longer live. Such frames are identical to the byte
 * once decoded and scaled; a live camera's sensor noise changes some pixel
 * of any two frames even on a still scene (a few of 8,800 sampled pixels by
 * one level is enough), so only an exact match counts. A still picture
 * sent on purpose (bars, a slate) is identical too: the alert says both.
 */
import type { Frame } from '../shared/frame.js';
import { sampleStep } from './picture-check.js';

interface Watched {
  /** The source session it was seen in: a restarted source starts a new run, so a run never spans an outage. */
  session: number;
  sample: Uint8Array;
  /** Capture time of the first frame of the run of identical ones. */
  since: number;
}

export class StillPictureWatch {
  private readonly cameras = new Map<string, Watched>();

  /**
   * The capture time since which this camera's frames have been identical
   * to this one (its own when it differs from the frame before), or null
   * for its first frame (of the camera, or of a restarted source).
   */
  observe(frame: Pick<Frame, 'cameraId' | 'session' | 'data' | 'captureTime'>): number | null {
    const sample = sampled(frame.data);
    const last = this.cameras.get(frame.cameraId);
    const sameSession = last?.session === frame.session;
    if (last && sameSession && sameBytes(last.sample, sample)) {
      // The clock set back (NTP, a DST mistake): the run counts from now, not from a time still to come.
      last.since = Math.min(last.since, frame.captureTime);
      return last.since;
    }
    this.cameras.set(frame.cameraId, { session: frame.session, sample, since: frame.captureTime });
    return last && sameSession ? frame.captureTime : null;
  }

  forget(cameraId: string): void {
    this.cameras.delete(cameraId);
  }
}

/** The pixels the flat check reads too (sampleStep): a frozen frame is the same everywhere, and noise shows in a sample as well as in the whole. */
function sampled(data: Uint8Array): Uint8Array {
  const pixels = Math.floor(data.length / 3);
  const step = sampleStep(pixels);
  const out = new Uint8Array(Math.ceil(pixels / step) * 3);
  for (let p = 0, o = 0; p < pixels; p += step, o += 3) out.set(data.subarray(p * 3, p * 3 + 3), o);
  return out;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
