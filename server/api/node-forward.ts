/**
 * A request that only the node running a camera can carry out (a correction
 * labels the frame that node analysed) is passed on to that node by the node
 * the operator's dashboard is open on, with the operator's own token: the
 * other node decides access again on its own route. The answer comes back as
 * it was, so a wall on any node behaves as one.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ShotscaleError, errorMessage } from '../errors.js';
import { tokenFromHttp } from './access/access-token.js';

/** Set on a passed-on request: the node it reaches answers itself, never passes it on again. */
export const FORWARDED_HEADER = 'x-shotscale-forwarded-by';
const FORWARD_TIMEOUT_MS = 5000;

export function wasForwarded(request: FastifyRequest): boolean {
  return request.headers[FORWARDED_HEADER] !== undefined;
}

/** POSTs the request's JSON body to the same path on `node`, and replies with its answer. */
export async function forwardToNode(request: FastifyRequest, reply: FastifyReply, node: { nodeId: string; url: string }, fromNode: string): Promise<FastifyReply> {
  const token = tokenFromHttp(request.headers, request.query);
  const path = request.url.split('?')[0]!;
  let answer: Response;
  try {
    answer = await fetch(new URL(path, node.url), {
      method: request.method,
      headers: {
        'content-type': 'application/json',
        [FORWARDED_HEADER]: fromNode,
        ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify(request.body ?? {}),
      signal: AbortSignal.timeout(FORWARD_TIMEOUT_MS),
      redirect: 'manual',
    });
  } catch (error) {
    throw new ShotscaleError('CLUSTER_UNREACHABLE', `node "${node.nodeId}" (${node.url}), which runs this camera, did not answer: ${errorMessage(error)}`);
  }
  const type = answer.headers.get('content-type') ?? 'application/json';
  return reply.code(answer.status).type(type).send(Buffer.from(await answer.arrayBuffer()));
}
