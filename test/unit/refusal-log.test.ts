import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RefusalLog, REFUSALS_LOGGED_PER_MINUTE } from '../../server/api/refusal-log.js';
import { createLogger } from '../../server/shared/logger.js';

test('refusals: a few a minute per client as they come, the rest summed up when the minute is over', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const lines: string[] = [];
  const refusals = new RefusalLog(createLogger('test', 'info', (line) => lines.push(line)));
  for (let i = 0; i < 1000; i++) refusals.refused('client a', `a refused ${i}`);
  refusals.refused('client b', 'b refused 0');
  assert.equal(lines.length, REFUSALS_LOGGED_PER_MINUTE + 1);
  assert.match(lines.at(-1)!, /b refused 0/);
  t.mock.timers.tick(59_000);
  assert.equal(lines.length, REFUSALS_LOGGED_PER_MINUTE + 1, 'nothing more within the minute');
  t.mock.timers.tick(1_000);
  assert.match(lines.at(-1)!, /client a: 995 more refused events in the last minute, not logged one by one/);
  assert.equal(lines.length, REFUSALS_LOGGED_PER_MINUTE + 2, 'b, with nothing unlogged, has no summary');
  refusals.refused('client a', 'a refused again');
  assert.match(lines.at(-1)!, /a refused again/, 'a new minute, a new allowance');
  refusals.refused('client a', 'x');
  for (let i = 0; i < 10; i++) refusals.refused('client a', 'y');
  refusals.closeAll();
  assert.match(lines.at(-1)!, /client a: 7 more refused events/, 'stopping sums up what is open');
});
