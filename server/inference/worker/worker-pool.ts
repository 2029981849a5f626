/**
 * Several model threads behind one ShotScaleModel, each with its own
 * onnxruntime sessions; a batch goes to the thread with the fewest batches
 * running (and that is not restarting). On the CPU provider, threads that
 * each run one operator at a time use the cores better than one thread whose
 * operators are split across them: the framing model, two threads of one
 * core each against one thread of two, on 2 cores, 71 frames/s against 34
 * (intra-op threads wait for each other at every operator, and on a busy
 * machine one of them is always late). Each thread is supervised on its own
 * (worker-model.ts): one that dies is restarted while the others go on.
 */
import type { Logger } from '../../shared/logger.js';
import type { FrameInput, ScalePrediction, ShotScaleModel } from '../model.js';
import type { SessionOptions } from '../onnx-session.js';
import { WorkerModel, type ThreadSupervision } from './worker-model.js';

export class WorkerPool implements ShotScaleModel {
  private readonly running: number[];

  private constructor(private readonly members: WorkerModel[]) {
    this.running = members.map(() => 0);
  }

  /** `threads` model threads on `manifestPath`; one thread is a plain WorkerModel. */
  static async load(manifestPath: string, options: SessionOptions, log: Logger, supervision: Partial<ThreadSupervision>, threads: number): Promise<ShotScaleModel> {
    if (threads <= 1) return WorkerModel.load(manifestPath, options, log, supervision);
    const loads = await Promise.allSettled(Array.from({ length: threads }, (_, i) => WorkerModel.load(manifestPath, options, log.child(`thread-${i + 1}`), supervision)));
    const members = loads.flatMap((l) => (l.status === 'fulfilled' ? [l.value] : []));
    const failed = loads.find((l): l is PromiseRejectedResult => l.status === 'rejected');
    if (failed) {
      await Promise.all(members.map((m) => m.dispose()));
      throw failed.reason;
    }
    return new WorkerPool(members);
  }

  get lanes(): number {
    return this.members.length;
  }

  get name(): string {
    return this.members[0]!.name;
  }

  get input(): ShotScaleModel['input'] {
    return this.members[0]!.input;
  }

  get executionProvider(): string {
    return this.members[0]!.executionProvider;
  }

  get featureNames(): readonly string[] | undefined {
    return this.members[0]!.featureNames;
  }

  get maxBatch(): number | undefined {
    return this.members[0]!.maxBatch;
  }

  async predict(frames: readonly FrameInput[]): Promise<ScalePrediction[]> {
    // The least busy thread that is up; with none up, the first says why (INFERENCE_UNAVAILABLE).
    let pick = -1;
    this.members.forEach((m, i) => {
      if (m.available && (pick < 0 || this.running[i]! < this.running[pick]!)) pick = i;
    });
    if (pick < 0) return this.members[0]!.predict(frames);
    this.running[pick]! += 1;
    try {
      return await this.members[pick]!.predict(frames);
    } finally {
      this.running[pick]! -= 1;
    }
  }

  async dispose(): Promise<void> {
    await Promise.all(this.members.map((m) => m.dispose()));
  }
}
