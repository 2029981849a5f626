import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exportEachFormat } from '../../server/cli/log-command.js';
import { CANONICAL_SCALES } from '../../server/shared/scale.js';
import { shot } from '../support/timecoded-shots.js';

test("a file's log of more than 999 shots: every format but the EDLs is made, and the EDLs are said not written with why", () => {
  const tc = (f: number) => `00:${String(Math.floor(f / 1500)).padStart(2, '0')}:${String(Math.floor(f / 25) % 60).padStart(2, '0')}:${String(f % 25).padStart(2, '0')}`;
  const shots = Array.from({ length: 1001 }, (_, i) => shot({ camera: 'file', id: i + 1, rate: '25', tcIn: tc(25 * i), tcOut: tc(25 * i + 25), scale: CANONICAL_SCALES[i % 8]! }));
  const { made, notMade } = exportEachFormat(shots, ['csv', 'edl', 'otio', 'markers', 'fcpxml'], { title: 'film', rate: '25' });
  assert.deepEqual(made.map((result) => result.extension), ['.csv', '.otio', '.fcpxml']);
  assert.equal(notMade.length, 2);
  assert.match(notMade[0]!, /^edl not written: edl: 1001 events are more than the 999/);
  assert.match(notMade[1]!, /^markers not written: markers: 1001 events/);
  const few = exportEachFormat(shots.slice(0, 999), ['edl', 'markers'], { title: 'film', rate: '25' });
  assert.deepEqual([few.made.length, few.notMade], [2, []]);
});
