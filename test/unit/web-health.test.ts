import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CameraStatus, PipelineStats } from '../../server/shared/socket-events.js';
import type { Alert } from '../../server/shared/shots.js';
import { DASH, formatBytes, formatRate } from '../../web/src/lib/format.js';
import {
  THRESHOLDS,
  cameraHealth,
  cameraHealthRows,
  dropShare,
  expectedAnalysisFps,
  frameIntervalMs,
  headerCameraCount,
  healthSummary,
  levelAbove,
  levelBelow,
  notLiveCards,
  notLiveReason,
  notLiveSummary,
  STATS_STALE_MS,
  loadState,
  loadTitle,
  overCapacityCause,
  overCapacityText,
  statCards,
  worse,
} from '../../web/src/lib/health.js';

const NOW = 1_800_000_000_000;

function camera(id: string, patch: Partial<CameraStatus> = {}): CameraStatus {
  return {
    cameraId: id,
    name: id,
    enabled: true,
    sourceKind: 'testsrc',
    source: 'testsrc2 1280x720@25',
    state: 'live',
    since: NOW - 120_000,
    analysisFps: 5,
    measuredFps: 5,
    framesIn: 600,
    framesDropped: 6,
    reconnects: 0,
    stalls: 0,
    lastError: null,
    errorCode: null,
    lastStderr: [],
    ...patch,
  };
}

function stats(patch: Partial<PipelineStats> = {}): PipelineStats {
  return {
    model: 'framing-default',
    executionProvider: 'cuda',
    uptimeS: 3725,
    rssBytes: 512 * 1024 * 1024,
    windowS: 30,
    batches: 300,
    inferenceMs: { p50: 12, p95: 30, max: 41 },
    batchSize: { mean: 2.4, max: 4 },
    latencyMs: { p50: 80, p95: 160 },
    analysedPerS: 20,
    analysedPerSByCamera: { a: 5, b: 5, c: 5, d: 5 },
    droppedPerS: 0.2,
    capacity: { overCapacity: false, capacityFps: 60, demandFps: 20, utilisation: 0.3, cameras: {} },
    ...patch,
  };
}

const FOUR = ['a', 'b', 'c', 'd'].map((id) => camera(id));

test('levels: thresholds either way, missing values, and which is worse', () => {
  assert.equal(levelAbove(100, { warn: 200, bad: 400 }), 'ok');
  assert.equal(levelAbove(200, { warn: 200, bad: 400 }), 'ok');
  assert.equal(levelAbove(201, { warn: 200, bad: 400 }), 'warn');
  assert.equal(levelAbove(401, { warn: 200, bad: 400 }), 'bad');
  assert.equal(levelAbove(Number.NaN, { warn: 1, bad: 2 }), 'none');
  assert.equal(levelBelow(0.9, THRESHOLDS.rateShare), 'ok');
  assert.equal(levelBelow(0.7, THRESHOLDS.rateShare), 'warn');
  assert.equal(levelBelow(0.4, THRESHOLDS.rateShare), 'bad');
  assert.equal(levelBelow(null, THRESHOLDS.rateShare), 'none');
  assert.equal(worse('ok', 'bad'), 'bad');
  assert.equal(worse('warn', 'ok'), 'warn');
  assert.equal(worse('ok', 'none'), 'ok');
  assert.equal(worse('off', 'none'), 'none');
});

test('expected rate and frame interval come from live, enabled cameras', () => {
  const cams = [camera('a'), camera('b', { analysisFps: 10 }), camera('c', { state: 'failed' }), camera('d', { enabled: false, state: 'stopped' })];
  assert.equal(expectedAnalysisFps(cams), 15);
  assert.equal(frameIntervalMs(cams), 100);
  assert.equal(frameIntervalMs([]), 200);
  assert.equal(dropShare(9, 1), 0.1);
  assert.equal(dropShare(0, 0), null);
});

test('stat cards: every figure the health view shows, all ok on a healthy pipeline', () => {
  const cards = statCards(stats(), FOUR);
  assert.deepEqual(
    cards.map((c) => c.key),
    ['engine', 'inference', 'batch', 'analysed', 'dropped', 'latency', 'capacity', 'memory', 'uptime'],
  );
  const by = Object.fromEntries(cards.map((c) => [c.key, c]));
  assert.equal(by.engine!.value, 'cuda');
  assert.equal(by.engine!.detail, 'model framing-default');
  assert.equal(by.inference!.value, 'p50 12 ms');
  assert.equal(by.inference!.detail, 'p95 30 ms · max 41 ms');
  assert.equal(by.batch!.value, 'mean 2.4');
  assert.match(by.batch!.detail ?? '', /^max 4/);
  assert.equal(by.analysed!.value, '20.0/s');
  assert.equal(by.analysed!.detail, 'of 20.0/s asked by 4 live cameras');
  assert.equal(by.dropped!.value, '0.2/s');
  assert.equal(by.dropped!.detail, '1.0% of frames');
  assert.equal(by.latency!.value, 'p50 80 ms');
  assert.equal(by.latency!.detail, 'p95 160 ms');
  assert.equal(by.memory!.value, '512 MiB');
  assert.equal(by.uptime!.value, '1 h 2 min');
  assert.equal(by.capacity!.value, 'within capacity');
  assert.equal(by.capacity!.detail, 'cameras deliver 20.0/s · model about 60.0/s while busy · busy 30%');
  for (const key of ['inference', 'analysed', 'dropped', 'latency', 'capacity', 'memory']) {
    assert.equal(by[key]!.level, 'ok', key);
    assert.equal(by[key]!.reason, null, key);
  }
  assert.equal(by.engine!.level, 'none');
});

test('stat cards turn warn and bad, with the reason in words', () => {
  const slow = Object.fromEntries(
    statCards(
      stats({
        executionProvider: 'cpu',
        inferenceMs: { p50: 150, p95: 450, max: 600 },
        latencyMs: { p50: 400, p95: 700 },
        analysedPerS: 9,
        droppedPerS: 6,
        rssBytes: 5 * 1024 ** 3,
      }),
      FOUR,
    ).map((c) => [c.key, c]),
  );
  assert.equal(slow.inference!.level, 'bad');
  assert.match(slow.inference!.reason ?? '', /over twice the 200 ms frame interval/);
  assert.equal(slow.latency!.level, 'warn');
  assert.equal(slow.latency!.reason, 'p95 over 500 ms');
  assert.equal(slow.analysed!.level, 'bad');
  assert.equal(slow.analysed!.reason, '45% of the frames asked for');
  assert.equal(slow.dropped!.level, 'bad'); // 6 of 15 = 40 %
  assert.equal(slow.memory!.level, 'bad');
  assert.equal(slow.memory!.reason, 'over 4.00 GiB');
  assert.equal(slow.engine!.detail, 'model framing-default · no GPU provider loaded');

  const warn = Object.fromEntries(statCards(stats({ inferenceMs: { p50: 100, p95: 250, max: 300 }, latencyMs: { p50: 900, p95: 1200 } }), FOUR).map((c) => [c.key, c]));
  assert.equal(warn.inference!.level, 'warn');
  assert.equal(warn.inference!.reason, 'p95 over the 200 ms frame interval');
  assert.equal(warn.latency!.level, 'bad');
  assert.equal(warn.latency!.reason, 'p95 over 1.00 s');
});

test('stat cards without stats, or with no batches in the window, say so instead of judging', () => {
  for (const c of statCards(null, FOUR)) {
    assert.equal(c.value, DASH, c.key);
    assert.equal(c.level, 'none', c.key);
  }
  const idle = Object.fromEntries(
    statCards(stats({ batches: 0, inferenceMs: { p50: 0, p95: 0, max: 0 }, latencyMs: { p50: 0, p95: 0 }, analysedPerS: 0, droppedPerS: 0, analysedPerSByCamera: {} }), []).map((c) => [c.key, c]),
  );
  assert.equal(idle.inference!.value, DASH);
  assert.equal(idle.inference!.detail, 'no frames analysed in the last 30 s');
  assert.equal(idle.latency!.level, 'none');
  assert.equal(idle.analysed!.detail, 'no camera is live');
  assert.equal(idle.analysed!.level, 'none');
  assert.equal(idle.dropped!.detail, 'no frames');
  assert.equal(idle.dropped!.level, 'none');
});

test("camera health: a row carries the status's errorCode beside its words; a server that sends none reads as none", () => {
  const s = stats();
  const row = cameraHealth(camera('a', { state: 'failed', lastError: '/media/take7.mp4: no such file', errorCode: 'SOURCE_NOT_FOUND' }), s, NOW);
  assert.equal(row.errorCode, 'SOURCE_NOT_FOUND');
  assert.equal(row.lastError, '/media/take7.mp4: no such file');
  assert.equal(cameraHealth(camera('a'), s, NOW).errorCode, null);
  const { errorCode: _none, ...older } = camera('a', { state: 'restarting', lastError: 'exit 1' });
  assert.equal(cameraHealth(older as CameraStatus, s, NOW).errorCode, null);
});

test('camera health: states, rates and drops, with reasons', () => {
  const s = stats();
  assert.deepEqual(cameraHealth(camera('a'), s, NOW).reasons, []);
  assert.equal(cameraHealth(camera('a'), s, NOW).level, 'ok');
  assert.equal(cameraHealth(camera('a'), s, NOW).fpsText, '5.0 / 5.0 fps');
  assert.equal(cameraHealth(camera('a'), s, NOW).analysedPerS, 5);
  assert.equal(cameraHealth(camera('x'), s, NOW).analysedPerS, null);

  assert.deepEqual(pick(cameraHealth(camera('a', { state: 'failed', lastError: 'exit 1' }), s, NOW)), { level: 'bad', reasons: ['failed'] });
  assert.deepEqual(pick(cameraHealth(camera('a', { state: 'stalled' }), s, NOW)), { level: 'bad', reasons: ['stalled: no frames'] });
  assert.deepEqual(pick(cameraHealth(camera('a', { state: 'restarting' }), s, NOW)), { level: 'warn', reasons: ['restarting'] });
  assert.deepEqual(pick(cameraHealth(camera('a', { state: 'starting' }), s, NOW)), { level: 'warn', reasons: ['starting'] });
  assert.deepEqual(pick(cameraHealth(camera('a', { state: 'restarting', framesIn: 0, framesDropped: 0, reconnects: 2 }), s, NOW)), { level: 'warn', reasons: ['restarting'] });
  assert.deepEqual(pick(cameraHealth(camera('a', { state: 'restarting', framesIn: 0, framesDropped: 0, reconnects: 5 }), s, NOW)), { level: 'bad', reasons: ['no frame after 5 restarts'] });
  assert.deepEqual(pick(cameraHealth(camera('a', { state: 'restarting', framesIn: 10, reconnects: 5 }), s, NOW)), { level: 'warn', reasons: ['restarting'] });
  assert.deepEqual(pick(cameraHealth(camera('a', { state: 'stopped', enabled: false }), s, NOW)), { level: 'off', reasons: ['disabled'] });
  // Waiting: a WHIP camera for its publisher, a listener for a sender on its port (its reason says which).
  assert.deepEqual(pick(cameraHealth(camera('a', { state: 'waiting', sourceKind: 'webrtc', lastError: null }), s, NOW)), { level: 'warn', reasons: ['waiting for a publisher'] });
  const listener = camera('a', { state: 'waiting', sourceKind: 'url', lastError: 'waiting for a sender on udp://0.0.0.0:5000' });
  assert.deepEqual(pick(cameraHealth(listener, s, NOW)), { level: 'warn', reasons: ['waiting for a sender on udp://0.0.0.0:5000'] });

  assert.deepEqual(pick(cameraHealth(camera('a', { measuredFps: 3.5 }), s, NOW)), { level: 'warn', reasons: ['receiving 3.5 fps of 5.0 fps'] });
  assert.deepEqual(pick(cameraHealth(camera('a', { measuredFps: 1 }), s, NOW)), { level: 'bad', reasons: ['receiving 1.0 fps of 5.0 fps'] });
  assert.deepEqual(pick(cameraHealth(camera('a'), stats({ analysedPerSByCamera: { a: 2 } }), NOW)), { level: 'bad', reasons: ['analysing 2.0/s of 5.0/s'] });
  assert.deepEqual(pick(cameraHealth(camera('a', { framesIn: 100, framesDropped: 15 }), s, NOW)), { level: 'warn', reasons: ['15% of frames dropped'] });
  assert.equal(cameraHealth(camera('a', { framesIn: 0, framesDropped: 0 }), s, NOW).dropShare, null);
});

test('a source slower than its analysis rate is judged at its own rate, on its row and in the analysed card', () => {
  const slow = camera('a', { measuredFps: 1, sourceSlower: true });
  assert.deepEqual(pick(cameraHealth(slow, stats({ analysedPerSByCamera: { a: 1 } }), NOW)), { level: 'ok', reasons: [] });
  // Analysed slower than its source sends: still a problem.
  assert.deepEqual(pick(cameraHealth(slow, stats({ analysedPerSByCamera: { a: 0.4 } }), NOW)), { level: 'bad', reasons: ['analysing 0.4/s of 1.0/s'] });
  // Nothing measured yet (one frame in the window): judged on nothing it cannot be.
  assert.equal(cameraHealth({ ...slow, measuredFps: 0 }, stats({ analysedPerSByCamera: { a: 0.2 } }), NOW).reasons.some((r) => r.startsWith('receiving')), false);
  assert.equal(expectedAnalysisFps([slow, camera('b')]), 6);
});

test('a camera live for less than the stats window is not judged on its analysed rate', () => {
  const fresh = camera('a', { since: NOW - 5_000 });
  assert.equal(cameraHealth(fresh, stats({ analysedPerSByCamera: { a: 0.8 } }), NOW).level, 'ok');
  assert.equal(cameraHealth({ ...fresh, since: NOW - 31_000 }, stats({ analysedPerSByCamera: { a: 0.8 } }), NOW).level, 'bad');
});

test('camera rows are sorted worst first, cameras delivering nothing first, then in the order given (never by name); disabled cameras last', () => {
  const rows = cameraHealthRows(
    [
      camera('ok-b', { name: 'B' }),
      camera('off', { name: 'A off', enabled: false, state: 'stopped' }),
      camera('warn', { name: 'Z warn', state: 'restarting' }),
      camera('ok-a', { name: 'A' }),
      camera('bad', { name: 'Y bad', state: 'failed' }),
      camera('slow', { name: 'A slow', measuredFps: 1 }),
    ],
    stats(),
    NOW,
  );
  assert.deepEqual(
    rows.map((r) => r.id),
    ['bad', 'slow', 'warn', 'ok-b', 'ok-a', 'off'],
  );
});

test('summary: what is live, what is wrong, and the overall level', () => {
  const ok = healthSummary(FOUR, stats(), NOW);
  assert.equal(ok.level, 'ok');
  assert.deepEqual(ok.lines, ['4 of 4 cameras live.']);

  const mixed = healthSummary([...FOUR, camera('e', { name: 'Stage', state: 'failed' }), camera('f', { enabled: false, state: 'stopped' })], stats({ latencyMs: { p50: 300, p95: 600 } }), NOW);
  assert.equal(mixed.level, 'bad');
  assert.deepEqual(mixed.lines, ['4 of 5 cameras live (1 disabled).', 'Problem with Stage.', 'Pipeline: glass-to-readout latency (warning).']);

  const both = healthSummary([camera('a', { name: 'A', state: 'failed' }), camera('b', { name: 'B', state: 'stalled' }), camera('c', { name: 'C', state: 'restarting' })], null, NOW);
  assert.deepEqual(both.lines, ['0 of 3 cameras live.', 'Problem with A and B.', 'Warning for C.', 'Waiting for pipeline figures…']);

  const none = healthSummary([], null, NOW);
  assert.equal(none.level, 'none');
  assert.deepEqual(none.lines, ['No cameras are configured.', 'Waiting for pipeline figures…']);

  const many = healthSummary(['a', 'b', 'c', 'd', 'e', 'f'].map((id) => camera(id, { state: 'stalled' })), stats({ analysedPerSByCamera: {} }), NOW);
  assert.deepEqual(many.lines, ['0 of 6 cameras live.', 'Problem with a, b, c, d and 2 more.']);
});

test('over capacity: a warning card, each throttled camera with its fair share, and a summary line', () => {
  const capacity = {
    overCapacity: true,
    capacityFps: 24,
    demandFps: 40,
    utilisation: 0.92,
    cameras: { a: { arrivingFps: 5, allowedFps: 2.5 }, b: { arrivingFps: 5, allowedFps: 2.5 }, c: { arrivingFps: 5, allowedFps: 2.5 }, d: { arrivingFps: 1, allowedFps: 1 } },
  };
  assert.equal(overCapacityText(capacity), '3 cameras held to a fair share, 2.5 fps of 5.0 fps now');
  assert.equal(overCapacityText({ ...capacity, cameras: { ...capacity.cameras, b: { arrivingFps: 5, allowedFps: 3 } } }), '3 cameras held to a fair share, 2.5-3.0 fps of 5.0 fps now');
  const over = stats({ capacity, analysedPerS: 8.5 });
  const card = statCards(over, FOUR).find((c) => c.key === 'capacity')!;
  assert.equal(card.level, 'warn');
  assert.equal(card.value, 'over capacity');
  assert.equal(card.reason, '3 cameras held to a fair share, 2.5 fps of 5.0 fps now');
  // Analysed frames are judged against the shares handed out, not what was asked.
  const analysed = statCards(over, FOUR).find((c) => c.key === 'analysed')!;
  assert.equal(analysed.level, 'ok');
  assert.equal(analysed.detail, 'of 20.0/s asked by 4 live cameras; 8.5/s allotted while over capacity');
  assert.equal(statCards(stats({ capacity, analysedPerS: 3 }), FOUR).find((c) => c.key === 'analysed')!.reason, '35% of the frames allotted');
  // A throttled camera is a warning that says why, not a problem of that camera.
  const row = cameraHealth(camera('a'), over, NOW);
  assert.equal(row.level, 'warn');
  assert.deepEqual(row.reasons, ['fair share: 2.5 fps of 5.0 fps (server over capacity)']);
  assert.equal(cameraHealth(camera('d', { analysisFps: 1, measuredFps: 1 }), over, NOW).reasons.length, 0);
  // Back within capacity, the shares rise step by step: the row says so rather than "over capacity" under a card that says within.
  const rising = stats({ capacity: { ...capacity, overCapacity: false }, analysedPerS: 8.5 });
  assert.equal(statCards(rising, FOUR).find((c) => c.key === 'capacity')!.value, 'within capacity');
  assert.deepEqual(cameraHealth(camera('a'), rising, NOW).reasons, ['fair share: 2.5 fps of 5.0 fps (climbing back: the model has room again)']);
  const summary = healthSummary(FOUR, over, NOW);
  assert.equal(summary.lines[1], 'Over capacity: the cameras deliver 40.0/s, the model analyses about 24.0/s and is handed 8.5/s of it, the rest kept for jitter; 3 cameras held to a fair share, 2.5 fps of 5.0 fps now (the Analysed column is the average over the last 30 s).');
  // A demand under what the model can do, but over what it is handed, says so rather than contradicting itself.
  const near = { ...capacity, demandFps: 19.5, capacityFps: 20.6, cameras: { a: { arrivingFps: 4.9, allowedFps: 4.4 }, b: { arrivingFps: 4.9, allowedFps: 4.4 }, c: { arrivingFps: 4.9, allowedFps: 4.4 }, d: { arrivingFps: 4.8, allowedFps: 4.4 } } };
  assert.equal(overCapacityCause(near), 'the cameras deliver 19.5/s, the model analyses about 20.6/s and is handed 17.6/s of it, the rest kept for jitter');
  // With the governor off, the card says so.
  assert.equal(statCards(stats({ capacity: null }), FOUR).find((c) => c.key === 'capacity')!.value, 'fair share off');
});

test('format helpers added for the health view', () => {
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(12 * 1024), '12.0 KiB');
  assert.equal(formatBytes(487_948_288), '465 MiB');
  assert.equal(formatBytes(1.25 * 1024 ** 3), '1.25 GiB');
  assert.equal(formatBytes(-1), DASH);
  assert.equal(formatBytes(undefined), DASH);
  assert.equal(formatRate(19.24), '19.2/s');
  assert.equal(formatRate(0), '0.0/s');
  assert.equal(formatRate(Number.NaN), DASH);
});

function pick(row: { level: string; reasons: string[] }): { level: string; reasons: string[] } {
  return { level: row.level, reasons: row.reasons };
}

test('figures kept past a lost connection, or with the pushes stopped, are said to be from then and judged by nothing', () => {
  const clock = (ms: number) => `T+${(ms - NOW) / 1000}`;
  assert.equal(notLiveReason(true, NOW, NOW + 2000, clock), null, 'a push 2 s ago: live');
  assert.equal(notLiveReason(true, null, NOW, clock), null, 'connected, no figures yet: the page says it waits');
  assert.equal(notLiveReason(false, NOW, NOW + 1000, clock), 'Not connected to the server: the figures are as of T+0, not live.');
  assert.equal(notLiveReason(false, null, NOW, clock), 'Not connected to the server: nothing here is live.');
  assert.equal(notLiveReason(true, NOW, NOW + STATS_STALE_MS, clock), null);
  assert.match(notLiveReason(true, NOW, NOW + 12_000, clock) ?? '', /^No figures from the server for 12 s: they are as of T\+0, not live\.$/);

  const cards = notLiveCards(statCards(stats({ latencyMs: { p50: 300, p95: 1200 } }), FOUR));
  assert.deepEqual(new Set(cards.map((c) => c.level)), new Set(['none']), 'no card says OK, or anything else, about now');
  assert.ok(cards.every((c) => c.reason === null));
  assert.equal(cards.find((c) => c.key === 'latency')!.value, 'p50 300 ms', 'the last values stay in sight');

  const summary = notLiveSummary(healthSummary(FOUR, stats(), NOW), 'Not connected.');
  assert.deepEqual(summary, { level: 'none', lines: ['Not connected.', 'Last known: 4 of 4 cameras live.'] });
});

test('a live camera with a black or frozen picture is not OK, and the server\'s own alerts weigh on the summary', () => {
  const alert = (patch: Partial<Alert>): Alert => ({ key: 'k', kind: 'frozen', severity: 'warning', cameraIds: ['a'], message: 'm', since: NOW - 10_000, resolvedAt: null, ...patch });
  const frozen = alert({ key: 'frozen:a', kind: 'frozen', message: 'The picture of a has not changed for 12 s' });
  const black = alert({ key: 'no-picture:b', kind: 'no-picture', cameraIds: ['b'], message: 'b has sent one plain colour' });
  const doubling = alert({ key: 'doubling:c+d', kind: 'doubling', cameraIds: ['c', 'd'], message: 'c and d both on MS' });
  const rows = cameraHealthRows(FOUR, stats(), NOW, [frozen, black, doubling]);
  const byId = new Map(rows.map((r) => [r.id, r]));
  assert.equal(byId.get('a')!.level, 'warn');
  assert.deepEqual(byId.get('a')!.reasons, ['picture frozen']);
  assert.deepEqual(byId.get('b')!.reasons, ['no picture']);
  assert.equal(byId.get('c')!.level, 'ok', 'a doubling is the coverage\'s business, not the camera\'s health');
  assert.equal(cameraHealth(camera('a'), stats(), NOW, [{ ...frozen, resolvedAt: NOW }]).level, 'ok', 'a resolved alert weighs nothing');

  const summary = healthSummary(FOUR, stats(), NOW, [frozen]);
  assert.equal(summary.level, 'warn');
  assert.deepEqual(summary.lines, ['4 of 4 cameras live.', 'Warning for a.']);

  const storage = alert({ key: 'storage', kind: 'storage', severity: 'critical', cameraIds: [], message: 'The shot log cannot be written: no space left on the device; 12 shots held in memory.' });
  const full = healthSummary(FOUR, stats(), NOW, [storage]);
  assert.equal(full.level, 'bad');
  assert.deepEqual(full.lines, ['4 of 4 cameras live.', 'Problem: The shot log cannot be written: no space left on the device; 12 shots held in memory.']);
  assert.equal(healthSummary(FOUR, stats(), NOW, [{ ...storage, severity: 'info' }]).level, 'ok');
});

test('held over capacity while the cameras climb back (recovering): said so, never "over capacity" beside a capacity several times the demand', () => {
  // A machine's figures: 19.6/s delivered, the model about 63.9/s, four cameras climbing back to 5 fps.
  const capacity = {
    overCapacity: true,
    recovering: true,
    capacityFps: 63.9,
    demandFps: 19.6,
    utilisation: 0.15,
    cameras: { a: { arrivingFps: 4.9, allowedFps: 4.4 }, b: { arrivingFps: 4.9, allowedFps: 4.4 }, c: { arrivingFps: 4.9, allowedFps: 4.4 }, d: { arrivingFps: 4.9, allowedFps: 4.4 } },
  };
  const climbing = stats({ capacity, analysedPerS: 17.6 });
  assert.equal(loadState(capacity), 'recovering');
  const card = statCards(climbing, FOUR).find((c) => c.key === 'capacity')!;
  assert.equal(card.value, 'recovering');
  assert.equal(card.level, 'warn');
  assert.equal(card.reason, '4 cameras climbing back to their rates, at 4.4 fps of 4.9 fps now');
  const summary = healthSummary(FOUR, climbing, NOW);
  assert.equal(
    summary.lines[1],
    'Recovering from over capacity: the model has room now (about 63.9/s for the 19.6/s the cameras deliver); 4 cameras climbing back to their rates, at 4.4 fps of 4.9 fps now (the Analysed column is the average over the last 30 s).',
  );
  assert.ok(!summary.lines.join(' ').includes('Over capacity'), summary.lines.join(' | '));
  assert.deepEqual(cameraHealth(camera('a'), climbing, NOW).reasons, ['fair share: 4.4 fps of 4.9 fps (climbing back: the model has room again)']);
  assert.match(loadTitle(capacity), /^recovering from over capacity: the model has room now/);
  assert.equal(statCards(climbing, FOUR).find((c) => c.key === 'analysed')!.detail, 'of 20.0/s asked by 4 live cameras; 17.6/s allotted while the cameras climb back');
  // Every camera back at its rate, the report still held: no "fair shares" twice, no warning.
  const back = { ...capacity, cameras: { a: { arrivingFps: 4.9, allowedFps: 4.9 }, b: { arrivingFps: 4.9, allowedFps: 4.9 }, c: { arrivingFps: 4.9, allowedFps: 4.9 }, d: { arrivingFps: 4.9, allowedFps: 4.9 } } };
  const backCard = statCards(stats({ capacity: back }), FOUR).find((c) => c.key === 'capacity')!;
  assert.equal(backCard.level, 'ok');
  assert.equal(backCard.detail, 'cameras deliver 19.6/s · model about 63.9/s while busy · busy 15% · every camera back at its rate');
  assert.equal(healthSummary(FOUR, stats({ capacity: back }), NOW).lines[1], 'Recovering from over capacity: the model has room now (about 63.9/s for the 19.6/s the cameras deliver); every camera back at its rate.');
  // Truly short (no recovering from the server, or an older server that sends none): over capacity, one "fair share".
  const short = { ...capacity, recovering: false, capacityFps: 20.6 };
  assert.equal(loadState(short), 'over');
  assert.equal(loadState({ ...short, recovering: undefined }), 'over');
  const shortCard = statCards(stats({ capacity: short }), FOUR).find((c) => c.key === 'capacity')!;
  assert.equal(shortCard.value, 'over capacity');
  assert.equal(shortCard.reason!.match(/fair share/g)?.length, 1, shortCard.reason!);
  assert.equal(loadState({ ...capacity, overCapacity: false }), 'ok');
});

test('the header counts cameras as Health does: live of the enabled ones, the disabled noted', () => {
  // 6 cameras, 2 disabled (stopped), 4 live. The header read "4/6 live" beside "4 of 4 cameras live (2 disabled)".
  const six = [...FOUR, camera('e', { enabled: false, state: 'stopped' }), camera('f', { enabled: false, state: 'stopped' })];
  assert.equal(headerCameraCount(six), '4/4 live · 2 disabled');
  assert.equal(healthSummary(six, stats(), NOW).lines[0], '4 of 4 cameras live (2 disabled).');
  assert.equal(headerCameraCount([...FOUR.slice(0, 3), camera('d', { state: 'failed' })]), '3/4 live');
  assert.equal(headerCameraCount(six, false), '—/4 live · 2 disabled');
  assert.equal(headerCameraCount([]), '0/0 live');
});

test('a camera not running (disabled, stopped, failed, waiting) shows no analysed rate: the window average faded for 30 s after it stopped', () => {
  const fading = stats({ analysedPerSByCamera: { a: 3.7, b: 3.7, c: 3.7, d: 3.7, e: 3.7 } });
  assert.equal(cameraHealth(camera('a', { enabled: false, state: 'stopped' }), fading, NOW).analysedPerS, null);
  assert.equal(cameraHealth(camera('b', { state: 'stopped' }), fading, NOW).analysedPerS, null);
  assert.equal(cameraHealth(camera('c', { state: 'failed' }), fading, NOW).analysedPerS, null);
  assert.equal(cameraHealth(camera('d', { state: 'waiting', sourceKind: 'webrtc' }), fading, NOW).analysedPerS, null);
  // Running, or being brought back, it keeps its figure.
  assert.equal(cameraHealth(camera('a'), fading, NOW).analysedPerS, 3.7);
  assert.equal(cameraHealth(camera('e', { state: 'restarting' }), fading, NOW).analysedPerS, 3.7);
});
