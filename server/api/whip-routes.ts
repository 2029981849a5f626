/**
 * WHIP (RFC 9725) ingest: a publisher POSTs an SDP offer to /whip/CAMERA and
 * gets the answer (201, every ICE candidate included: no trickle) with the
 * session's URL in Location; DELETE on that URL ends it. Trickle ICE (PATCH)
 * is answered 405, as the RFC allows.
 *
 * Who may publish (access 'publish'): a publish token (server.publishTokens,
 * which opens nothing else), an operator or an admin token; on a server
 * without any token, anyone who can reach it.
 *
 * Publishers are capped (supervisor.whip: sessions at once, cameras made for
 * them): over the cap, 503 WHIP_CAPACITY with Retry-After, as RFC 9725 allows
 * an overloaded endpoint (whip-publishers.ts).
 *
 * In a cluster a publisher may call any node: one whose camera another node
 * runs is redirected there (307, as RFC 9725 provides for load balancing),
 * and the session's URL is absolute, so its DELETE reaches the right node.
 */
import type { FastifyInstance } from 'fastify';
import type { CameraDirectory } from '../app/camera-directory.js';
import type { CameraManager } from '../app/camera-manager.js';
import { ShotscaleError } from '../errors.js';
import { WhipCapacityError, WhipPublishers } from '../ingest/webrtc/whip-publishers.js';
import { needs } from './access/http-access.js';
import { sendError } from './error-reply.js';

export interface WhipRouteOptions {
  /** Where a camera's publisher publishes (always here on a single node). */
  directory: () => CameraDirectory;
  /** In a cluster, this node's URL as the others reach it: session URLs are absolute. */
  selfUrl?: () => string | null;
}

export function registerWhipRoutes(app: FastifyInstance, cameras: CameraManager, options: WhipRouteOptions): void {
  const publishers = new WhipPublishers(cameras);
  // The offer arrives as text; WHIP says application/sdp.
  app.addContentTypeParser(['application/sdp', 'application/trickle-ice-sdpfrag'], { parseAs: 'string', bodyLimit: 64 * 1024 }, (_request, body, done) => done(null, body));

  app.post<{ Params: { cameraId: string }; Querystring: { name?: string } }>('/whip/:cameraId', needs('publish'), async (request, reply) => {
    const type = request.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/sdp' || typeof request.body !== 'string') return sendError(reply, 415, 'BAD_REQUEST', 'a WHIP offer is an SDP body with Content-Type: application/sdp');
    const path = `/whip/${encodeURIComponent(request.params.cameraId)}`;
    const target = options.directory().locate(request.params.cameraId);
    if (target.at === 'nowhere') throw new ShotscaleError('CAMERA_BUSY', target.why, { hint: 'publish again in a few seconds, or give a node room for it (cluster.capacity.cameras)' });
    if (target.at === 'node') {
      const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
      return reply.code(307).header('location', `${target.url}${path}${query}`).header('access-control-expose-headers', 'Location').send();
    }
    let published;
    try {
      published = await publishers.publish(request.params.cameraId, request.body, request.query.name);
    } catch (error) {
      if (!(error instanceof WhipCapacityError)) throw error;
      return sendError(reply.header('retry-after', String(error.retryAfterS)), 503, error.code, error.message);
    }
    const { sessionId, answer } = published;
    const location = `${options.selfUrl?.() ?? ''}${path}/sessions/${sessionId}`;
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
