/** What the Shots view says about itself (web/src/lib/shots-view-state.ts): live or not, edits checked as the server would, errors with codes, kept filters. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_NAME_LENGTH, MAX_NOTE_LENGTH, MAX_TAGS } from '../../server/shared/input-limits.js';
import { parseShotPatch } from '../../server/api/request-schemas.js';
import { ApiError } from '../../web/src/lib/api.js';
import {
  attachmentName,
  codedError,
  FILTER_KEY,
  keepFilters,
  keptFilters,
  noMatchText,
  noteProblem,
  openShotOutText,
  openShotOutTitle,
  saveFailedText,
  shotsLiveness,
  tagsProblem,
  thumbnailGap,
  withTimeout,
} from '../../web/src/lib/shots-view-state.js';
import { shotLog } from '../support/shot-records.js';

const T0 = 1_800_000_000_000;
const clock = (ms: number) => `T+${(ms - T0) / 1000}`;

test('the list is live while connected and the pushes come; as of the last word when not connected; as of the last push when they stop', () => {
  assert.deepEqual(shotsLiveness(true, null, T0, T0 + 2000, clock), { reason: null, asOf: null });
  assert.deepEqual(shotsLiveness(true, null, null, T0, clock), { reason: null, asOf: null }, 'no push yet is not a frozen server');
  const lost = shotsLiveness(false, T0 + 1000, T0, T0 + 30_000, clock);
  assert.equal(lost.asOf, T0 + 1000);
  assert.match(lost.reason!, /^Not connected to the server: the shots are as of T\+1; shots logged since are not listed/);
  const frozen = shotsLiveness(true, null, T0, T0 + 9000, clock);
  assert.equal(frozen.asOf, T0);
  assert.match(frozen.reason!, /^No word from the server for 9 s: the shots are as of T\+0;/);
});

test('a running shot is not said to run while the list is not live', () => {
  assert.equal(openShotOutText(true), 'running');
  assert.equal(openShotOutText(false), 'not live');
  assert.equal(openShotOutTitle(true, null, clock), undefined);
  assert.equal(openShotOutTitle(false, T0 + 5000, clock), 'running when last heard (T+5); not connected to the server, so not known now');
});

test('tags and notes are checked at the field as the server checks them, from the same bounds', () => {
  assert.equal(tagsProblem('Anna, Ben'), null);
  assert.equal(tagsProblem('x'.repeat(MAX_NAME_LENGTH)), null);
  assert.match(tagsProblem(`Anna, ${'x'.repeat(MAX_NAME_LENGTH + 1)}`)!, new RegExp(`at most ${MAX_NAME_LENGTH} characters .* has ${MAX_NAME_LENGTH + 1}`));
  const many = Array.from({ length: MAX_TAGS + 1 }, (_, i) => `t${i}`).join(',');
  assert.equal(tagsProblem(many), `at most ${MAX_TAGS} tags (this has ${MAX_TAGS + 1})`);
  assert.match(tagsProblem('Anna\u202eBen')!, /control characters/);
  assert.equal(noteProblem('two\nlines\tand a tab'), null);
  assert.equal(noteProblem('n'.repeat(MAX_NOTE_LENGTH)), null);
  assert.equal(noteProblem('n'.repeat(MAX_NOTE_LENGTH + 1)), `a note has at most ${MAX_NOTE_LENGTH} characters (this one has ${MAX_NOTE_LENGTH + 1})`);
  assert.match(noteProblem('bell\u0007')!, /control characters/);
  // What the form lets through, the server takes; what it stops, the server refuses.
  assert.doesNotThrow(() => parseShotPatch({ tags: ['x'.repeat(MAX_NAME_LENGTH)], note: 'n'.repeat(MAX_NOTE_LENGTH) }));
  assert.throws(() => parseShotPatch({ tags: ['x'.repeat(MAX_NAME_LENGTH + 1)] }), /at most/);
  assert.throws(() => parseShotPatch({ note: 'n'.repeat(MAX_NOTE_LENGTH + 1) }), /at most/);
  assert.throws(() => parseShotPatch({ tags: Array.from({ length: MAX_TAGS + 1 }, (_, i) => `t${i}`) }), /at most/);
});

test('errors carry their code; a save that timed out says it may still land and that what was typed is kept', async () => {
  assert.equal(codedError(new ApiError(0, 'NETWORK', 'the server cannot be reached')), 'NETWORK: the server cannot be reached');
  assert.equal(codedError(new Error('boom')), 'INTERNAL: boom');
  const late = new Promise<string>(() => undefined);
  await assert.rejects(withTimeout(late, 'the edit of shot 3', 20), (error: unknown) => error instanceof ApiError && error.code === 'TIMEOUT' && /did not answer the edit of shot 3/.test(error.message));
  assert.equal(await withTimeout(Promise.resolve('ok'), 'x', 20), 'ok');
  const text = saveFailedText(new ApiError(0, 'TIMEOUT', 'the server did not answer'));
  assert.match(text, /^TIMEOUT: the server did not answer\. It may still reach the server; saving again is safe\. What you typed is kept/);
  assert.match(saveFailedText(new ApiError(0, 'NETWORK', 'gone')), /^NETWORK: gone\. What you typed is kept/);
});

test('a filter that matches nothing says which, by the names shown', () => {
  const name = (id: string) => (id === 'cam-1' ? 'Kamera Süd' : id);
  assert.equal(noMatchText({ camera: 'cam-1', scene: ' 12 ', take: '', scale: '' }, name), 'No shots of camera “Kamera Süd”, scene “12”.');
  assert.equal(noMatchText({ camera: '', scene: '', take: '3', scale: '' }, name), 'No shots of take “3”.');
  assert.equal(noMatchText({ camera: '', scene: '12', take: '', scale: 'MCU' }, name), 'No shots of scene “12”, scale MCU.');
  assert.equal(noMatchText({ camera: '', scene: '', take: '', scale: 'none' }, name), 'No shots without a picture.');
  assert.equal(noMatchText({ camera: '', scene: '12', take: '', scale: 'none' }, name), 'No shots of scene “12” without a picture.');
});

test('the filters are kept for the tab, and anything odd in storage reads as none', () => {
  const map = new Map<string, string>();
  const store = { getItem: (k: string) => map.get(k) ?? null, setItem: (k: string, v: string) => void map.set(k, v), removeItem: (k: string) => void map.delete(k) };
  assert.deepEqual(keptFilters(store), { camera: '', scene: '', take: '', scale: '' });
  keepFilters({ camera: 'cam-1', scene: '12', take: '', scale: '' }, store);
  assert.deepEqual(keptFilters(store), { camera: 'cam-1', scene: '12', take: '', scale: '' });
  keepFilters({ camera: '', scene: '', take: '', scale: 'none' }, store);
  assert.deepEqual(keptFilters(store), { camera: '', scene: '', take: '', scale: 'none' });
  keepFilters({ camera: '', scene: ' ', take: '', scale: '' }, store);
  assert.equal(map.has(FILTER_KEY), false, 'no filter: nothing kept');
  map.set(FILTER_KEY, '{not json');
  assert.deepEqual(keptFilters(store), { camera: '', scene: '', take: '', scale: '' });
  map.set(FILTER_KEY, JSON.stringify({ camera: 5, scene: ['x'], take: 'y'.repeat(500), scale: 'XL' }));
  assert.deepEqual(keptFilters(store), { camera: '', scene: '', take: 'y'.repeat(MAX_NAME_LENGTH), scale: '' });
  assert.deepEqual(keptFilters(null), { camera: '', scene: '', take: '', scale: '' });
});

test("an export's file name comes from the server's Content-Disposition", () => {
  assert.equal(attachmentName('attachment; filename="shotscale-shots-cam_1.csv"', 'x.csv'), 'shotscale-shots-cam_1.csv');
  assert.equal(attachmentName(null, 'x.csv'), 'x.csv');
});

test('a shot without a thumbnail says "no picture" only when the camera had none; a crash\'s shot with footage says "no thumbnail", and why', () => {
  const shot = shotLog();
  // Left open by a kill -9 during a take, closed at the next start: 107 readouts of a full shot, no thumbnail.
  const crashed = thumbnailGap(shot('FS', 26.9, { readouts: 107, cutOut: 'restart', hasThumbnail: false }));
  assert.equal(crashed.text, 'no thumbnail');
  assert.match(crashed.title, /closed by a restart without its thumbnail: most likely still running when the server stopped abruptly/);
  const black = thumbnailGap(shot('CU', 10, { readouts: 0, noPicture: 'black' }));
  assert.deepEqual(black, { text: 'no picture', title: 'no picture (black) from cut to cut: nothing to take a thumbnail of' });
  // A black shot an operator gave a scale: they saw a picture, so not "no picture"; the flat check is why there is no thumbnail.
  const set = thumbnailGap(shot('MS', 4, { readouts: 0, noPicture: 'black', classifierScale: null }));
  assert.equal(set.text, 'no thumbnail');
  assert.match(set.title, /read as no picture \(black\) from cut to cut.*an operator has set its scale/);
  assert.deepEqual(thumbnailGap(shot('MS', 4, { readouts: 0 })), { text: 'no thumbnail', title: 'no frame of this shot was analysed, so there was none to take a thumbnail from' });
  assert.match(thumbnailGap(shot('MS', 4)).title, /thumbnails are off \(shots\.thumbnails\), or it could not be made/);
  assert.equal(thumbnailGap(shot('MS', 4, { status: 'open', cutOut: null })).text, 'open');
});
