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

export interface PeerNode {
  nodeId: string;
  url: string;
}

/**
 * The request (same method and JSON body, the caller's token) sent to `path`
 * on `node`. The path is the caller's, built from the route's parameters,
 * never the request's target: an absolute-form target (POST http://elsewhere/api/...)
 * reaches the same route, and must not send the token elsewhere.
 */
function sendToNode(request: FastifyRequest, node: PeerNode, fromNode: string, path: string, timeoutMs: number, text?: { type: string; body: string }): Promise<Response> {
  const token = tokenFromHttp(request.headers, request.query);
  const hasBody = request.method !== 'GET' && request.method !== 'HEAD' && request.method !== 'DELETE';
  const target = new URL(path, node.url);
  if (!path.startsWith('/') || path.startsWith('//') || target.origin !== new URL(node.url).origin) throw new Error(`refusing to pass a request on to ${target.origin} for node ${node.nodeId}`);
  return fetch(target, {
    method: request.method,
    headers: {
      ...(hasBody ? { 'content-type': text?.type ?? 'application/json' } : {}),
      [FORWARDED_HEADER]: fromNode,
      ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}),
    },
    ...(hasBody ? { body: text?.body ?? JSON.stringify(request.body ?? {}) } : {}),
    signal: AbortSignal.timeout(timeoutMs),
    redirect: 'manual',
  });
}

/**
 * The request passed on to `path` on `node` with a text body of its own type
 * (a WHIP offer), for a caller that shapes the reply itself from the answer's
 * headers. CLUSTER_UNREACHABLE when that node does not answer.
 */
export async function passOnText(request: FastifyRequest, node: PeerNode, fromNode: string, path: string, why: string, text?: { type: string; body: string }): Promise<Response> {
  try {
    return await sendToNode(request, node, fromNode, path, FORWARD_TIMEOUT_MS, text);
  } catch (error) {
    throw new ShotscaleError('CLUSTER_UNREACHABLE', `node "${node.nodeId}" (${node.url}), which ${why}, did not answer: ${errorMessage(error)}`);
  }
}

/**
 * Passes the request on to `path` (the same route) on `node` (`why`: what that node holds), and replies with its
 * answer as it is: its status, type and body, and where it succeeded its cache-control, so a picture the node
 * lets a browser keep (a shot's thumbnail, a day) is kept when another node passes it on too (the Shots view
 * fetched a forwarded one again at every render). An error's is left out: a refusal is not to be remembered.
 */
export async function forwardToNode(request: FastifyRequest, reply: FastifyReply, node: PeerNode, fromNode: string, path: string, why: string): Promise<FastifyReply> {
  const answer = await passOnText(request, node, fromNode, path, why);
  const type = answer.headers.get('content-type') ?? 'application/json';
  const cacheControl = answer.headers.get('cache-control');
  if (answer.ok && cacheControl !== null) reply.header('cache-control', cacheControl);
  return reply.code(answer.status).type(type).send(Buffer.from(await answer.arrayBuffer()));
}

/**
 * The same GET asked of every node in `nodes` at `path`, at once: the JSON
 * answers of those that gave one within `timeoutMs`, and the ids of those
 * that did not (a node that died a moment ago is left out, not waited for).
 */
export async function askNodes<T>(request: FastifyRequest, nodes: readonly PeerNode[], fromNode: string, path: string, timeoutMs: number): Promise<{ answers: { node: PeerNode; body: T }[]; silent: string[] }> {
  const results = await Promise.all(
    nodes.map(async (node) => {
      try {
        const answer = await sendToNode(request, node, fromNode, path, timeoutMs);
        return answer.ok ? { node, body: (await answer.json()) as T } : { node, body: null };
      } catch {
        return { node, body: null };
      }
    }),
  );
  return {
    answers: results.filter((r): r is { node: PeerNode; body: T } => r.body !== null),
    silent: results.filter((r) => r.body === null).map((r) => r.node.nodeId),
  };
}
