/**
 * How the page says that what it shows is not live. With the connection lost
 * (a server killed outright, a network drop) no last status comes: every
 * state, label and alert the page holds is as last heard, and a label frozen
 * at its last value under a green LIVE badge is a lie an operator may act on.
 * The header ("—/4 live") and the Health view (health.ts notLiveReason) say
 * so; the wall, the slate, the coverage and the alerts say it in the same
 * words, from here. Pure, unit-tested under node
 * (test/unit/web-not-live.test.ts).
 */
import type { CameraState } from '../../../server/shared/socket-events.js';
import type { SceneMark } from './scene-list.js';

/** Epoch ms to a time of day; the page's (and Health's, and the banner's) default. */
export type Clock = (ms: number) => string;
const two = (n: number) => String(n).padStart(2, '0');
/**
 * 24 hours, HH:MM:SS on this device's clock, whatever the browser's locale:
 * the server's messages and every timecode speak so, and "8:10:40 AM" beside
 * "08:10:41" on one page read as two clocks.
 */
export const localClock: Clock = (ms) => {
  const d = new Date(ms);
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
};
/** YYYY-MM-DD HH:MM on this device's clock: a date no reader takes for another (12/6 or 6/12). */
export function localDateTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
}

/** What a badge reads in place of a camera's state while the page hears nothing. */
export const NOT_LIVE = 'not live';

/** "as of 12:34:56"; "nothing heard" when the page never heard it (`at` null or 0). */
export function asOfText(at: number | null | undefined, clock: Clock = localClock): string {
  return at ? `as of ${clock(at)}` : 'nothing heard';
}

/** The wall's count beside its cameras: which are live is not known while not connected (as the header's "—/4 live"). */
export function wallLiveText(connected: boolean, liveCount: number): string {
  return connected ? `${liveCount} live` : '— live (not connected)';
}

/** A camera on the wall while not connected: what its badge says, why, and the line under its label. */
export interface NotLiveCamera {
  /** The badge, in place of the state. */
  badge: string;
  /** The badge's title: the state as last heard, and when. */
  title: string;
  /** Under the label: since when it is as it shows (the last readout's time; the last word heard's without one). */
  line: string;
}

/**
 * `readoutAt`: when the camera's last readout came (epoch ms; 0 or null for
 * none), `heardAt`: when the page last heard the server at all.
 */
export function notLiveCamera(state: CameraState, readoutAt: number | null, heardAt: number | null, clock: Clock = localClock): NotLiveCamera {
  const last = heardAt ? ` (${clock(heardAt)})` : '';
  return {
    badge: NOT_LIVE,
    title: `${state} when last heard${last}; not connected to the server, so not known now`,
    line: `not connected · ${readoutAt ? `label ${asOfText(readoutAt, clock)}` : asOfText(heardAt, clock)}`,
  };
}

/** The alert list's heading beside "Alerts": how many are active, or, not connected, that the list is as of then. */
export function alertsHeading(connected: boolean, active: number, heardAt: number | null, clock: Clock = localClock): string {
  return connected ? `${active} active` : `${asOfText(heardAt, clock)} (not connected)`;
}

/** In place of the alerts when there are none: not connected, none are known of now, which is not "none". */
export function noAlertsText(connected: boolean, heardAt: number | null, clock: Clock = localClock): string {
  return connected ? 'No active alerts.' : `No active alerts ${heardAt ? `when last heard, ${clock(heardAt)}` : 'heard'}; not known now.`;
}

/** A scene card's mark: being shot is a claim about now, made only while connected. */
export function sceneMarkText(mark: Exclude<SceneMark, null>, connected: boolean, heardAt: number | null, clock: Clock = localClock): string {
  if (mark === 'last') return 'last slated';
  return connected ? 'shooting now' : `shooting ${asOfText(heardAt, clock)} (not connected)`;
}

/** The slate's line for a take it holds as running, or for none: as of the last word while not connected. */
export function slateRunningText(connected: boolean, running: boolean, heardAt: number | null, clock: Clock = localClock): string {
  if (connected) return running ? 'running' : 'No take running';
  return `${running ? 'running' : 'No take running'} ${asOfText(heardAt, clock)} (not connected)`;
}
