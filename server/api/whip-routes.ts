/**
 * WHIP (RFC 9725) ingest: a publisher POSTs an SDP offer to /whip/CAMERA and
 * gets the answer (201, every ICE candidate included: no trickle) with the
 * session's URL in Location; DELETE on that URL ends it. Trickle ICE (PATCH)
 * is answered 405, as the RFC allows.
 *
 * Who may publish: when the server has tokens, the access token (full
 * access) or one of server.publishTokens (publish only, nothing else);
 * without tokens (a loopback-only server) anyone who can reach it.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CameraManager } from '../app/camera-manager.js';
import { tokenFromHttp, tokenMatches } from './access-token.js';

export interface WhipAccess {
  accessToken: string | null;
  publishTokens: readonly string[];
}

function mayPublish(access: WhipAccess, request: FastifyRequest): boolean {
  const tokens = [...(access.accessToken ? [access.accessToken] : []), ...access.publishTokens];
  if (!tokens.length) return true;
  const given = tokenFromHttp(request.headers, request.query);
  return tokens.some((token) => tokenMatches(token, given));
}

function refuse(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply.code(status).send({ error: { code, message } });
}

export function registerWhipRoutes(app: FastifyInstance, cameras: CameraManager, access: WhipAccess): void {
  // The offer arrives as text; WHIP says application/sdp.
  app.addContentTypeParser(['application/sdp', 'application/trickle-ice-sdpfrag'], { parseAs: 'string', bodyLimit: 64 * 1024 }, (_request, body, done) => done(null, body));

  app.post<{ Params: { cameraId: string }; Querystring: { name?: string } }>('/whip/:cameraId', async (request, reply) => {
    if (!mayPublish(access, request)) return refuse(reply, 401, 'UNAUTHORIZED', 'publishing needs the access token or a publish token (Authorization: Bearer TOKEN)');
    const type = request.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/sdp' || typeof request.body !== 'string') return refuse(reply, 415, 'BAD_REQUEST', 'a WHIP offer is an SDP body with Content-Type: application/sdp');
    const camera = cameras.webrtc(request.params.cameraId, request.query.name);
    const { sessionId, answer } = await camera.publish(request.body);
    const location = `/whip/${encodeURIComponent(request.params.cameraId)}/sessions/${sessionId}`;
    return reply.code(201).header('location', location).header('access-control-expose-headers', 'Location').type('application/sdp').send(answer);
  });

  app.delete<{ Params: { cameraId: string; sessionId: string } }>('/whip/:cameraId/sessions/:sessionId', async (request, reply) => {
    if (!mayPublish(access, request)) return refuse(reply, 401, 'UNAUTHORIZED', 'ending a session needs the token that started it');
    cameras.webrtc(request.params.cameraId).unpublish(request.params.sessionId);
    return reply.code(200).send();
  });

  app.patch('/whip/:cameraId/sessions/:sessionId', async (_request, reply) =>
    reply.code(405).header('allow', 'DELETE').send({ error: { code: 'BAD_REQUEST', message: 'trickle ICE is not supported: send every candidate in the offer' } }),
  );
}
