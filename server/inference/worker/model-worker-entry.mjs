// Worker bootstrap: a worker thread does not inherit the main thread's module
// hooks, so it registers tsx's loader itself before loading TypeScript.
import { register } from 'tsx/esm/api';

register();
await import('./model-worker.ts');
