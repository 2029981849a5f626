/** The one shape every HTTP error leaves in: { error: { code, message } }. */
import type { FastifyReply } from 'fastify';
import { visibleText } from '../shared/input-limits.js';

export function sendError(reply: FastifyReply, status: number, code: string, message: string, details?: Record<string, unknown>): FastifyReply {
  // Details never replace the code or the message a client reads.
  return reply.code(status).send({ error: { ...details, code, message: visibleText(message) } });
}
