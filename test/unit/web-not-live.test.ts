/** What the page says while it does not hear the server (web/src/lib/not-live.ts): the wall, the alerts, the coverage, the slate. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { alertsHeading, asOfText, localClock, localDateTime, NOT_LIVE, noAlertsText, notLiveCamera, sceneMarkText, slateRunningText, wallLiveText } from '../../web/src/lib/not-live.js';

const T0 = 1_800_000_000_000;
const clock = (ms: number) => `T+${(ms - T0) / 1000}`;

test('"as of" a time heard, or nothing heard', () => {
  assert.equal(asOfText(T0 + 3000, clock), 'as of T+3');
  assert.equal(asOfText(null, clock), 'nothing heard');
  assert.equal(asOfText(0, clock), 'nothing heard', 'a camera with no readout has readoutAt 0');
});

test('the wall counts no camera live while not connected, as the header does', () => {
  assert.equal(wallLiveText(true, 3), '3 live');
  assert.equal(wallLiveText(true, 0), '0 live');
  assert.equal(wallLiveText(false, 3), '— live (not connected)');
  assert.doesNotMatch(wallLiveText(false, 3), /\d/);
});

test('a camera while not connected: "not live", its state as last heard in the title, its label as of its readout', () => {
  const live = notLiveCamera('live', T0 + 1000, T0 + 2000, clock);
  assert.equal(live.badge, NOT_LIVE);
  assert.doesNotMatch(live.badge, /^live$/i);
  assert.equal(live.title, 'live when last heard (T+2); not connected to the server, so not known now');
  assert.equal(live.line, 'not connected · label as of T+1');
  // No readout (a camera that was failed): as of the last word heard, else nothing heard.
  assert.equal(notLiveCamera('failed', 0, T0 + 2000, clock).line, 'not connected · as of T+2');
  assert.equal(notLiveCamera('failed', 0, null, clock).line, 'not connected · nothing heard');
  assert.equal(notLiveCamera('failed', 0, null, clock).title, 'failed when last heard; not connected to the server, so not known now');
});

test('alerts: counted while connected; as of the last word, and none is not "no alerts", while not', () => {
  assert.equal(alertsHeading(true, 2, null, clock), '2 active');
  assert.equal(alertsHeading(false, 2, T0 + 4000, clock), 'as of T+4 (not connected)');
  assert.equal(noAlertsText(true, T0, clock), 'No active alerts.');
  assert.equal(noAlertsText(false, T0 + 4000, clock), 'No active alerts when last heard, T+4; not known now.');
  assert.equal(noAlertsText(false, null, clock), 'No active alerts heard; not known now.');
});

test('a scene is "shooting now" only while connected; "last slated" is a past fact either way', () => {
  assert.equal(sceneMarkText('shooting', true, null, clock), 'shooting now');
  assert.equal(sceneMarkText('shooting', false, T0 + 5000, clock), 'shooting as of T+5 (not connected)');
  assert.doesNotMatch(sceneMarkText('shooting', false, T0, clock), /now/);
  assert.equal(sceneMarkText('last', false, T0, clock), 'last slated');
  assert.equal(sceneMarkText('last', true, T0, clock), 'last slated');
});

test('the slate: running, or none, as of the last word while not connected', () => {
  assert.equal(slateRunningText(true, true, null, clock), 'running');
  assert.equal(slateRunningText(true, false, null, clock), 'No take running');
  assert.equal(slateRunningText(false, true, T0 + 6000, clock), 'running as of T+6 (not connected)');
  assert.equal(slateRunningText(false, false, T0 + 6000, clock), 'No take running as of T+6 (not connected)');
});

test('times of day in 24 hours, and dates no reader takes for another, whatever the locale', () => {
  const afternoon = new Date(2026, 11, 6, 15, 4, 5).getTime();
  assert.equal(localClock(afternoon), '15:04:05');
  assert.equal(localClock(new Date(2026, 11, 6, 8, 0, 9).getTime()), '08:00:09');
  assert.equal(localDateTime(afternoon), '2026-12-06 15:04');
});
