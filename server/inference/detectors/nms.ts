/**
 * Non-maximum suppression over scored boxes. Weighted NMS (MediaPipe's
 * default for faces) averages each cluster, which steadies the box from frame
 * to frame; plain NMS keeps the top box.
 */

export interface Box { xMin: number; yMin: number; xMax: number; yMax: number }
export interface Scored { box: Box; score: number; points: { x: number; y: number }[] }

export function iou(a: Box, b: Box): number {
  const ix = Math.max(0, Math.min(a.xMax, b.xMax) - Math.max(a.xMin, b.xMin));
  const iy = Math.max(0, Math.min(a.yMax, b.yMax) - Math.max(a.yMin, b.yMin));
  const inter = ix * iy;
  const union = (a.xMax - a.xMin) * (a.yMax - a.yMin) + (b.xMax - b.xMin) * (b.yMax - b.yMin) - inter;
  return union > 0 ? inter / union : 0;
}

export function nms<T extends Scored>(items: T[], iouThreshold: number, weighted: boolean, maxResults = Infinity): T[] {
  let rest = [...items].sort((a, b) => b.score - a.score);
  const out: T[] = [];
  while (rest.length && out.length < maxResults) {
    const top = rest[0] as T;
    const cluster = rest.filter((d) => iou(top.box, d.box) > iouThreshold);
    const others = rest.filter((d) => iou(top.box, d.box) <= iouThreshold);
    // `top` always overlaps itself fully unless its box is empty; keep it regardless.
    if (!cluster.includes(top)) cluster.unshift(top);
    rest = others.filter((d) => d !== top);
    if (!weighted || cluster.length === 1) { out.push(top); continue; }
    const total = cluster.reduce((s, d) => s + d.score, 0);
    const avg = (f: (d: T) => number): number => cluster.reduce((s, d) => s + f(d) * d.score, 0) / total;
    out.push({
      ...top,
      box: { xMin: avg((d) => d.box.xMin), yMin: avg((d) => d.box.yMin), xMax: avg((d) => d.box.xMax), yMax: avg((d) => d.box.yMax) },
      points: top.points.map((_, i) => ({ x: avg((d) => d.points[i]?.x ?? 0), y: avg((d) => d.points[i]?.y ?? 0) })),
    });
  }
  return out;
}
