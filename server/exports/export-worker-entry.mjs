// Export thread bootstrap where no bundle could be written: a worker thread does
// not inherit the main thread's module hooks, so it registers tsx itself.
import { register } from 'tsx/esm/api';

register();
await import('./export-worker.ts');
