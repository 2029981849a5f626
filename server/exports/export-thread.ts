/**
 * The adapter that builds an export or a film report on a worker thread
 * (export-worker.ts), so the server's loop keeps reading cameras and
 * answering requests meanwhile. One thread per job: a thread that fails or
 * dies takes only its own request with it, which is answered EXPORT_FAILED
 * (or the job's own code: an EDL refused is BAD_REQUEST), never left hanging.
 * The CLI (`shotscale export`, `shotscale log`) has no live loop to protect
 * and calls exportShots and filmReport directly.
 *
 * Each job's start and end are published on the diagnostics channel
 * EXPORT_THREAD_CHANNEL (nothing is done when no one listens): tests see
 * that a body was built off the loop, and what answered meanwhile.
 */
import { channel } from 'node:diagnostics_channel';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { errorMessage, ShotscaleError } from '../errors.js';
import { bundledWorkerEntry } from '../inference/worker/worker-bundle.js';
import { silentLogger, type Logger } from '../shared/logger.js';
import type { ExportJob, ExportReply } from './export-worker.js';

const EXPORT_WORKER = fileURLToPath(new URL('./export-worker.ts', import.meta.url));
const EXPORT_WORKER_FALLBACK = new URL('./export-worker-entry.mjs', import.meta.url);

/**
 * A day's report took ~20 s on the main thread (8,102 shots, 142 MB); ten
 * times that is still an answer, where a thread stuck for longer is stopped
 * and its request answered, not held open for ever.
 */
export const EXPORT_TIME_LIMIT_MS = 5 * 60_000;

export const EXPORT_THREAD_CHANNEL = 'shotscale:export-thread';
export interface ExportThreadEvent {
  phase: 'started' | 'finished';
  kind: ExportJob['kind'];
  /** The export format, or "report". */
  what: string;
  shots: number;
}
const threadEvents = channel(EXPORT_THREAD_CHANNEL);

export interface ExportThreadOptions {
  log?: Logger;
  timeLimitMs?: number;
  /** Aborted when whoever asked is gone (the request's client closed): the thread is stopped, its work wanted by nobody. */
  abandoned?: AbortSignal;
}

/**
 * Threads building at once; later jobs wait their turn. Each thread holds a
 * copy of its shots and its whole body: a dozen exports asked for at once
 * (a script, several editors) would otherwise hold a dozen of each, and take
 * every core from the cameras' analysis.
 */
export const EXPORT_THREADS = 2;
/**
 * Jobs that may wait for a thread; one more is refused (EXPORT_BUSY, 503)
 * rather than queued behind work that could take many minutes.
 */
export const EXPORT_WAITING = 8;
let running = 0;
const waiting: { start: () => void }[] = [];

/**
 * A place among the EXPORT_THREADS, waited for; call the function it gives
 * once the job is done. Taken before the shots are read, so a job waiting
 * holds nothing; a job whose client goes while it waits gives its turn up.
 */
export async function exportPlace(abandoned?: AbortSignal): Promise<() => void> {
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    // A finished job hands its place straight to the next waiting one, so no job that comes meanwhile slips in beside it.
    const next = waiting.shift();
    if (next) next.start();
    else running -= 1;
  };
  if (running < EXPORT_THREADS) {
    running += 1;
    return release;
  }
  if (waiting.length >= EXPORT_WAITING) {
    throw new ShotscaleError('EXPORT_BUSY', `${EXPORT_THREADS} exports are being built and ${waiting.length} are waiting their turn; try again in a minute`);
  }
  await new Promise<void>((resolve, reject) => {
    const turn = {
      start: () => {
        abandoned?.removeEventListener('abort', giveUp);
        resolve();
      },
    };
    const giveUp = () => {
      const at = waiting.indexOf(turn);
      if (at >= 0) waiting.splice(at, 1);
      reject(new ShotscaleError('EXPORT_FAILED', 'the export was given up: whoever asked for it is gone'));
    };
    waiting.push(turn);
    abandoned?.addEventListener('abort', giveUp, { once: true });
  });
  return release;
}

/** The job's body (UTF-8 bytes), built on a thread of its own once one of EXPORT_THREADS is free. */
export async function buildOffThread(job: ExportJob, options: ExportThreadOptions = {}): Promise<Buffer> {
  const release = await exportPlace(options.abandoned);
  try {
    return await buildOnThread(job, options);
  } finally {
    release();
  }
}

/** The job's body, built on a thread of its own now: for a caller holding a place (exportPlace). */
export async function buildOnThread(job: ExportJob, options: ExportThreadOptions): Promise<Buffer> {
  const what = job.kind === 'export' ? job.format : 'report';
  const entry = await bundledWorkerEntry(EXPORT_WORKER, EXPORT_WORKER_FALLBACK, options.log ?? silentLogger);
  const limitMs = options.timeLimitMs ?? EXPORT_TIME_LIMIT_MS;
  const event = (phase: ExportThreadEvent['phase']): ExportThreadEvent => ({ phase, kind: job.kind, what, shots: job.shots.length });
  const failed = (why: string) => new ShotscaleError('EXPORT_FAILED', `the ${what} of ${job.shots.length} shots could not be built: ${why}; try again, or export fewer shots at a time`);
  const reply = await new Promise<ExportReply>((resolve, reject) => {
    let worker: Worker;
    try {
      worker = new Worker(entry, { workerData: { exportJob: job } });
    } catch (error) {
      reject(failed(`its thread did not start (${errorMessage(error)})`));
      return;
    }
    threadEvents.publish(event('started'));
    // Settled when the thread has exited, not at its message: its place (EXPORT_THREADS) is free only then.
    let outcome: { reply: ExportReply } | { error: ShotscaleError } | null = null;
    const timer = setTimeout(() => {
      outcome ??= { error: failed(`its thread was still working after ${limitMs / 1000} s and was stopped`) };
      void worker.terminate();
    }, limitMs);
    timer.unref();
    worker.once('message', (message: ExportReply) => {
      outcome ??= { reply: message };
    });
    const abandon = () => {
      outcome ??= { error: failed('whoever asked for it is gone, so its thread was stopped') };
      void worker.terminate();
    };
    if (options.abandoned?.aborted) abandon();
    else options.abandoned?.addEventListener('abort', abandon, { once: true });
    worker.once('error', (error) => {
      outcome ??= { error: failed(`its thread failed (${errorMessage(error)})`) };
    });
    worker.once('exit', (code) => {
      clearTimeout(timer);
      options.abandoned?.removeEventListener('abort', abandon);
      threadEvents.publish(event('finished'));
      if (!outcome) reject(failed(`its thread exited (${code}) without a result`));
      else if ('reply' in outcome) resolve(outcome.reply);
      else reject(outcome.error);
    });
  });
  // A refusal (an EDL of too many events: BAD_REQUEST) as the synchronous function gives it; anything uncoded is a failure.
  if (!reply.ok) throw reply.code ? new ShotscaleError(reply.code, reply.message, reply.hint ? { hint: reply.hint } : undefined) : failed(reply.message);
  return Buffer.from(reply.body.buffer, reply.body.byteOffset, reply.body.byteLength);
}
