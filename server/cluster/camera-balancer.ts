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
 */

export interface BalancerView {
  nodeId: string;
  /** Enabled cameras of the cluster, by id. */
  cameras: readonly string[];
  /** Who holds each camera's lease now (absent: free). */
  holders: ReadonlyMap<string, string>;
  /** Live nodes and their capacities (this node included). */
  nodes: readonly { nodeId: string; capacity: number }[];
}

export interface BalancerPlan {
  claim: string[];
  release: string[];
}

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
  const mine = view.cameras.filter((id) => view.holders.get(id) === view.nodeId);
  const free = view.cameras.filter((id) => !view.holders.has(id));
  const me = view.nodes.find((n) => n.nodeId === view.nodeId);
  const capacity = me?.capacity ?? 0;
  const shares = fairShares(view.cameras.length, view.nodes);
  const share = Math.min(capacity, shares.get(view.nodeId) ?? 0);

  // Above capacity (it was lowered, or the node is draining): hand over the excess at once.
  if (mine.length > capacity) return { claim: [], release: mine.slice(capacity) };

  if (mine.length < share) return { claim: free.slice(0, share - mine.length), release: [] };

  // At or above the fair share: free cameras nobody below their share will take are still taken
  // (they would otherwise stay dark), while this node has room.
  const held = new Map<string, number>();
  for (const holder of view.holders.values()) held.set(holder, (held.get(holder) ?? 0) + 1);
  const roomElsewhere = view.nodes.filter((n) => n.nodeId !== view.nodeId).reduce((sum, n) => sum + Math.max(0, Math.min(n.capacity, shares.get(n.nodeId) ?? 0) - (held.get(n.nodeId) ?? 0)), 0);
  if (free.length > roomElsewhere && mine.length < capacity) return { claim: free.slice(0, Math.min(free.length - roomElsewhere, capacity - mine.length)), release: [] };

  // Above the fair share while another node has room: hand one over.
  if (mine.length > share && roomElsewhere > free.length) return { claim: [], release: [mine[mine.length - 1]!] };
  return { claim: [], release: [] };
}
