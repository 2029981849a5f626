// Worker bootstrap: a worker thread does not inherit the main thread's module
// hooks, so it registers tsx's loader itself before loading TypeScript.
// ORT_DISABLE_TELEMETRY is not set here: a worker's process.env is its own
// copy, which onnxruntime (native, getenv) never reads; the main thread sets
// it before it starts this one (worker-model.ts, onnx-telemetry-off.ts).
import { register } from 'tsx/esm/api';

register();
await import('./model-worker.ts');
