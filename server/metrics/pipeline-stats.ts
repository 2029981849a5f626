/**
 * The figures the dashboard's health view shows, over a sliding window: batch
 * inference time and size, frames analysed and dropped, glass-to-readout
 * latency. Prometheus keeps the totals; this keeps the recent picture, cheap
 * to send every couple of seconds.
 */
import type { PipelineStats } from '../shared/socket-events.js';

const WINDOW_MS = 30_000;

interface Sample {
  at: number;
  value: number;
}

function percentile(sorted: readonly number[], q: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function trim(samples: Sample[], now: number): void {
  let drop = 0;
  while (drop < samples.length && samples[drop]!.at < now - WINDOW_MS) drop++;
  if (drop) samples.splice(0, drop);
}

export class PipelineStatsWindow {
  private readonly batches: { at: number; ms: number; size: number }[] = [];
  private readonly latencies: Sample[] = [];
  private readonly drops: Sample[] = [];
  private readonly analysed = new Map<string, number[]>();

  batch(at: number, ms: number, size: number): void {
    this.batches.push({ at, ms, size });
  }

  readout(cameraId: string, at: number, latencyMs: number): void {
    this.latencies.push({ at, value: latencyMs });
    let times = this.analysed.get(cameraId);
    if (!times) this.analysed.set(cameraId, (times = []));
    times.push(at);
  }

  dropped(at: number, count: number): void {
    this.drops.push({ at, value: count });
  }

  forget(cameraId: string): void {
    this.analysed.delete(cameraId);
  }

  snapshot(now: number): Omit<PipelineStats, 'model' | 'executionProvider' | 'rssBytes' | 'uptimeS' | 'capacity'> {
    const cutoff = now - WINDOW_MS;
    let drop = 0;
    while (drop < this.batches.length && this.batches[drop]!.at < cutoff) drop++;
    if (drop) this.batches.splice(0, drop);
    trim(this.latencies, now);
    trim(this.drops, now);
    const inference = this.batches.map((b) => b.ms).sort((a, b) => a - b);
    const latency = this.latencies.map((s) => s.value).sort((a, b) => a - b);
    const span = Math.min(WINDOW_MS, Math.max(1000, now - (this.batches[0]?.at ?? now))) / 1000;
    const perCamera: Record<string, number> = {};
    for (const [cameraId, times] of this.analysed) {
      let old = 0;
      while (old < times.length && times[old]! < cutoff) old++;
      if (old) times.splice(0, old);
      perCamera[cameraId] = Math.round((times.length / span) * 10) / 10;
    }
    const round = (n: number) => Math.round(n * 10) / 10;
    return {
      windowS: Math.round(span),
      batches: this.batches.length,
      inferenceMs: { p50: round(percentile(inference, 0.5)), p95: round(percentile(inference, 0.95)), max: round(inference.at(-1) ?? 0) },
      batchSize: { mean: this.batches.length ? round(this.batches.reduce((s, b) => s + b.size, 0) / this.batches.length) : 0, max: Math.max(0, ...this.batches.map((b) => b.size)) },
      latencyMs: { p50: round(percentile(latency, 0.5)), p95: round(percentile(latency, 0.95)) },
      analysedPerS: round(Object.values(perCamera).reduce((a, b) => a + b, 0)),
      analysedPerSByCamera: perCamera,
      droppedPerS: round(this.drops.reduce((s, d) => s + d.value, 0) / span),
    };
  }
}
