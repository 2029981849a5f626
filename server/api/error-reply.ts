/** The one shape every HTTP error leaves in: { error: { code, message } }. */
import type { FastifyReply } from 'fastify';
import { hasControlCharacter } from '../shared/input-limits.js';

/**
 * A message as a client may show it: a control character, a direction
 * override or isolate, a line separator or a lone surrogate is written as
 * its \uXXXX escape. Messages quote what a client sent (a camera id, a key),
 * and a right-to-left override quoted as it is reverses the rest of the
 * line on the screen or in the log that shows it.
 */
export function visibleText(text: string): string {
  return text.replace(/[^\x20-\x7e]/gu, (char) => (hasControlCharacter(char) ? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}` : char));
}

export function sendError(reply: FastifyReply, status: number, code: string, message: string, details?: Record<string, unknown>): FastifyReply {
  // Details never replace the code or the message a client reads.
  return reply.code(status).send({ error: { ...details, code, message: visibleText(message) } });
}
