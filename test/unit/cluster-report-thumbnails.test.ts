/**
 * The cluster film report asks other nodes for the thumbnails its log has
 * not copied yet a few at a time (askOwners), not one shot after another (a
 * report of many shots closed a moment ago waited a round trip for each):
 * the answers in the shots' order, never more than the limit in flight, and
 * a node that does not answer asked once, its pictures left out.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { askOwners, THUMBNAILS_ASKED_AT_ONCE } from '../../server/api/report-routes.js';

interface Owner {
  nodeId: string;
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

/** An ask that answers after `turns` turns of the loop, counting what is in flight. */
function counting() {
  const state = { inFlight: 0, most: 0, asked: [] as string[] };
  const delay = async (turns: number) => {
    state.inFlight++;
    state.most = Math.max(state.most, state.inFlight);
    try {
      for (let i = 0; i < turns; i++) await tick();
    } finally {
      state.inFlight--;
    }
  };
  return { state, delay };
}

test('answers in the order of the items, at most the limit in flight, lookups included', async () => {
  const { state, delay } = counting();
  const items = Array.from({ length: 40 }, (_, i) => i);
  // Later items answer sooner, so an answer kept in arrival order would show.
  const answers = await askOwners(
    items,
    THUMBNAILS_ASKED_AT_ONCE,
    async (id) => {
      await delay(1);
      return id % 7 === 0 ? null : { nodeId: `node-${id % 3}` };
    },
    async (id, owner: Owner) => {
      await delay(40 - id);
      state.asked.push(owner.nodeId);
      return `jpeg ${id}`;
    },
  );
  assert.deepEqual(
    answers,
    items.map((id) => (id % 7 === 0 ? null : `jpeg ${id}`)),
  );
  assert.equal(state.most, THUMBNAILS_ASKED_AT_ONCE, 'as many at once as allowed, never more');
  assert.equal(state.asked.length, items.filter((id) => id % 7 !== 0).length);
});

test('a node that does not answer is asked once, its items left out; the other nodes are still asked', async () => {
  const asked: number[] = [];
  const answers = await askOwners(
    Array.from({ length: 12 }, (_, i) => i),
    3,
    async (id) => ({ nodeId: id % 2 === 0 ? 'silent' : 'alive' }),
    async (id) => {
      asked.push(id);
      for (let i = 0; i < 5; i++) await tick();
      if (id % 2 === 0) throw new Error('node "silent" did not answer');
      return id === 5 ? null : `jpeg ${id}`;
    },
  );
  assert.deepEqual(asked.filter((id) => id % 2 === 0), [0], 'the silent node asked once');
  assert.deepEqual(asked.filter((id) => id % 2 === 1), [1, 3, 5, 7, 9, 11], 'every shot of the node that answers asked');
  assert.deepEqual(answers, [null, 'jpeg 1', null, 'jpeg 3', null, null, null, 'jpeg 7', null, 'jpeg 9', null, 'jpeg 11']);
});

test('a node that stops answering is asked nothing more after', async () => {
  const asked: number[] = [];
  const answers = await askOwners(
    Array.from({ length: 10 }, (_, i) => i),
    1,
    async () => ({ nodeId: 'b' }),
    async (id) => {
      asked.push(id);
      await tick();
      if (id >= 3) throw new Error('node "b" did not answer');
      return `jpeg ${id}`;
    },
  );
  assert.deepEqual(asked, [0, 1, 2, 3]);
  assert.deepEqual(answers, ['jpeg 0', 'jpeg 1', 'jpeg 2', ...Array<null>(7).fill(null)]);
});

test("the cluster's log unreadable fails the whole", async () => {
  await assert.rejects(
    askOwners(
      [1, 2, 3],
      2,
      async (id) => {
        if (id === 2) throw Object.assign(new Error('the cluster log is unreachable'), { code: 'CLUSTER_UNREACHABLE' });
        return { nodeId: 'b' };
      },
      async () => 'jpeg',
    ),
    { code: 'CLUSTER_UNREACHABLE' },
  );
});
