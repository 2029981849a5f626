import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { filmReport, formatSeconds } from '../../server/reports/film-report.js';
import { SCALE_COLOURS } from '../../server/shared/scale-palette.js';
import { scaleColour } from '../../web/src/lib/format.js';
import { shotLog } from '../support/shot-records.js';

const rows = (html: string): number => html.match(/<tbody>[\s\S]*<\/tbody>/)![0].split('<tr>').length - 1;

describe('film report', () => {
  test('a row and a strip segment per shot, the figures of the film, one page with nothing to fetch', () => {
    const shot = shotLog();
    const shots = [shot('EWS', 6, { framing: 'group' }), shot('CU', 2, { framing: 'single' }), shot('MS', 4, { scaleStart: 'MS', scaleEnd: 'CU', cutIn: 'dissolve' })];
    const html = filmReport(shots, { title: 'Scene 12', generatedAt: Date.UTC(2026, 0, 1) });
    assert.equal(rows(html), 3);
    assert.equal(html.match(/class="shot"/g)!.length, 3, 'a strip segment per shot');
    assert.match(html, /<b>3<\/b>shots/);
    assert.match(html, /<b>4\.0 s<\/b>average shot length/);
    assert.match(html, /<b>EWS<\/b>most of the time/);
    assert.match(html, /<b>2 cuts, 1 dissolve<\/b>transitions/);
    assert.match(html, /MS to CU/, 'a push-in is shown');
    assert.match(html, /made 2026-01-01 00:00 UTC/);
    assert.doesNotMatch(html, /<script|src="http|href="http|@import|url\(/, 'self-contained: nothing to run or fetch');
    for (const scale of ['EWS', 'CU', 'MS'] as const) assert.ok(html.includes(`fill="${SCALE_COLOURS[scale]}"`));
  });

  test('a shot with no picture from cut to cut: a grey chip and strip segment, no point on the scale line, counted apart', () => {
    const shot = shotLog();
    const shots = [shot('MS', 4), shot('CU', 10, { readouts: 0, noPicture: 'black', reason: 'no picture (black) throughout' }), shot('CU', 2)];
    const html = filmReport(shots, { title: 'Scene 12' });
    assert.equal(rows(html), 3);
    assert.match(html, /<b>3<\/b>shots/);
    assert.match(html, /<b>3\.0 s<\/b>average shot length/, 'of the shots with a picture');
    assert.match(html, /<b>MS<\/b>most of the time/, 'the black shot adds no time to the CU it carried over');
    assert.match(html, /<b>1 shot, 10\.0 s<\/b>no picture/);
    assert.match(html, /class="chip" style="background:#9aa0a6;color:#111">no picture \(black\)<\/span>/);
    assert.match(html, /<title>#\d+ no picture \(black\) /, 'the strip segment says so');
    assert.equal(html.match(/<polyline /g)!.length, 2, 'the scale line breaks at the black shot');
    assert.equal(html.match(/<circle /g)!.length, 2);
    // By time, MS has 4 s (its own), not 14.
    assert.match(html, />4\.0 s \(67%\)</);
  });

  test('several cameras: a scale chart each, on one time axis (one chart crossed their lines at every cut)', () => {
    const shot = shotLog();
    const shots = [shot('CU', 4, { cameraId: 'cam-a' }), shot('WS', 4, { cameraId: 'cam-a' }), shot('MS', 8, { cameraId: 'cam-b' }), shot('EWS', 2, { cameraId: 'cam-<c>' })];
    const html = filmReport(shots, { title: 'Scene 14' });
    const charts = [...html.matchAll(/<figure class="camera-scale"><figcaption>([^<]*)<\/figcaption><svg[^>]*aria-label="([^"]*)">([\s\S]*?)<\/svg><\/figure>/g)];
    // In the order of the strip's rows.
    assert.deepEqual(charts.map((m) => m[1]), ['cam-&lt;c&gt;', 'cam-a', 'cam-b']);
    assert.deepEqual(charts.map((m) => m[2]), ['scale over time, cam-&lt;c&gt;', 'scale over time, cam-a', 'scale over time, cam-b']);
    assert.deepEqual(charts.map((m) => m[3]!.match(/<circle /g)!.length), [1, 2, 1], "each chart holds its camera's shots alone");
    assert.deepEqual(charts.map((m) => m[3]!.match(/<polyline /g)!.length), [1, 1, 1]);
    // A gap in the log (the server stopped for an hour) breaks the line: no slope drawn across it.
    const gap = filmReport([shot('CU', 4, { cameraId: 'cam-d' }), shot('EWS', 4, { cameraId: 'cam-d', inTime: Date.UTC(2026, 0, 1, 13) }), shot('EWS', 4, { cameraId: 'cam-d' })], { title: 'Gap' });
    assert.equal(gap.match(/<polyline /g)!.length, 2);
    // One camera (a film): one chart, no caption.
    const film = filmReport([shot('CU', 4), shot('MS', 4)], { title: 'Film' });
    assert.equal(film.match(/class="camera-scale"/g), null);
    assert.equal(film.match(/aria-label="scale over time"/g)!.length, 1);
  });

  test("an operator's scale and framing are the shot's, said to be set by the operator, with the classifier's and the detector's read beside", () => {
    const shot = shotLog();
    const shots = [
      shot('CU', 3, { classifierScale: 'MCU', framing: 'group', operatorFraming: 'two-shot' }),
      shot('MS', 3, { framing: 'single' }),
      shot('WS', 3, { operatorFraming: 'single' }),
      shot('MS', 3, { classifierScale: null, noPicture: 'black', readouts: 0 }),
    ];
    const html = filmReport(shots, { title: 'Scene 12' });
    const cells = html.match(/<tbody>[\s\S]*<\/tbody>/)![0].split('<tr>').slice(1);
    assert.equal(cells.length, 4);
    assert.match(cells[0]!, /<td>two-shot<div class="small by-operator">framing set by operator; the detector read group<\/div><\/td>/);
    assert.match(cells[0]!, />CU<\/span> 90%<div class="small by-operator">set by operator; classifier MCU<\/div>/);
    assert.doesNotMatch(cells[0]!, /<td>group<\/td>/, "the detector's framing is not the shot's");
    assert.doesNotMatch(cells[1]!, /by operator/, "the classifier's scale and the detector's framing say nothing more");
    assert.match(cells[1]!, /<td>single<\/td>/);
    assert.match(cells[2]!, /<td>single<div class="small by-operator">framing set by operator; the detector read nobody<\/div><\/td>/);
    // A black shot an operator gave a scale: that scale, no confidence (the classifier's was carried over), nothing read.
    assert.match(cells[3]!, />MS<\/span><div class="small by-operator">set by operator; no picture for the classifier<\/div>/);
  });

  test('text from operators is escaped', () => {
    const shot = shotLog();
    const html = filmReport([shot('MS', 2, { tags: ['<b>Anna</b>'], note: 'x" onmouseover="alert(1)', scene: '<i>12</i>' })], { title: 'A & B <script>' });
    assert.doesNotMatch(html, /<b>Anna<\/b>|<script>|onmouseover="/);
    assert.match(html, /&lt;b&gt;Anna&lt;\/b&gt;/);
    assert.match(html, /<h1>A &amp; B &lt;script&gt;<\/h1>/);
  });

  test('each tag is an item of its own (a comma in a tag is no separator); a note keeps its line breaks; both escaped', () => {
    const shot = shotLog();
    const tags = ['Smith, John', 'Anna & Ben', 'Zoë "Z"'];
    const note = 'Anna enters <left>\nBen exits\r\nboom in frame';
    for (const cameraId of [undefined, 'cam-2']) {
      const shots = [shot('MS', 2, { tags, note }), shot('CU', 2, { cameraId: cameraId ?? 'cam-1' })];
      const html = filmReport(shots, { title: 'Scene 12' });
      assert.match(html, /<ul class="tags"><li>Smith, John<\/li> <li>Anna &amp; Ben<\/li> <li>Zoë &quot;Z&quot;<\/li><\/ul>/, `three tags, three items${cameraId ? ' (camera column)' : ''}`);
      assert.doesNotMatch(html, /Smith, John, Anna/, 'not joined into four names');
      assert.match(html, /<div class="note">Anna enters &lt;left&gt;<br>Ben exits<br>boom in frame<\/div>/);
      assert.doesNotMatch(html, /Anna enters[^<]*\n|Ben exits\r/, 'no raw line break left in the cell (it showed as a space)');
      assert.doesNotMatch(html, /<script|src="http|href="http|@import|url\(/, 'still self-contained');
    }
  });

  test('a shot with footage and no thumbnail (one a crash left open) says no thumbnail; only a camera black says no picture', () => {
    const shot = shotLog();
    const html = filmReport([shot('FS', 26.9, { readouts: 107, cutOut: 'restart' }), shot('CU', 10, { readouts: 0, noPicture: 'black' })], { title: 'Scene 12' });
    const images = [...html.matchAll(/<div class="noimg">([^<]*)<\/div>/g)].map((m) => m[1]);
    assert.deepEqual(images, ['no thumbnail', 'no picture']);
  });

  test('a camera column and a strip row per camera only when there are several', () => {
    const shot = shotLog();
    const one = filmReport([shot('MS', 2), shot('CU', 2)], { title: 'film' });
    assert.doesNotMatch(one, /<th>camera<\/th>/);
    const two = filmReport([shot('MS', 2, { cameraId: 'a' }), shot('CU', 2, { cameraId: 'b' })], { title: 'scene' });
    assert.match(two, /<th>camera<\/th>/);
    assert.match(two, />a<\/text>[\s\S]*>b<\/text>/);
  });

  test('thumbnails are embedded; no shots is said so', () => {
    const shot = shotLog();
    const html = filmReport([shot('MS', 2)], { title: 'x', thumbnail: () => Buffer.from([0xff, 0xd8, 0xff]) });
    assert.match(html, /src="data:image\/jpeg;base64,\/9j\/"/);
    assert.match(filmReport([], { title: 'x' }), /No shots match/);
  });

  test('the dashboard and the report share one palette; seconds read as a person writes them', () => {
    for (const [scale, colour] of Object.entries(SCALE_COLOURS)) assert.equal(scaleColour(scale), colour);
    assert.equal(formatSeconds(4.04), '4.0 s');
    assert.equal(formatSeconds(75.4), '1:15.4');
    assert.equal(formatSeconds(3725), '1:02:05');
  });

  test('one shot is counted as "1 shot"', () => {
    const shot = shotLog();
    const html = filmReport([shot('MS', 4)], { title: 'Insert' });
    assert.match(html, /<b>1<\/b>shot</);
    assert.doesNotMatch(html, /<b>1<\/b>shots/);
  });
});
