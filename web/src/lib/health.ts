/**
 * The health view's judgement, pure (no DOM, no Svelte): which pipeline
 * figures and which cameras are fine, worth a look or a problem, and why in
 * words, so that the page never relies on colour alone.
 * Unit-tested under node (test/unit/web-health.test.ts).
 */
import type { CameraStatus, PipelineStats } from '../../../server/shared/socket-events.js';
import type { Alert, AlertKind } from '../../../server/shared/shots.js';
import { localClock, type Clock } from './not-live.js';
import { DASH, formatBytes, formatDuration, formatFps, formatLatency, formatPercent, formatRate } from './format.js';
import { allottedFps, heldCameras, loadLine, loadState, overCapacityText } from './load-words.js';

// The load's words live in load-words.ts; re-exported for the callers that knew them here.
export { allottedFps, loadLine, loadState, loadTitle, overCapacityCause, overCapacityText, type LoadState } from './load-words.js';

/** ok / warn / bad are judgements; off: disabled on purpose; none: nothing to judge yet. */
export type Level = 'ok' | 'warn' | 'bad' | 'off' | 'none';

export const LEVEL_WORDS: Readonly<Record<Level, string>> = {
  ok: 'OK',
  warn: 'Warning',
  bad: 'Problem',
  off: 'Off',
  none: 'No data',
};

const SEVERITY: Readonly<Record<Level, number>> = { bad: 0, warn: 1, ok: 2, none: 3, off: 4 };

/** The more severe of two levels (bad > warn > ok > none > off). */
export function worse(a: Level, b: Level): Level {
  return SEVERITY[a] <= SEVERITY[b] ? a : b;
}

/** Where a figure turns from ok to warn, and from warn to bad. */
export interface Threshold {
  warn: number;
  bad: number;
}

const GIB = 1024 ** 3;

export const THRESHOLDS = {
  /**
   * Capture to readout, p95 (ms). Half a second is 12 frames at 25 fps: a
   * vision mixer starts to see the label trail the picture; past a second it
   * reads the shot before the last cut.
   */
  latencyP95Ms: { warn: 500, bad: 1000 },
  /**
   * Batch inference p95, in frame intervals of the fastest camera
   * (1000 / analysisFps ms). A batch slower than one interval means the next
   * frame is already waiting; twice as slow and the ring buffers drop.
   */
  inferenceP95Intervals: { warn: 1, bad: 2 },
  /**
   * Share of frames dropped (dropped / (analysed + dropped)). The ring buffer
   * keeps the newest frame by design, so a few % is normal when the batch
   * window and a frame arrive together; a tenth is the pipeline falling behind.
   */
  dropShare: { warn: 0.1, bad: 0.3 },
  /** Frames analysed (or received) as a share of what the cameras ask for; below is bad. */
  rateShare: { warn: 0.8, bad: 0.5 },
  /** Resident memory; the server with the default model sits near 0.5 GiB with four cameras. */
  rssBytes: { warn: 2 * GIB, bad: 4 * GIB },
} as const satisfies Record<string, Threshold>;

/** Level of a figure where higher is worse. */
export function levelAbove(value: number | null | undefined, t: Threshold): Level {
  if (typeof value !== 'number' || !Number.isFinite(value)) return 'none';
  return value > t.bad ? 'bad' : value > t.warn ? 'warn' : 'ok';
}

/** Level of a figure where lower is worse (a share of what was expected). */
export function levelBelow(value: number | null | undefined, t: Threshold): Level {
  if (typeof value !== 'number' || !Number.isFinite(value)) return 'none';
  return value < t.bad ? 'bad' : value < t.warn ? 'warn' : 'ok';
}

/** Live, enabled cameras: the ones whose frames should reach the model. */
function activeCameras(cameras: readonly CameraStatus[]): CameraStatus[] {
  return cameras.filter((c) => c.enabled && c.state === 'live');
}

/** Frames per second the live cameras ask the model for. */
export function expectedAnalysisFps(cameras: readonly CameraStatus[]): number {
  return activeCameras(cameras).reduce((sum, c) => sum + sourceRate(c), 0);
}

/** The frames a second a camera can be analysed at: its analysisFps, or its source's own rate where that is slower (sourceSlower). */
export function sourceRate(c: CameraStatus): number {
  return c.sourceSlower === true && c.measuredFps > 0 ? Math.min(c.analysisFps, c.measuredFps) : c.analysisFps;
}

/** One frame interval (ms) of the fastest live camera; 200 ms (5 fps, the default) with none live. */
export function frameIntervalMs(cameras: readonly CameraStatus[]): number {
  const fastest = Math.max(0, ...activeCameras(cameras).map((c) => c.analysisFps));
  return 1000 / (fastest > 0 ? fastest : 5);
}

/** dropped / (analysed + dropped), or null with no frames at all. */
export function dropShare(analysed: number, dropped: number): number | null {
  const total = analysed + dropped;
  return total > 0 ? dropped / total : null;
}

export interface StatCardData {
  key: string;
  label: string;
  /** The headline figure. */
  value: string;
  /** A second line: the other percentile, the comparison. */
  detail: string | null;
  level: Level;
  /** Why it is not ok, in words; null when ok or neutral. */
  reason: string | null;
}

function card(key: string, label: string, value: string, detail: string | null, level: Level = 'none', reason: string | null = null): StatCardData {
  return { key, label, value, detail, level, reason };
}

/** The health view's cards; every figure DASH until the first stats arrive. */
export function statCards(stats: PipelineStats | null, cameras: readonly CameraStatus[]): StatCardData[] {
  if (!stats) {
    return [
      card('engine', 'Execution provider', DASH, null),
      card('inference', 'Inference time', DASH, null),
      card('batch', 'Batch size', DASH, null),
      card('analysed', 'Analysed frames', DASH, null),
      card('dropped', 'Dropped frames', DASH, null),
      card('latency', 'Glass-to-readout latency', DASH, null),
      card('capacity', 'Capacity', DASH, null),
      card('memory', 'Memory (RSS)', DASH, null),
      card('uptime', 'Uptime', DASH, null),
    ];
  }
  const window = `no frames analysed in the last ${stats.windowS} s`;
  const hasBatches = stats.batches > 0;
  const interval = frameIntervalMs(cameras);

  const inferenceLevel = hasBatches ? levelAbove(stats.inferenceMs.p95 / interval, THRESHOLDS.inferenceP95Intervals) : 'none';
  const inference = hasBatches
    ? card(
        'inference',
        'Inference time',
        `p50 ${formatLatency(stats.inferenceMs.p50)}`,
        `p95 ${formatLatency(stats.inferenceMs.p95)} · max ${formatLatency(stats.inferenceMs.max)}`,
        inferenceLevel,
        inferenceLevel === 'ok' ? null : `p95 ${inferenceLevel === 'bad' ? 'over twice' : 'over'} the ${formatLatency(interval)} frame interval`,
      )
    : card('inference', 'Inference time', DASH, window);

  const batch = hasBatches
    ? card('batch', 'Batch size', `mean ${stats.batchSize.mean.toFixed(1)}`, `max ${stats.batchSize.max} · ${stats.batches} batches in ${stats.windowS} s`)
    : card('batch', 'Batch size', DASH, window);

  const expected = expectedAnalysisFps(cameras);
  // Over capacity the cameras get less than they ask for on purpose (the capacity card says so): judged against their shares.
  const allotted = stats.capacity?.overCapacity ? allottedFps(stats.capacity) : null;
  const target = allotted ?? expected;
  const analysedLevel = target > 0 ? levelBelow(stats.analysedPerS / target, THRESHOLDS.rateShare) : 'none';
  const asked = expected > 0 ? `of ${formatRate(expected)} asked by ${activeCameras(cameras).length} live camera${activeCameras(cameras).length === 1 ? '' : 's'}` : 'no camera is live';
  const allottedWhile = stats.capacity && loadState(stats.capacity) === 'recovering' ? 'while the cameras climb back' : 'while over capacity';
  const analysed = card(
    'analysed',
    'Analysed frames',
    formatRate(stats.analysedPerS),
    allotted === null ? asked : `${asked}; ${formatRate(allotted)} allotted ${allottedWhile}`,
    analysedLevel,
    analysedLevel === 'warn' || analysedLevel === 'bad' ? `${formatPercent(stats.analysedPerS / target)} of the frames ${allotted === null ? 'asked for' : 'allotted'}` : null,
  );

  const share = dropShare(stats.analysedPerS, stats.droppedPerS);
  const droppedLevel = share === null ? 'none' : levelAbove(share, THRESHOLDS.dropShare);
  const dropped = card(
    'dropped',
    'Dropped frames',
    formatRate(stats.droppedPerS),
    share === null ? 'no frames' : `${formatPercent(share, share > 0 && share < 0.1 ? 1 : 0)} of frames`,
    droppedLevel,
    droppedLevel === 'warn' || droppedLevel === 'bad' ? 'the pipeline is falling behind the cameras' : null,
  );

  const latencyLevel = hasBatches ? levelAbove(stats.latencyMs.p95, THRESHOLDS.latencyP95Ms) : 'none';
  const latency = hasBatches
    ? card(
        'latency',
        'Glass-to-readout latency',
        `p50 ${formatLatency(stats.latencyMs.p50)}`,
        `p95 ${formatLatency(stats.latencyMs.p95)}`,
        latencyLevel,
        latencyLevel === 'ok' ? null : `p95 over ${formatLatency(latencyLevel === 'bad' ? THRESHOLDS.latencyP95Ms.bad : THRESHOLDS.latencyP95Ms.warn)}`,
      )
    : card('latency', 'Glass-to-readout latency', DASH, window);

  const memoryLevel = levelAbove(stats.rssBytes, THRESHOLDS.rssBytes);
  const memory = card(
    'memory',
    'Memory (RSS)',
    formatBytes(stats.rssBytes),
    null,
    memoryLevel,
    memoryLevel === 'warn' || memoryLevel === 'bad' ? `over ${formatBytes(memoryLevel === 'bad' ? THRESHOLDS.rssBytes.bad : THRESHOLDS.rssBytes.warn)}` : null,
  );

  return [
    card('engine', 'Execution provider', stats.executionProvider, `model ${stats.model}${stats.executionProvider === 'cpu' ? ' · no GPU provider loaded' : ''}`),
    inference,
    batch,
    analysed,
    dropped,
    latency,
    capacityCard(stats),
    memory,
    card('uptime', 'Uptime', formatDuration(stats.uptimeS * 1000), null),
  ];
}

/** The capacity card: within capacity, over it and what each camera gets, or recovering from it. */
function capacityCard(stats: PipelineStats): StatCardData {
  const c = stats.capacity;
  if (!c) return card('capacity', 'Capacity', 'fair share off', 'pipeline.overload.fairShare is false: the rings alone drop frames');
  const model = c.capacityFps === null ? 'model not measured yet' : `model about ${formatRate(c.capacityFps)} while busy · busy ${formatPercent(c.utilisation)}`;
  const detail = `cameras deliver ${formatRate(c.demandFps)} · ${model}`;
  switch (loadState(c)) {
    case 'ok':
      return card('capacity', 'Capacity', 'within capacity', detail, c.capacityFps === null ? 'none' : 'ok');
    case 'recovering':
      // Still a warning while a camera is below its rate; once all are back, only the report's hold is left.
      return heldCameras(c).length ? card('capacity', 'Capacity', 'recovering', detail, 'warn', overCapacityText(c)) : card('capacity', 'Capacity', 'recovering', `${detail} · ${overCapacityText(c)}`, 'ok');
    case 'over':
      return card('capacity', 'Capacity', 'over capacity', detail, 'warn', overCapacityText(c));
  }
}

/**
 * Alerts about a live camera's picture, in a word for its row: the frames
 * come at their rate, so without them the row said OK over a black or frozen
 * feed.
 */
const PICTURE_ALERTS: Partial<Record<AlertKind, string>> = { 'no-picture': 'no picture', frozen: 'picture frozen' };

/** Alerts about the server itself rather than a camera or the coverage: its shot log, the cluster, a take cut by an outage. */
const SERVER_ALERTS: readonly AlertKind[] = ['storage', 'cluster', 'take-interrupted'];

/** How an active alert weighs on the health view: critical is a problem, a warning a warning, info nothing. */
export function alertLevel(alert: Pick<Alert, 'severity'>): Level {
  return alert.severity === 'critical' ? 'bad' : alert.severity === 'warning' ? 'warn' : 'ok';
}

/** Restarts without a single frame after which a camera counts as broken, not starting (backoff reaches ~4 s by then). */
export const NEVER_STARTED_RESTARTS = 3;

export interface CameraHealthRow {
  id: string;
  name: string;
  state: CameraStatus['state'];
  enabled: boolean;
  level: Level;
  /** Why the row is not ok, in words (empty when ok). */
  reasons: string[];
  /** "4.9 / 5.0 fps" */
  fpsText: string;
  /** From the stats window; null until the stats know the camera. */
  analysedPerS: number | null;
  framesIn: number;
  framesDropped: number;
  /** framesDropped / framesIn, or null with no frames. */
  dropShare: number | null;
  reconnects: number;
  stalls: number;
  lastError: string | null;
  /** lastError's stable code (ERROR_CODES), shown as a tag beside the words; null when it tells of no failure. */
  errorCode: string | null;
  lastStderr: string[];
}

/**
 * How one camera is doing. The analysed rate is only judged once the camera
 * has been live for a whole stats window: a camera live for 3 s of a 30 s
 * window shows a tenth of its rate and would be flagged for nothing.
 */
export function cameraHealth(status: CameraStatus, stats: PipelineStats | null, now = Date.now(), alerts: readonly Alert[] = []): CameraHealthRow {
  // The rate is a window's average: a camera disabled or stopped read "3.7/s of 5.0/s", fading, for a whole window after.
  const analysedPerS = isRunning(status) ? (stats?.analysedPerSByCamera[status.cameraId] ?? null) : null;
  const row: CameraHealthRow = {
    id: status.cameraId,
    name: status.name,
    state: status.state,
    enabled: status.enabled,
    level: 'ok',
    reasons: [],
    fpsText: `${Number.isFinite(status.measuredFps) ? status.measuredFps.toFixed(1) : DASH} / ${formatFps(status.analysisFps)}`,
    analysedPerS,
    framesIn: status.framesIn,
    framesDropped: status.framesDropped,
    dropShare: status.framesIn > 0 ? status.framesDropped / status.framesIn : null,
    reconnects: status.reconnects,
    stalls: status.stalls,
    lastError: status.lastError,
    // A server of an older version sends none.
    errorCode: status.errorCode ?? null,
    lastStderr: status.lastStderr,
  };
  const flag = (level: Level, reason: string) => {
    row.level = worse(row.level, level);
    row.reasons.push(reason);
  };

  if (!status.enabled) {
    row.level = 'off';
    row.reasons.push('disabled');
    return row;
  }
  switch (status.state) {
    case 'failed':
      flag('bad', 'failed');
      return row;
    case 'stalled':
      flag('bad', 'stalled: no frames');
      return row;
    case 'restarting':
    case 'starting':
      // A source that never delivered a frame through several restarts is not coming back by itself.
      if (status.framesIn === 0 && status.reconnects >= NEVER_STARTED_RESTARTS) flag('bad', `no frame after ${status.reconnects} restarts`);
      else flag('warn', status.state);
      return row;
    case 'stopped':
      flag('warn', 'stopped');
      return row;
    case 'waiting':
      // A WHIP camera waits for a publisher; a listener (udp://, srt://...?mode=listener) for a sender, its port in its reason.
      flag('warn', status.sourceKind === 'webrtc' ? 'waiting for a publisher' : (status.lastError ?? 'waiting for a sender'));
      return row;
    case 'gone':
      flag('warn', 'the publisher left');
      return row;
    case 'live':
      break;
  }
  // A source slower than asked (a 1 fps camera analysed at 5) sends all it has: it is judged at its own rate.
  // It read "57% of frames dropped" while ffmpeg's repeats of its frames were counted as received.
  const target = sourceRate(status);
  const received = status.sourceSlower === true ? 'ok' : levelBelow(status.measuredFps / target, THRESHOLDS.rateShare);
  if (received === 'warn' || received === 'bad') flag(received, `receiving ${formatFps(status.measuredFps)} of ${formatFps(target)}`);
  const liveForS = (now - status.since) / 1000;
  const share = stats?.capacity?.cameras[status.cameraId];
  const throttled = !!share && share.allowedFps < share.arrivingFps * 0.95;
  if (throttled) {
    // Over capacity the rate is lowered on purpose, evenly: a warning that says so, not a fault of this camera.
    // Once back within capacity the shares are raised step by step (no swing back into overload): say that.
    const why = stats?.capacity && loadState(stats.capacity) === 'over' ? 'server over capacity' : 'climbing back: the model has room again';
    flag('warn', `fair share: ${formatFps(share.allowedFps)} of ${formatFps(share.arrivingFps)} (${why})`);
  } else if (stats && analysedPerS !== null && liveForS >= stats.windowS) {
    const analysed = levelBelow(analysedPerS / target, THRESHOLDS.rateShare);
    if (analysed === 'warn' || analysed === 'bad') flag(analysed, `analysing ${formatRate(analysedPerS)} of ${formatRate(target)}`);
  }
  if (row.dropShare !== null) {
    const dropped = levelAbove(row.dropShare, THRESHOLDS.dropShare);
    if (dropped === 'warn' || dropped === 'bad') flag(dropped, `${formatPercent(row.dropShare)} of frames dropped`);
  }
  for (const alert of alerts) {
    const words = PICTURE_ALERTS[alert.kind];
    if (words && alert.resolvedAt === null && alert.cameraIds.includes(status.cameraId) && alertLevel(alert) !== 'ok') flag(alertLevel(alert), words);
  }
  return row;
}

/** States in which a camera has no source running and no frames coming: its analysed rate is not shown. */
const NOT_RUNNING: readonly CameraStatus['state'][] = ['stopped', 'failed', 'waiting', 'gone'];

/** Whether a camera's source is running (or being brought back): enabled and not stopped, failed or waiting for a sender. */
export function isRunning(status: Pick<CameraStatus, 'enabled' | 'state'>): boolean {
  return status.enabled && !NOT_RUNNING.includes(status.state);
}

/** Within a level, a camera delivering nothing comes before one delivering too little. */
const STATE_ORDER: Readonly<Record<CameraStatus['state'], number>> = { failed: 0, stalled: 1, gone: 2, restarting: 3, starting: 4, waiting: 5, stopped: 6, live: 7 };

/**
 * Every camera's row, worst first, then by state (not delivering first),
 * then in the order given (the server's: the wall's tile order). Not by
 * name: a rename moved rows that nothing had changed about.
 */
export function cameraHealthRows(cameras: readonly CameraStatus[], stats: PipelineStats | null, now = Date.now(), alerts: readonly Alert[] = []): CameraHealthRow[] {
  // Array.prototype.sort is stable: rows that compare equal keep the order given.
  return cameras.map((c) => cameraHealth(c, stats, now, alerts)).sort((a, b) => SEVERITY[a.level] - SEVERITY[b.level] || (STATE_ORDER[a.state] ?? 9) - (STATE_ORDER[b.state] ?? 9));
}

export interface HealthSummary {
  /** The worst of the cards and the cameras (disabled cameras aside). */
  level: Level;
  lines: string[];
}

/** "A, B, C and 2 more" */
function nameList(names: readonly string[], most = 4): string {
  if (names.length <= most) return names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)!}` : (names[0] ?? '');
  return `${names.slice(0, most).join(', ')} and ${names.length - most} more`;
}

/**
 * The header's count of cameras, counted as the Health summary counts them:
 * live of the enabled ones, the disabled noted. "4/6 live" in the header beside
 * "4 of 4 cameras live (2 disabled)" in Health read as two cameras down.
 * `known`: false while not connected, when which are live is not known here.
 */
export function headerCameraCount(cameras: readonly Pick<CameraStatus, 'enabled' | 'state'>[], known = true): string {
  const enabled = cameras.filter((c) => c.enabled);
  const live = known ? String(enabled.filter((c) => c.state === 'live').length) : DASH;
  const disabled = cameras.length - enabled.length;
  return `${live}/${enabled.length} live${disabled ? ` · ${disabled} disabled` : ''}`;
}

/**
 * A few short lines for the top of the page: what is live, which cameras and
 * which pipeline figures need a look (the table and the cards say why).
 */
export function healthSummary(cameras: readonly CameraStatus[], stats: PipelineStats | null, now = Date.now(), alerts: readonly Alert[] = []): HealthSummary {
  const rows = cameraHealthRows(cameras, stats, now, alerts);
  const enabled = rows.filter((r) => r.enabled);
  const live = enabled.filter((r) => r.state === 'live').length;
  const lines: string[] = [];
  if (!rows.length) lines.push('No cameras are configured.');
  else {
    const disabled = rows.length - enabled.length;
    lines.push(`${live} of ${enabled.length} camera${enabled.length === 1 ? '' : 's'} live${disabled ? ` (${disabled} disabled)` : ''}.`);
  }
  const bad = rows.filter((r) => r.level === 'bad').map((r) => r.name);
  const warn = rows.filter((r) => r.level === 'warn').map((r) => r.name);
  const load = stats?.capacity ? loadLine(stats.capacity, stats.windowS) : null;
  if (load) lines.push(load);
  if (bad.length) lines.push(`Problem with ${nameList(bad)}.`);
  if (warn.length) lines.push(`Warning for ${nameList(warn)}.`);

  let level: Level = enabled.length ? 'ok' : 'none';
  for (const r of enabled) level = worse(level, r.level);
  // The server's own alerts (a shot log that cannot be written) are no camera's: said here, in their words.
  for (const alert of alerts) {
    if (!SERVER_ALERTS.includes(alert.kind) || alert.resolvedAt !== null || alertLevel(alert) === 'ok') continue;
    level = worse(level, alertLevel(alert));
    lines.push(`${LEVEL_WORDS[alertLevel(alert)]}: ${alert.message}`);
  }
  if (stats) {
    const flagged: string[] = [];
    for (const c of statCards(stats, cameras)) {
      level = worse(level, c.level);
      if (c.level === 'warn' || c.level === 'bad') flagged.push(`${c.label.toLowerCase()} (${LEVEL_WORDS[c.level].toLowerCase()})`);
    }
    if (flagged.length) lines.push(`Pipeline: ${flagged.join(', ')}.`);
  } else {
    lines.push('Waiting for pipeline figures…');
  }
  return { level, lines };
}

/** `stats` is pushed every 2 s: three pushes missed and the figures are no longer live. */
export const STATS_STALE_MS = 6000;

/**
 * Why the figures on the page are not live, or null when they are. The page
 * keeps the last figures it had when the connection drops (or when the pushes
 * stop with the connection up), and a card coloured "OK" over them would say
 * all is well while nothing is known: this is the sentence that says so.
 * `statsAt`: when the figures shown came (epoch ms), null before any.
 */
export function notLiveReason(connected: boolean, statsAt: number | null, now: number, clock: Clock = localClock): string | null {
  if (!connected) return statsAt === null ? 'Not connected to the server: nothing here is live.' : `Not connected to the server: the figures are as of ${clock(statsAt)}, not live.`;
  if (statsAt !== null && now - statsAt > STATS_STALE_MS) return `No figures from the server for ${formatDuration(now - statsAt)}: they are as of ${clock(statsAt)}, not live.`;
  return null;
}

/**
 * The summary while the figures are not live: no judgement (level none),
 * the reason first, then what was last known, said to be from then.
 */
export function notLiveSummary(summary: HealthSummary, reason: string): HealthSummary {
  return { level: 'none', lines: [reason, ...summary.lines.map((line, i) => (i === 0 ? `Last known: ${line}` : line))] };
}

/** The cards while the figures are not live: the last values, judged by none of them. */
export function notLiveCards(cards: readonly StatCardData[]): StatCardData[] {
  return cards.map((c) => ({ ...c, level: c.level === 'off' ? 'off' : 'none', reason: null }));
}
