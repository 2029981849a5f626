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
  /** A start or end is on its way to the server. */
  busy: 'start' | 'end' | null;
  /** Takes running now. */
  running: number;
}

/**
 * Why Start and End cannot be pressed now (null: they can). Told in words
 * that a screen reader reads with the button, since a disabled button's
 * tooltip is out of reach of the keyboard.
 */
export function slateBlockers(state: SlateState): { start: string | null; end: string | null } {
  if (!state.operator) return { start: 'Starting a take needs an operator token.', end: 'Ending a take needs an operator token.' };
  if (state.busy === 'start') return { start: 'A take is starting.', end: 'A take is starting.' };
  if (state.busy === 'end') return { start: 'A take is ending.', end: 'A take is ending.' };
  return { start: null, end: state.running === 0 ? 'No take is running to end.' : null };
}
