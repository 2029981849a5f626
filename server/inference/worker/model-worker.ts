/**
 * The inference thread: loads a model and runs its batches, so that
 * onnxruntime-node (whose run() is synchronous on the calling thread) never
 * blocks the main thread's event loop, where frames are read from ffmpeg and
 * stamped, readouts sent and HTTP answered.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { errorMessage, isShotscaleError } from '../../errors.js';
import { createLogger } from '../../shared/logger.js';
import { loadModel } from '../model-registry.js';
import type { FrameInput } from '../model.js';
import type { SessionOptions } from '../onnx-session.js';
import type { MainToWorker, WorkerToMain } from './worker-protocol.js';

const port = parentPort!;
const send = (message: WorkerToMain) => port.postMessage(message);
const { manifestPath, options } = workerData as { manifestPath: string; options: SessionOptions };

function describe(error: unknown): { message: string; code?: string; hint?: string } {
  return isShotscaleError(error) ? { message: error.message, code: error.code, ...(error.hint ? { hint: error.hint } : {}) } : { message: errorMessage(error) };
}

try {
  const model = await loadModel(manifestPath, options, createLogger('model-worker'));
  send({ type: 'ready', name: model.name, input: model.input, executionProvider: model.executionProvider, featureNames: model.featureNames ? [...model.featureNames] : null, maxBatch: model.maxBatch ?? null });
  port.on('message', (message: MainToWorker) => {
    if (message.type === 'predict') {
      model.predict(message.frames as FrameInput[]).then(
        (predictions) => send({ type: 'result', id: message.id, predictions }),
        (error: unknown) => send({ type: 'error', id: message.id, ...describe(error) }),
      );
    } else if (message.type === 'dispose') {
      void model.dispose().finally(() => {
        send({ type: 'disposed' });
        port.close();
      });
    }
  });
} catch (error) {
  send({ type: 'load-error', ...describe(error) });
  port.close();
}
