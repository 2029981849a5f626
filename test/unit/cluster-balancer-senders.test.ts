/**
 * The balancer and cameras whose sender is connected to their node (a WHIP
 * publisher, a listener's sender): a two-node cluster handed a live WHIP
 * camera over to even out the load, and its publisher saw "pc failed".
 * Another camera moves instead, or none; above capacity such a camera goes
 * last; and the plan says why it hands a camera over, for the log.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { describeRelease, explainedPlan, planLeases, type BalancerView } from '../../server/cluster/camera-balancer.js';

const nodes = (...spec: [string, number][]) => spec.map(([nodeId, capacity]) => ({ nodeId, capacity }));

describe('planLeases with cameras whose sender is connected here', () => {
  // Node a runs cam-2 and phone (published to a); b's only camera was disabled, so b has room.
  const view: BalancerView = { nodeId: 'a', cameras: ['cam-2', 'phone'], holders: new Map([['cam-2', 'a'], ['phone', 'a']]), nodes: nodes(['a', 2], ['b', 2]) };

  test('above its share, a node hands over a camera without a sender, not the one whose publisher is connected', () => {
    assert.deepEqual(planLeases({ ...view, pinned: new Set(['phone']) }), { claim: [], release: ['cam-2'] });
    // In either order of the ids.
    assert.deepEqual(planLeases({ ...view, cameras: ['phone', 'cam-2'], pinned: new Set(['phone']) }), { claim: [], release: ['cam-2'] });
    // Without a publisher, the last camera goes as before.
    assert.deepEqual(planLeases(view), { claim: [], release: ['phone'] });
  });

  test('when every camera above the share has its sender here, none is moved to balance the load', () => {
    assert.deepEqual(planLeases({ ...view, pinned: new Set(['cam-2', 'phone']) }), { claim: [], release: [] });
    // And the node with room does not take anything meanwhile (nothing is free): no camera bounces.
    assert.deepEqual(planLeases({ ...view, nodeId: 'b', pinned: new Set() }), { claim: [], release: [] });
  });

  test('above its capacity a node hands the excess over, cameras with a sender last', () => {
    const holders = new Map([['c1', 'a'], ['c2', 'a'], ['c3', 'a']]);
    const over: BalancerView = { nodeId: 'a', cameras: ['c1', 'c2', 'c3'], holders, nodes: nodes(['a', 1], ['b', 3]), pinned: new Set(['c3']) };
    assert.deepEqual(planLeases(over), { claim: [], release: ['c1', 'c2'] });
    assert.deepEqual(planLeases({ ...over, nodes: nodes(['a', 0], ['b', 3]) }).release.sort(), ['c1', 'c2', 'c3']);
  });

  test('the plan says why it hands a camera over: above the fair share while a named node has room, or above the capacity', () => {
    const share = explainedPlan({ ...view, pinned: new Set(['phone']) });
    assert.deepEqual(share.reason, { why: 'share', held: 2, share: 1, roomOn: ['b'] });
    assert.equal(describeRelease(share.reason!), 'this node runs 2 camera(s), above its fair share of 1, while node(s) b have room');
    const capacity = explainedPlan({ ...view, nodes: nodes(['a', 1], ['b', 2]), pinned: new Set(['phone']) });
    assert.deepEqual(capacity.release, ['cam-2']);
    assert.match(describeRelease(capacity.reason!), /above its capacity of 1/);
    assert.equal(explainedPlan({ ...view, holders: new Map([['cam-2', 'a'], ['phone', 'b']]) }).reason, null);
  });
});
