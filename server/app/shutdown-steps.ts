/**
 * A stop that cannot hang. SIGTERM from a supervisor must end in a closed
 * shot log, whoever is still connected: each step of the stop is waited on
 * for a bounded time, and one that overruns is named in the log and left
 * behind so that the steps after it (the shot log's close above all) run.
 */
import type { Server } from 'node:http';
import type { Logger } from '../shared/logger.js';

/** How long one step of a stop is waited on before the next runs. */
export const STEP_LIMIT_MS = 10_000;
/** How long requests in flight (a download, a body still arriving) may finish before their connections are closed. */
export const REQUEST_GRACE_MS = 3_000;

/** Runs `work` for at most `limitMs`; an overrun is logged with `name` and not awaited further. */
export async function boundedStep(name: string, work: () => Promise<unknown>, log: Logger, limitMs = STEP_LIMIT_MS): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const overran = new Promise<'overran'>((resolve) => {
    timer = setTimeout(() => resolve('overran'), limitMs);
  });
  try {
    const outcome = await Promise.race([work().then(() => 'done' as const), overran]);
    if (outcome === 'overran') log.warn(`stopping: ${name} still not done after ${limitMs / 1000} s; going on without it`);
  } catch (error) {
    log.warn(`stopping: ${name} failed (${String(error)}); going on`);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Closes the HTTP side: Socket.IO and the HTTP app together, so that requests
 * arriving on kept-alive connections meanwhile are answered 503 with
 * `Connection: close` rather than keeping them open; connections still busy
 * after `graceMs` (a body never finished, a slow download) are closed.
 */
export async function closeHttp(server: Server, closers: (() => Promise<unknown>)[], graceMs = REQUEST_GRACE_MS): Promise<void> {
  const grace = setTimeout(() => server.closeAllConnections(), graceMs);
  try {
    await Promise.all(closers.map((close) => close().catch(() => undefined)));
  } finally {
    clearTimeout(grace);
  }
}
