/**
 * A model that runs in its own thread (see model-worker.ts). It is a
 * ShotScaleModel like any other to the rest of the server.
 *
 * The thread is supervised as a camera's ffmpeg is (camera-supervisor.ts):
 * when it dies, the batches it was running fail, a new thread is started
 * after a capped exponential backoff (back to the first delay once a thread
 * has been up `healthyAfterS`), and until the new one is ready predict()
 * fails at once with INFERENCE_UNAVAILABLE, so that the batch scheduler drops
 * frames instead of queueing them behind a model that is still loading.
 * Without this, one dead thread failed every later batch until the server was
 * restarted by hand. dispose() stops it for good.
 */
import { Worker } from 'node:worker_threads';
import { ShotscaleError, errorMessage, isShotscaleError, type ErrorCode } from '../../errors.js';
import type { Logger } from '../../shared/logger.js';
import type { FrameInput, ModelInputSpec, ScalePrediction, ShotScaleModel } from '../model.js';
// The main thread must switch telemetry off before a model thread loads onnxruntime (see there why).
import '../onnx-telemetry-off.js';
import type { SessionOptions } from '../onnx-session.js';
import { modelWorkerEntry } from './worker-bundle.js';
import type { MainToWorker, WorkerToMain } from './worker-protocol.js';


/**
 * A model thread's stack. Node gives a worker 4 MB. onnxruntime-node 1.30's
 * telemetry, when on (ORT_DISABLE_TELEMETRY=0), runs a recursive regex over
 * /proc/self/cmdline on the thread that creates the first session, and takes
 * about 280 bytes of stack per byte of command line (measured): 4 MB
 * overflowed at ~14 KB, so `shotscale classify` with 460 paths died with exit
 * 139 and printed nothing; 8 MB held ~28 KB, 64 MB holds ~240 KB. The stack is
 * reserved address space: only the pages a thread touches cost memory.
 */
const STACK_SIZE_MB = 64;

/**
 * A model thread's young generation: it allocates per frame (outputs,
 * features), and V8 would let the young generation grow to 48 MB in each
 * thread; 6 MB (2 MB semi-spaces, as npm start gives the main thread) costs
 * no measurable CPU.
 */
const YOUNG_GENERATION_MB = 6;

/** How a dead thread is restarted; the defaults are the camera supervisor's (config `supervisor`). */
export interface ThreadSupervision {
  backoffInitialS: number;
  backoffMaxS: number;
  /** A thread up this long resets the backoff. */
  healthyAfterS: number;
  /** Called once per restart, e.g. for shotscale_inference_restarts_total. */
  onRestart?: () => void;
}

const DEFAULT_SUPERVISION: ThreadSupervision = { backoffInitialS: 0.5, backoffMaxS: 15, healthyAfterS: 10 };

type Ready = Extract<WorkerToMain, { type: 'ready' }>;
type Pending = { resolve: (p: ScalePrediction[]) => void; reject: (e: Error) => void };

function toError(e: { message: string; code?: string; hint?: string }): Error {
  return e.code ? new ShotscaleError(e.code as ErrorCode, e.message, e.hint ? { hint: e.hint } : undefined) : new Error(e.message);
}

/**
 * Starts a thread that loads the model. `ready` rejects with the load error
 * only once the thread is gone, so a failed load never leaves one running.
 */
function spawnThread(entry: URL, manifestPath: string, options: SessionOptions): { worker: Worker; ready: Promise<Ready> } {
  const worker = new Worker(entry, { workerData: { manifestPath, options }, resourceLimits: { stackSizeMb: STACK_SIZE_MB, maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
  const ready = new Promise<Ready>((resolve, reject) => {
    const onMessage = (message: WorkerToMain) => {
      if (message.type === 'ready') settle(message);
      else settle(message.type === 'load-error' ? toError(message) : new Error(`inference thread sent ${message.type} before ready`));
    };
    const onError = (error: Error) => settle(error);
    const onExit = (code: number) => settle(new ShotscaleError('MODEL_LOAD_FAILED', `the inference thread for ${manifestPath} exited (code ${code}) before its model was ready`));
    const settle = (result: Ready | Error) => {
      worker.off('message', onMessage).off('error', onError).off('exit', onExit);
      if (!(result instanceof Error)) return resolve(result);
      worker.on('error', () => undefined); // it is being stopped; the load error is the news
      worker.terminate().then(() => reject(result), () => reject(result));
    };
    worker.once('message', onMessage).once('error', onError).once('exit', onExit);
  });
  return { worker, ready };
}

export class WorkerModel implements ShotScaleModel {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** The thread serving predictions; null while restarting and after dispose. */
  private worker: Worker | null = null;
  /** A replacement thread while its model loads. */
  private starting: Worker | null = null;
  /** What predict() rejects with while there is no thread: one error per restart. */
  private unavailable: ShotscaleError | null = null;
  private disposed = false;
  private attempt = 0;
  private upSince = 0;
  private restartTimer: NodeJS.Timeout | null = null;

  private constructor(
    private readonly entry: URL,
    private readonly manifestPath: string,
    private readonly options: SessionOptions,
    private readonly supervision: ThreadSupervision,
    private readonly log: Logger,
    readonly name: string,
    readonly input: ModelInputSpec,
    readonly executionProvider: string,
    readonly featureNames: readonly string[] | undefined,
    readonly maxBatch: number | undefined,
  ) {}

  static async load(manifestPath: string, options: SessionOptions, log: Logger, supervision: Partial<ThreadSupervision> = {}): Promise<WorkerModel> {
    const entry = await modelWorkerEntry(log);
    const { worker, ready } = spawnThread(entry, manifestPath, options);
    const first = await ready;
    const model = new WorkerModel(entry, manifestPath, options, { ...DEFAULT_SUPERVISION, ...supervision }, log, first.name, first.input, first.executionProvider, first.featureNames ?? undefined, first.maxBatch ?? undefined);
    model.attach(worker);
    return model;
  }

  /** A thread is up and taking batches (not restarting, not disposed). */
  get available(): boolean {
    return this.worker !== null && !this.disposed;
  }

  predict(frames: readonly FrameInput[]): Promise<ScalePrediction[]> {
    if (this.disposed) return Promise.reject(new Error('model disposed'));
    const worker = this.worker;
    if (!worker) return Promise.reject(this.unavailable ?? new ShotscaleError('INFERENCE_UNAVAILABLE', `the inference thread of ${this.name} is restarting`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      const message: MainToWorker = { type: 'predict', id, frames: frames.map((f) => ({ width: f.width, height: f.height, data: f.data })) };
      worker.postMessage(message);
    });
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    await this.starting?.terminate();
    const worker = this.worker;
    if (worker) {
      // Batches already sent finish first: the thread handles messages in order.
      const done = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.postMessage({ type: 'dispose' } satisfies MainToWorker);
      const timer = setTimeout(() => void worker.terminate(), 5000);
      await done;
      clearTimeout(timer);
    }
    this.rejectPending(new Error('model disposed'));
  }

  private attach(worker: Worker): void {
    this.worker = worker;
    this.unavailable = null;
    this.upSince = performance.now();
    worker.on('message', (message: WorkerToMain) => {
      if (message.type !== 'result' && message.type !== 'error') return;
      const waiting = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.type === 'result') waiting?.resolve(message.predictions);
      else waiting?.reject(toError(message));
    });
    // An uncaught error in the thread comes as 'error', then 'exit' (code 1).
    worker.on('error', (error) => this.lost(worker, `error: ${error.message}`));
    worker.on('exit', (code) => this.lost(worker, `exit code ${code}`));
  }

  private lost(worker: Worker, reason: string): void {
    if (worker !== this.worker) return;
    this.worker = null;
    if (this.disposed) return;
    void worker.terminate(); // after 'error' it may not have exited yet
    if (performance.now() - this.upSince >= this.supervision.healthyAfterS * 1000) this.attempt = 0;
    this.scheduleRestart(`stopped (${reason})`);
  }

  private scheduleRestart(why: string): void {
    const { backoffInitialS, backoffMaxS, onRestart } = this.supervision;
    const delayS = Math.min(backoffMaxS, backoffInitialS * 2 ** this.attempt);
    this.attempt += 1;
    // One line per restart, with the reason; the same words reach whoever's batch fails meanwhile.
    this.unavailable = new ShotscaleError('INFERENCE_UNAVAILABLE', `the inference thread of ${this.name} ${why}; restarting in ${delayS.toFixed(1)} s (attempt ${this.attempt})`, {
      hint: 'frames are dropped until it is back',
    });
    this.log.warn(this.unavailable.message);
    this.rejectPending(this.unavailable);
    onRestart?.();
    this.restartTimer = setTimeout(() => this.restart(), delayS * 1000);
  }

  private restart(): void {
    this.restartTimer = null;
    const { worker, ready } = spawnThread(this.entry, this.manifestPath, this.options);
    this.starting = worker;
    ready.then(
      (message) => {
        this.starting = null;
        if (this.disposed) return void worker.terminate();
        // Cameras size their frames for this model: a different one cannot take its place.
        if (message.name !== this.name || JSON.stringify(message.input) !== JSON.stringify(this.input)) {
          void worker.terminate();
          return this.scheduleRestart(`came back as another model (${message.name}, ${message.input.width}x${message.input.height}; the server needs a restart to change models)`);
        }
        this.attach(worker);
        this.log.info(`the inference thread of ${this.name} is back (attempt ${this.attempt})`);
      },
      (error: unknown) => {
        this.starting = null;
        if (!this.disposed) this.scheduleRestart(`did not start again (${isShotscaleError(error) ? `${error.code}: ` : ''}${errorMessage(error)})`);
      },
    );
  }

  private rejectPending(error: Error): void {
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
  }
}
