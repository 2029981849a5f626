/**
 * Which cameras this node should claim or hand over, from one view of the
 * cluster. Pure: every node runs it on what it read this tick, and the lease
 * scripts settle any race (two nodes claiming one camera: one wins).
 *
 * Each live node's fair number of cameras is the water level that fills the
 * nodes' capacities evenly (a node of 2 takes 2 while the others share the
 * rest). A node below its share claims free cameras; a node above it hands
 * one camera over per tick, and only while another node has room below its
 * share, so that adding a node spreads the load without cameras bouncing.
 *
 * A camera fed by a sender connected to this node (a WHIP publisher, a
 * listener's sender) is never handed over to even out the load: its sender
 * reached this node, and moving the camera drops it (a phone's WHIP session
 * ended with "pc failed", and the camera waited on the other node with no
 * publisher). Another camera goes instead, or none.
 */

export interface BalancerView {
  nodeId: string;
  /** Enabled cameras of the cluster, by id. */
  cameras: readonly string[];
  /** Who holds each camera's lease now (absent: free). */
  holders: ReadonlyMap<string, string>;
  /** Live nodes and their capacities (this node included). */
  nodes: readonly { nodeId: string; capacity: number }[];
  /** This node's cameras whose sender is connected here: moved only when this node is above its capacity, and last. */
  pinned?: ReadonlySet<string>;
}

export interface BalancerPlan {
  claim: string[];
  release: string[];
}

/** Why planLeases hands cameras over, for the log: what the node runs, against what it may. */
export type ReleaseReason = { why: 'capacity'; held: number; capacity: number } | { why: 'share'; held: number; share: number; roomOn: string[] };

/** Each node's fair number of cameras: `total` spread evenly, no node above its capacity. */
export function fairShares(total: number, nodes: readonly { nodeId: string; capacity: number }[]): Map<string, number> {
  const shares = new Map(nodes.map((n) => [n.nodeId, 0]));
  let left = Math.min(total, nodes.reduce((sum, n) => sum + n.capacity, 0));
  // Round-robin in a stable order (by id): every node gets one more while it has room.
  const order = [...nodes].sort((a, b) => a.nodeId.localeCompare(b.nodeId));
  while (left > 0) {
    let gave = false;
    for (const node of order) {
      if (left === 0) break;
      const share = shares.get(node.nodeId)!;
      if (share >= node.capacity) continue;
      shares.set(node.nodeId, share + 1);
      left -= 1;
      gave = true;
    }
    if (!gave) break;
  }
  return shares;
}

export function planLeases(view: BalancerView): BalancerPlan {
  const { claim, release } = explainedPlan(view);
  return { claim, release };
}

/** planLeases(view), with why it hands cameras over (null: it hands none over), for the log. */
export function explainedPlan(view: BalancerView): BalancerPlan & { reason: ReleaseReason | null } {
  const pinned = view.pinned ?? new Set<string>();
  const held = view.cameras.filter((id) => view.holders.get(id) === view.nodeId);
  // Those with a sender here first: an excess handed over is taken from the end.
  const mine = [...held.filter((id) => pinned.has(id)), ...held.filter((id) => !pinned.has(id))];
  const free = view.cameras.filter((id) => !view.holders.has(id));
  const me = view.nodes.find((n) => n.nodeId === view.nodeId);
  const capacity = me?.capacity ?? 0;
  const shares = fairShares(view.cameras.length, view.nodes);
  const share = Math.min(capacity, shares.get(view.nodeId) ?? 0);

  // Above capacity (it was lowered, or the node is draining): hand over the excess at once.
  if (mine.length > capacity) return { claim: [], release: mine.slice(capacity), reason: { why: 'capacity', held: mine.length, capacity } };

  if (mine.length < share) return { claim: free.slice(0, share - mine.length), release: [], reason: null };

  // At or above the fair share: free cameras nobody below their share will take are still taken
  // (they would otherwise stay dark), while this node has room.
  const counts = new Map<string, number>();
  for (const holder of view.holders.values()) counts.set(holder, (counts.get(holder) ?? 0) + 1);
  const room = (n: { nodeId: string; capacity: number }) => Math.max(0, Math.min(n.capacity, shares.get(n.nodeId) ?? 0) - (counts.get(n.nodeId) ?? 0));
  const others = view.nodes.filter((n) => n.nodeId !== view.nodeId);
  const roomElsewhere = others.reduce((sum, n) => sum + room(n), 0);
  if (free.length > roomElsewhere && mine.length < capacity) return { claim: free.slice(0, Math.min(free.length - roomElsewhere, capacity - mine.length)), release: [], reason: null };

  // Above the fair share while another node has room: hand one over, never one whose sender is connected here.
  const movable = mine.filter((id) => !pinned.has(id));
  if (mine.length > share && roomElsewhere > free.length && movable.length) {
    return { claim: [], release: [movable[movable.length - 1]!], reason: { why: 'share', held: mine.length, share, roomOn: others.filter((n) => room(n) > 0).map((n) => n.nodeId) } };
  }
  return { claim: [], release: [], reason: null };
}

/** The reason in words, for the log line of each camera handed over. */
export function describeRelease(reason: ReleaseReason): string {
  if (reason.why === 'capacity') return `this node runs ${reason.held} camera(s), above its capacity of ${reason.capacity} (lowered, or draining)`;
  return `this node runs ${reason.held} camera(s), above its fair share of ${reason.share}, while node(s) ${reason.roomOn.join(', ')} have room`;
}
