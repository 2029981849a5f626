/**
 * The server's load in words, pure: over capacity (the model short, the
 * cameras held to fair shares), recovering (still reported over while the
 * shares climb back, the model with room by then), or ok. One judgement for
 * the header's load slot, the Health summary and its Capacity card
 * (web/src/lib/health.ts), so the three never contradict each other.
 * Unit-tested under node (test/unit/web-health.test.ts).
 */
import type { CapacitySummary } from '../../../server/shared/socket-events.js';
import { formatFps, formatRate } from './format.js';

/** Frames a second handed to the model over all cameras: less than it can do, the rest absorbs jitter. */
export function allottedFps(capacity: CapacitySummary): number {
  return Object.values(capacity.cameras).reduce((sum, c) => sum + c.allowedFps, 0);
}

/**
 * Why the server is over capacity, in one sentence: the cameras' demand is set
 * against what the model is handed, not only against what it can do, since a
 * demand under the model's capacity but over the share handed out reads as a
 * contradiction otherwise.
 */
export function overCapacityCause(capacity: CapacitySummary): string {
  const can = capacity.capacityFps === null ? '?' : formatRate(capacity.capacityFps);
  return `the cameras deliver ${formatRate(capacity.demandFps)}, the model analyses about ${can} and is handed ${formatRate(allottedFps(capacity))} of it, the rest kept for jitter`;
}

/**
 * ok; over: the model is short and the cameras are held to fair shares;
 * recovering: still reported over (the governor holds the report while the
 * shares climb back a step at a time, and for a while after, so a model whose
 * speed swings does not flap) but the model has room for every camera now.
 * Said as over capacity, the page quoted a capacity several times the demand
 * as the cause.
 */
export type LoadState = 'ok' | 'over' | 'recovering';

export function loadState(capacity: CapacitySummary): LoadState {
  return !capacity.overCapacity ? 'ok' : capacity.recovering === true ? 'recovering' : 'over';
}

/** Cameras analysed below what they deliver, by the shares handed out now. */
export function heldCameras(capacity: CapacitySummary) {
  return Object.values(capacity.cameras).filter((c) => c.allowedFps < c.arrivingFps * 0.95);
}

/** "2.5 fps of 5.0 fps now", "2.5-3.0 fps of 5.0 fps now": the range of the held cameras' shares at this moment. */
function sharesNow(held: ReturnType<typeof heldCameras>): string {
  const lo = Math.min(...held.map((c) => c.allowedFps)), hi = Math.max(...held.map((c) => c.allowedFps));
  const asked = Math.max(...held.map((c) => c.arrivingFps));
  return `${lo === hi ? formatFps(lo) : `${lo.toFixed(1)}-${formatFps(hi)}`} of ${formatFps(asked)} now`;
}

const cameraCount = (n: number) => `${n} camera${n === 1 ? '' : 's'}`;

/**
 * What the cameras get, as shares at this moment (the table's Analysed column
 * is an average over the stats window, so the two differ while shares move).
 */
export function overCapacityText(capacity: CapacitySummary): string {
  const held = heldCameras(capacity);
  if (loadState(capacity) === 'recovering') return held.length ? `${cameraCount(held.length)} climbing back to their rates, at ${sharesNow(held)}` : 'every camera back at its rate';
  if (!held.length) return 'every camera near its rate';
  return `${cameraCount(held.length)} held to a fair share, ${sharesNow(held)}`;
}

/** While recovering: what the model can do now, against what the cameras deliver. */
function roomText(capacity: CapacitySummary): string {
  const can = capacity.capacityFps === null ? 'not measured yet' : `about ${formatRate(capacity.capacityFps)}`;
  return `the model has room now (${can} for the ${formatRate(capacity.demandFps)} the cameras deliver)`;
}

/** The header's load slot: its word and its title, from the same judgement as the Health view. */
export function loadTitle(capacity: CapacitySummary): string {
  switch (loadState(capacity)) {
    case 'ok':
      return 'every camera analysed at the rate it asks for';
    case 'recovering':
      return `recovering from over capacity: ${roomText(capacity)}; ${overCapacityText(capacity)} (Health has each camera's rate)`;
    case 'over':
      return `over capacity: ${overCapacityCause(capacity)}; ${overCapacityText(capacity)} (Health has each camera's rate)`;
  }
}

/** The health summary's line about the load, or null within capacity. */
export function loadLine(capacity: CapacitySummary, windowS: number): string | null {
  const state = loadState(capacity);
  if (state === 'ok') return null;
  const average = heldCameras(capacity).length ? ` (the Analysed column is the average over the last ${windowS} s)` : '';
  if (state === 'recovering') return `Recovering from over capacity: ${roomText(capacity)}; ${overCapacityText(capacity)}${average}.`;
  return `Over capacity: ${overCapacityCause(capacity)}; ${overCapacityText(capacity)}${average}.`;
}
