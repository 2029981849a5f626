import assert from 'node:assert/strict';
import { describe, mock, test } from 'node:test';
import { Undoable } from '../../web/src/lib/undoable.js';

describe('an action that can be taken back', () => {
  const setUp = (fail = false) => {
    const done: { item: string; leaving: boolean }[] = [];
    const failures: string[] = [];
    let listed: string[] = [];
    const actions = new Undoable<string>(
      async (item, leaving) => {
        if (fail) throw new Error('refused');
        done.push({ item, leaving });
      },
      (pending) => (listed = pending.map((p) => p.item)),
      (item) => failures.push(item),
      8000,
    );
    return { actions, done, failures, listed: () => listed };
  };

  test('runs once the wait is over, not before', async () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      const { actions, done, listed } = setUp();
      actions.schedule('12', 'sample 12');
      assert.deepEqual(listed(), ['sample 12']);
      mock.timers.tick(7999);
      assert.equal(done.length, 0);
      mock.timers.tick(1);
      await Promise.resolve();
      assert.deepEqual(done, [{ item: 'sample 12', leaving: false }]);
      assert.deepEqual(listed(), []);
    } finally {
      mock.timers.reset();
    }
  });

  test('taken back, it never runs; taking back what ran says so', async () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      const { actions, done, listed } = setUp();
      actions.schedule('12', 'sample 12');
      assert.equal(actions.undo('12'), true);
      assert.deepEqual(listed(), []);
      mock.timers.tick(10_000);
      await Promise.resolve();
      assert.equal(done.length, 0);
      assert.equal(actions.undo('12'), false);
    } finally {
      mock.timers.reset();
    }
  });

  test('a flush runs every waiting action at once and resolves when they are done; a failure is reported', async () => {
    const ok = setUp();
    ok.actions.schedule('1', 'one');
    ok.actions.schedule('2', 'two');
    await ok.actions.flush(true);
    assert.deepEqual(ok.done, [{ item: 'one', leaving: true }, { item: 'two', leaving: true }]);
    assert.equal(ok.actions.has('1'), false);
    const refused = setUp(true);
    refused.actions.schedule('3', 'three');
    await refused.actions.flush(false);
    assert.deepEqual(refused.failures, ['three']);
  });
});
