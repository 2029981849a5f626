/**
 * What the take slate says about its cameras and its buttons: pure,
 * unit-tested under node (test/unit/web-take-slate.test.ts).
 */

/** The cameras a take starts or ends on, as the menu's summary reads after "On": none picked is every camera. */
export function camerasSummary(picked: readonly string[], name: (id: string) => string): string {
  return picked.length === 0 ? 'all cameras' : picked.map(name).join(', ');
}

export interface SlateState {
  /** The token may slate takes. */
  operator: boolean;
  /** The page is connected to the server (live.connection); lost, a start or an end could only fail. */
  connected: boolean;
  /** A start or end is on its way to the server. */
  busy: 'start' | 'end' | null;
  /** Takes running now. */
  running: number;
}

/** Why the slate's buttons and camera menu cannot be used now; null where they can. */
export interface SlateBlockers {
  start: string | null;
  end: string | null;
  /** The camera menu ("On all cameras"): the cameras it picks are for a start or an end, which wait for the server too. */
  cameras: string | null;
}

/**
 * Why Start, End and the camera menu cannot be used now (null: they can).
 * Told in words that a screen reader reads with the button, since a
 * disabled button's tooltip is out of reach of the keyboard. With the
 * server lost (killed, a network drop) a start or an end pressed anyway
 * failed after a 5 s wait: they wait for the page to reconnect instead.
 */
export function slateBlockers(state: SlateState): SlateBlockers {
  const cameras = state.connected ? null : 'Not connected to the server: the cameras of a take can be picked once the page reconnects.';
  if (!state.operator) return { start: 'Starting a take needs an operator token.', end: 'Ending a take needs an operator token.', cameras };
  if (!state.connected) {
    return { start: 'Not connected to the server: a take can be started once the page reconnects.', end: 'Not connected to the server: a take can be ended once the page reconnects.', cameras };
  }
  if (state.busy === 'start') return { start: 'A take is starting.', end: 'A take is starting.', cameras };
  if (state.busy === 'end') return { start: 'A take is ending.', end: 'A take is ending.', cameras };
  return { start: null, end: state.running === 0 ? 'No take is running to end.' : null, cameras };
}

/** A take number the scene has used already (the server's TAKE_EXISTS), and the next free one. */
export interface UsedTake {
  scene: string;
  take: string;
  next: string;
  /** When the used take ran, as the server's clock read it ("shot 14:02:11 to 14:05:40"). */
  when: string;
}

/**
 * The used take a refusal names, when it is TAKE_EXISTS with its details;
 * null for any other refusal (or details a server did not send). The slate
 * then offers both ways on: the next number, or the same one again.
 */
export function usedTake(error: { code: string; details?: Record<string, unknown> }): UsedTake | null {
  if (error.code !== 'TAKE_EXISTS' || !error.details) return null;
  const { scene, take, next, when } = error.details;
  const text = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
  return text(scene) && text(take) && text(next) && text(when) ? { scene, take, next, when } : null;
}

/** The cameras of a running take: every camera, every camera but those it has left, or those named. */
export function takeCamerasText(take: { cameras: readonly string[] | null; exceptCameras?: readonly string[] }, name: (id: string) => string): string {
  if (take.cameras !== null) return take.cameras.map(name).join(', ');
  return take.exceptCameras?.length ? `all cameras but ${take.exceptCameras.map(name).join(', ')}` : 'all cameras';
}
