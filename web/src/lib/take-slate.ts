/**
 * What the take slate says about its cameras and its buttons: pure,
 * unit-tested under node (test/unit/web-take-slate.test.ts).
 */
import { hasControlCharacter, MAX_NAME_LENGTH, NO_CONTROL_CHARACTERS, slateKey, takeNumberProblems } from '../../../server/shared/input-limits.js';

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

/**
 * How long after a take started a second Start of the same scene is taken
 * for the same press again, ms. A double click (two clicks 200 ms apart) and
 * Enter pressed three times slated takes 41/1, 41/2 and 41/3: each ended the
 * one before after a fraction of a second, a sliver shot on every camera, in
 * the Shots view and every export, its number used up.
 */
export const REPEAT_START_MS = 1500;

/** A take the slate started: its scene as the server took it, and when the server said so (epoch ms). */
export interface StartedTake {
  scene: string;
  take: string;
  at: number;
}

/**
 * Whether a Start would only repeat the one that started `last` just now
 * (not sent): the same scene, with no take number typed since (the field is
 * emptied once a take starts), within REPEAT_START_MS. A take number typed,
 * another scene, or a moment's wait slates again; so do the buttons offered
 * on TAKE_EXISTS ("Slate take 9"), which never ask this.
 */
export function repeatedStart(last: StartedTake | null, next: { scene: string; take: string }, now: number): boolean {
  if (!last || next.take.trim() !== '') return false;
  const since = now - last.at;
  return slateKey(next.scene) === slateKey(last.scene) && since >= 0 && since < REPEAT_START_MS;
}

/** Why the server would refuse the scene or the take typed (null: it would take it), said at the field before sending. */
export interface SlateFieldProblems {
  scene: string | null;
  take: string | null;
}

/** A scene's or a take's problems as a name (server/shared/input-limits.ts, the bounds the server checks). */
function nameProblem(text: string): string | null {
  const name = text.trim();
  if (name.length > MAX_NAME_LENGTH) return `at most ${MAX_NAME_LENGTH} characters (this one has ${name.length})`;
  if (hasControlCharacter(name)) return NO_CONTROL_CHARACTERS;
  return null;
}

/**
 * The scene and take as the server would judge them: at most
 * MAX_NAME_LENGTH characters, no control characters, and a take written as
 * a number whole and not negative. A 65-character scene was refused only
 * by the server, in words for API clients; 70 KB pasted went past the
 * socket's message limit, and the page waited for an answer that never came.
 */
export function slateFieldProblems(scene: string, take: string): SlateFieldProblems {
  return { scene: nameProblem(scene), take: nameProblem(take) ?? (takeNumberProblems(take).join('; ') || null) };
}

/** The event and its fields that the server puts before a refusal's reasons for API clients ("take:start { scene, take? }: "). */
const REQUEST_SIGNATURE = /^take:(?:start|end) \{[^}]*\}: /;

/** A refusal of a start or an end as the slate shows it: "CODE: what", without the request's signature. */
export function refusalText(error: { code: string; message: string }): string {
  return `${error.code}: ${error.message.replace(REQUEST_SIGNATURE, '')}`;
}
