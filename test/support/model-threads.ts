/**
 * Reaches this process's model threads from outside, through the inspector's
 * NodeWorker domain (what DevTools uses to debug workers), so that a test can
 * make one die as a real crash would (process.exit, an uncaught error) with
 * no fault hook in the product.
 */
import { Session } from 'node:inspector';

/** The files a model thread starts from: the bundle (worker-bundle.ts) or the TypeScript entry. */
const MODEL_ENTRY = /\/model-worker(-entry|-[0-9a-f]{16})\.mjs$/;

interface WorkerTarget {
  sessionId: string;
  workerInfo: { workerId: string; type: string; title: string; url: string };
}

function post(session: Session, method: string, params?: object): Promise<unknown> {
  return new Promise((resolve, reject) => session.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result))));
}

async function withModelThreads<T>(use: (session: Session, threads: WorkerTarget[]) => Promise<T>): Promise<T> {
  const session = new Session();
  session.connect();
  const threads: WorkerTarget[] = [];
  session.on('NodeWorker.attachedToWorker', (message: { params: WorkerTarget }) => {
    if (MODEL_ENTRY.test(message.params.workerInfo.url)) threads.push(message.params);
  });
  try {
    // Running workers are announced before enable answers.
    await post(session, 'NodeWorker.enable', { waitForDebuggerOnStart: false });
    return await use(session, threads);
  } finally {
    await post(session, 'NodeWorker.disable').catch(() => undefined);
    session.disconnect();
  }
}

/** How many model threads are running in this process now. */
export function countModelThreads(): Promise<number> {
  return withModelThreads(async (_session, threads) => threads.length);
}

/** Evaluates `expression` in every model thread (e.g. `process.exit(3)`), or in the first `most`; resolves with how many it reached. */
export function inModelThreads(expression: string, most = Infinity): Promise<number> {
  return withModelThreads(async (session, threads) => {
    for (const { sessionId } of threads.slice(0, most)) {
      const message = JSON.stringify({ id: 1, method: 'Runtime.evaluate', params: { expression } });
      await post(session, 'NodeWorker.sendMessageToWorker', { sessionId, message });
    }
    return Math.min(threads.length, most);
  });
}
