/**
 * WHIP (RFC 9725) ingest: a publisher POSTs an SDP offer to /whip/CAMERA and
 * gets the answer (201, every ICE candidate included: no trickle) with the
 * session's URL in Location; DELETE on that URL ends it. Trickle ICE (PATCH)
 * is answered 405, as the RFC allows.
 *
 * Who may publish (access 'publish'): a publish token (server.publishTokens,
 * which opens nothing else), an operator or an admin token; on a server
 * without any token, anyone who can reach it.
 */
import type { FastifyInstance } from 'fastify';
import type { CameraManager } from '../app/camera-manager.js';
import { needs } from './access/http-access.js';
import { sendError } from './error-reply.js';

export function registerWhipRoutes(app: FastifyInstance, cameras: CameraManager): void {
  // The offer arrives as text; WHIP says application/sdp.
  app.addContentTypeParser(['application/sdp', 'application/trickle-ice-sdpfrag'], { parseAs: 'string', bodyLimit: 64 * 1024 }, (_request, body, done) => done(null, body));

  app.post<{ Params: { cameraId: string }; Querystring: { name?: string } }>('/whip/:cameraId', needs('publish'), async (request, reply) => {
    const type = request.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/sdp' || typeof request.body !== 'string') return sendError(reply, 415, 'BAD_REQUEST', 'a WHIP offer is an SDP body with Content-Type: application/sdp');
    const { sessionId, answer } = await cameras.publish(request.params.cameraId, request.body, request.query.name);
    const location = `/whip/${encodeURIComponent(request.params.cameraId)}/sessions/${sessionId}`;
    return reply.code(201).header('location', location).header('access-control-expose-headers', 'Location').type('application/sdp').send(answer);
  });

  app.delete<{ Params: { cameraId: string; sessionId: string } }>('/whip/:cameraId/sessions/:sessionId', needs('publish'), async (request, reply) => {
    cameras.webrtc(request.params.cameraId).unpublish(request.params.sessionId);
    return reply.code(200).send();
  });

  app.patch('/whip/:cameraId/sessions/:sessionId', needs('publish'), async (_request, reply) =>
    reply.code(405).header('allow', 'DELETE').send({ error: { code: 'BAD_REQUEST', message: 'trickle ICE is not supported: send every candidate in the offer' } }),
  );
}
