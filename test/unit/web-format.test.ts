import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CANONICAL_SCALES } from '../../server/shared/scale.js';
import {
  DASH,
  SCALE_COLOURS,
  STATUS_COLOURS,
  formatCount,
  formatDuration,
  formatFps,
  formatLatency,
  formatPercent,
  probabilityRows,
  scaleColour,
  scaleName,
  statusColours,
  stillForMs,
} from '../../web/src/lib/format.js';

test('formatLatency picks a sensible unit', () => {
  assert.equal(formatLatency(0), '0.0 ms');
  assert.equal(formatLatency(4.26), '4.3 ms');
  assert.equal(formatLatency(87.4), '87 ms');
  assert.equal(formatLatency(999.4), '999 ms');
  assert.equal(formatLatency(1250), '1.25 s');
  assert.equal(formatLatency(12_400), '12 s');
  assert.equal(formatLatency(-1), DASH);
  assert.equal(formatLatency(Number.NaN), DASH);
  assert.equal(formatLatency(undefined), DASH);
  assert.equal(formatLatency(null), DASH);
});

test('formatPercent clamps and rounds', () => {
  assert.equal(formatPercent(0.874), '87%');
  assert.equal(formatPercent(0.874, 1), '87.4%');
  assert.equal(formatPercent(1), '100%');
  assert.equal(formatPercent(1.2), '100%');
  assert.equal(formatPercent(-0.1), '0%');
  assert.equal(formatPercent(Number.POSITIVE_INFINITY), DASH);
  assert.equal(formatPercent(undefined), DASH);
});

test('formatFps, formatCount, formatDuration', () => {
  assert.equal(formatFps(25), '25.0 fps');
  assert.equal(formatFps(7.46), '7.5 fps');
  assert.equal(formatFps(-2), DASH);
  assert.equal(formatCount(0), '0');
  assert.equal(formatCount(1234567), '1\u202f234\u202f567');
  assert.equal(formatCount(undefined), DASH);
  assert.equal(formatDuration(4_900), '5 s');
  assert.equal(formatDuration(4_400), '4 s');
  assert.equal(formatDuration(-50), '0 s');
  assert.equal(formatDuration(3 * 60_000 + 10_000), '3 min 10 s');
  assert.equal(formatDuration(3 * 60_000), '3 min');
  assert.equal(formatDuration(2 * 3_600_000), '2 h');
  assert.equal(formatDuration(2 * 3_600_000 + 5 * 60_000), '2 h 5 min');
  assert.equal(formatDuration(3 * 86_400_000 + 4 * 3_600_000), '3 d 4 h');
  assert.equal(formatDuration(Number.NaN), DASH);
});

test('formatDuration rounds to the unit it shows, never down to a whole minute', () => {
  assert.equal(formatDuration(119_000), '1 min 59 s');
  assert.equal(formatDuration(11_600), '12 s');
  assert.equal(formatDuration(59_600), '1 min');
  assert.equal(formatDuration(3_599_600), '1 h');
  // 1 h 2 min 40 s is nearer 1 h 3 min than 1 h 2 min.
  assert.equal(formatDuration(3_760_000), '1 h 3 min');
  assert.equal(formatDuration(86_400_000 - 20_000), '1 d');
  assert.equal(formatDuration(26 * 3_600_000 + 40 * 60_000), '1 d 3 h');
});

test('every camera state has readable badge colours; unknown states fall back', () => {
  for (const state of ['starting', 'live', 'stalled', 'restarting', 'failed', 'stopped'] as const) {
    const c = statusColours(state);
    assert.equal(c, STATUS_COLOURS[state]);
    assert.ok(contrast(c.bg, c.fg) >= 4.5, `${state}: contrast ${contrast(c.bg, c.fg).toFixed(2)}`);
  }
  const fallback = statusColours('exploded');
  assert.match(fallback.bg, /^#[0-9a-f]{6}$/i);
  assert.ok(contrast(fallback.bg, fallback.fg) >= 4.5);
});

test('scale colours cover the canonical scales, distinct, dark to light', () => {
  const colours = CANONICAL_SCALES.map((s) => SCALE_COLOURS[s]);
  assert.equal(new Set(colours).size, CANONICAL_SCALES.length);
  const lum = colours.map(luminance);
  for (let i = 1; i < lum.length; i++) assert.ok(lum[i]! > lum[i - 1]!, `luminance rises at ${CANONICAL_SCALES[i]}`);
  assert.equal(scaleColour('MCU'), SCALE_COLOURS.MCU);
  assert.match(scaleColour('nope'), /^#[0-9a-f]{6}$/i);
  assert.equal(scaleName('MCU'), 'medium close-up');
  assert.equal(scaleName('nope'), 'nope');
});

test('probabilityRows pairs probabilities with classes, clamping gaps', () => {
  const rows = probabilityRows([0.5, 0.25, 1.5, -1, Number.NaN]);
  assert.deepEqual(
    rows.map((r) => r.label),
    [...CANONICAL_SCALES],
  );
  assert.deepEqual(
    rows.map((r) => r.p),
    [0.5, 0.25, 1, 0, 0, 0, 0, 0],
  );
  assert.equal(rows[0]!.name, 'extreme close-up');
  assert.equal(probabilityRows(null).length, 8);
});

function luminance(hex: string): number {
  const n = Number.parseInt(hex.slice(1), 16);
  const [r, g, b] = [(n >> 16) & 255, (n >> 8) & 255, n & 255].map((v) => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

test('formatSubjects says who is in the shot', async () => {
  const { formatSubjects } = await import('../../web/src/lib/format.js');
  assert.equal(formatSubjects(undefined), null);
  assert.equal(formatSubjects({ count: 0, kind: 'none', framing: 'none', overTheShoulder: false }), 'no one in frame');
  assert.equal(formatSubjects({ count: 1, kind: 'face', framing: 'single', overTheShoulder: false }), '1 face');
  assert.equal(formatSubjects({ count: 2, kind: 'people', framing: 'two-shot', overTheShoulder: true }), '2 people · two-shot · over the shoulder');
  assert.equal(formatSubjects({ count: 5, kind: 'people', framing: 'group', overTheShoulder: false }), '5 people · group');
});

test('labelWhyOf: beside a held label\'s reason, who was in that frame; else this frame\'s reason and who it found', async () => {
  const { labelWhyOf } = await import('../../web/src/lib/format.js');
  const person = { count: 1, kind: 'person', framing: 'single', overTheShoulder: false } as const;
  const nobody = { count: 0, kind: 'none', framing: 'none', overTheShoulder: false } as const;
  const base = { cameraId: 'a', captureTime: 0, label: 'MWS' as const, confidence: 0.5, raw: [], smoothed: [], latencyMs: 0, model: 'm' };
  assert.deepEqual(labelWhyOf({ ...base, reason: 'no person or face found -> EWS', subjects: nobody, labelReason: 'mid-thigh -> MWS', labelSubjects: person }), { reason: 'mid-thigh -> MWS', subjects: person });
  assert.deepEqual(labelWhyOf({ ...base, reason: 'mid-thigh -> MWS', subjects: nobody }), { reason: 'mid-thigh -> MWS', subjects: nobody }, 'no reason kept: this frame');
  assert.deepEqual(labelWhyOf(null), {});
});

test('stillForMs: how long the picture has not changed, on the server\'s clock, whatever this browser\'s says', () => {
  const server = Date.UTC(2026, 0, 1, 12, 0, 0);
  // This browser's clock is a minute ahead of the server's; the readout arrived 300 ms ago.
  const browserReceived = server + 60_000 + 100;
  const now = browserReceived + 300;
  assert.equal(stillForMs({ captureTime: server, stillSince: server - 200 }, browserReceived, now), 500, 'two identical frames: half a second, not a minute');
  assert.equal(stillForMs({ captureTime: server, stillSince: server - 12_000 }, browserReceived, now), 12_300);
  assert.equal(stillForMs({ captureTime: server }, browserReceived, now), null, 'a changing picture');
  assert.equal(stillForMs(null, 0, now), null);
});
