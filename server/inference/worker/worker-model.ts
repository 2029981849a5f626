/**
 * A model that runs in its own thread (see model-worker.ts). It is a
 * ShotScaleModel like any other to the rest of the server.
 */
import { Worker } from 'node:worker_threads';
import { ShotscaleError, type ErrorCode } from '../../errors.js';
import type { Logger } from '../../shared/logger.js';
import type { FrameInput, ModelInputSpec, ScalePrediction, ShotScaleModel } from '../model.js';
import type { SessionOptions } from '../onnx-session.js';
import type { MainToWorker, WorkerToMain } from './worker-protocol.js';

const ENTRY = new URL('./model-worker-entry.mjs', import.meta.url);

function toError(e: { message: string; code?: string; hint?: string }): Error {
  return e.code ? new ShotscaleError(e.code as ErrorCode, e.message, e.hint ? { hint: e.hint } : undefined) : new Error(e.message);
}

export class WorkerModel implements ShotScaleModel {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (p: ScalePrediction[]) => void; reject: (e: Error) => void }>();
  private failure: Error | null = null;

  private constructor(
    private readonly worker: Worker,
    readonly name: string,
    readonly input: ModelInputSpec,
    readonly executionProvider: string,
    readonly featureNames: readonly string[] | undefined,
    log: Logger,
  ) {
    worker.on('message', (message: WorkerToMain) => {
      if (message.type !== 'result' && message.type !== 'error') return;
      const waiting = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.type === 'result') waiting?.resolve(message.predictions);
      else waiting?.reject(toError(message));
    });
    const fail = (error: Error) => {
      this.failure = error;
      log.error(`inference thread of ${name} stopped: ${error.message}`);
      for (const waiting of this.pending.values()) waiting.reject(error);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (!this.failure) fail(new Error(`inference thread exited (code ${code})`));
    });
  }

  static async load(manifestPath: string, options: SessionOptions, log: Logger): Promise<WorkerModel> {
    const worker = new Worker(ENTRY, { workerData: { manifestPath, options } });
    const ready = await new Promise<Extract<WorkerToMain, { type: 'ready' }>>((resolve, reject) => {
      worker.once('error', reject);
      worker.once('message', (message: WorkerToMain) => {
        if (message.type === 'ready') resolve(message);
        else if (message.type === 'load-error') reject(toError(message));
        else reject(new Error(`inference thread sent ${message.type} before ready`));
      });
    });
    return new WorkerModel(worker, ready.name, ready.input, ready.executionProvider, ready.featureNames ?? undefined, log);
  }

  predict(frames: readonly FrameInput[]): Promise<ScalePrediction[]> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      const message: MainToWorker = { type: 'predict', id, frames: frames.map((f) => ({ width: f.width, height: f.height, data: f.data })) };
      this.worker.postMessage(message);
    });
  }

  async dispose(): Promise<void> {
    if (this.failure) return;
    this.failure = new Error('model disposed');
    const done = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.postMessage({ type: 'dispose' } satisfies MainToWorker);
    const timer = setTimeout(() => void this.worker.terminate(), 5000);
    await done;
    clearTimeout(timer);
  }
}
