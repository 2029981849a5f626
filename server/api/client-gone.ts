/**
 * A signal aborted when a request's client goes before its answer is sent
 * (a closed tab, a script's timeout): long work done for it (an export
 * waiting for or holding a thread) is given up rather than finished for
 * nobody. The response's 'close' comes after a sent answer too; only one not
 * finished means the client left.
 */
import type { FastifyReply } from 'fastify';

export function clientGone(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort();
  });
  return controller.signal;
}
