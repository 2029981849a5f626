/**
 * WHIP (RFC 9725) ingest: a publisher POSTs an SDP offer to /whip/CAMERA and
 * gets the answer (201, every ICE candidate included: no trickle) with the
 * session's URL in Location; DELETE on that URL ends it. Trickle ICE (PATCH)
 * is answered 405, as the RFC allows; OPTIONS on the endpoint answers 204
 * with Accept-Post (no token needed: it says nothing of any camera), and the
 * methods a WHIP endpoint does not take (GET, HEAD, PUT) 405 with Allow.
 * CORS only for the origins supervisor.whip.allowedOrigins names (whip-cors.ts):
 * by default a page of another origin cannot publish from a browser.
 *
 * An offer whose video this server cannot decode (H.264 alone: @roamhq/wrtc
 * decodes VP8, VP9 and AV1) is refused 400 WHIP_CODEC, never answered with
 * its video rejected and left to wait for a picture that cannot come.
 *
 * The log says one line per session start and end (webrtc-camera.ts) and one
 * warning per refused offer, with its code; never a token or the SDP.
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
 * A browser's offer (one with an Origin) is passed on instead: a browser
 * follows a redirect to another origin with its token dropped and its origin
 * hidden ("null"), so the Publish view of one node could not publish a camera
 * another node runs. Its session's URL is then this node's, and the DELETE
 * is passed on too: the page talks to the origin it was served from.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CameraDirectory } from '../app/camera-directory.js';
import type { CameraManager } from '../app/camera-manager.js';
import { errorMessage, isShotscaleError, ShotscaleError } from '../errors.js';
import { WhipCapacityError, WhipPublishers } from '../ingest/webrtc/whip-publishers.js';
import type { Logger } from '../shared/logger.js';
import { needs } from './access/http-access.js';
import { sendNoRoute } from './request-parsing.js';
import { sendError } from './error-reply.js';
import { answerPreflight, registerWhipCors } from './whip-cors.js';
import { passOnText, wasForwarded } from './node-forward.js';
import { utf8Text } from './utf8-body.js';

export interface WhipRouteOptions {
  /** Where a camera's publisher publishes (always here on a single node). */
  directory: () => CameraDirectory;
  /** In a cluster, this node's URL as the others reach it: session URLs are absolute. */
  selfUrl?: () => string | null;
  /** In a cluster, this node's id: what a browser's offer for another node's camera is passed on under. */
  nodeId?: string;
  /** Where WHIP sessions and refused offers are logged. */
  log: Logger;
  /** Origins whose browser pages may publish (supervisor.whip.allowedOrigins); none: same origin only. */
  allowedOrigins?: readonly string[];
}

const SDP_ONLY = 'a WHIP offer is an SDP body with Content-Type: application/sdp';
/** What the endpoint takes (RFC 9725): for Allow. */
const ENDPOINT_METHODS = 'POST, OPTIONS';
/** What a session's URL takes (PATCH is answered 405: no trickle ICE). */
const SESSION_METHODS = 'DELETE, OPTIONS';

/** A route that only answers 405 (for a publisher, with why): a 405 elsewhere on the path does not list its method. */
const REFUSED = { config: { access: 'publish', refusesMethod: true } } as const;

/** What a passed-on answer keeps besides its body (Location is made this node's). */
const PASSED_ON_HEADERS = ['retry-after', 'link', 'etag', 'allow'];

/** The answer of the node a request was passed on to, as this node's reply; its session's URL (Location) one on this node. */
async function replyAsPassedOn(reply: FastifyReply, answer: Response): Promise<FastifyReply> {
  for (const name of PASSED_ON_HEADERS) {
    const value = answer.headers.get(name);
    if (value !== null) reply.header(name, value);
  }
  const location = answer.headers.get('location');
  if (location !== null) reply.header('location', new URL(location, 'http://peer.invalid').pathname);
  return reply.code(answer.status).type(answer.headers.get('content-type') ?? 'application/json').send(Buffer.from(await answer.arrayBuffer()));
}

/** A refusal's message for the log: the server's own words, never a line of the SDP a parser quoted. */
function loggable(error: unknown): string {
  const message = errorMessage(error);
  const cut = message.indexOf('the offer could not be answered');
  return (cut >= 0 ? 'the offer could not be answered (unparsable SDP?)' : message).slice(0, 300);
}

/** Largest offer taken: an SDP offer is a few KB. */
const SDP_LIMIT = 64 * 1024;

export function registerWhipRoutes(app: FastifyInstance, cameras: CameraManager, options: WhipRouteOptions): void {
  const publishers = new WhipPublishers(cameras);
  const { log } = options;
  const origins = options.allowedOrigins ?? [];
  registerWhipCors(app, origins);
  const refused = (request: FastifyRequest, status: number | null, code: string, why: string): void =>
    log.warn(`refused a WHIP offer for camera "${(request.params as { cameraId?: string } | undefined)?.cameraId ?? '?'}" from ${request.ip}: ${code}${status ? ` (${status})` : ''}: ${why}`);
  /** The body parser's refusal of another content type (a form), in this route's words; anything else as the server answers it. */
  const onError = (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void => {
    // A JSON body that does not parse was answered 400 "not valid JSON": whatever it holds, this route takes SDP only.
    const notSdp = request.headers['content-type']?.split(';')[0]?.trim().toLowerCase() !== 'application/sdp' && !isShotscaleError(error) && error.statusCode !== 413;
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || error.statusCode === 415 || notSdp) {
      refused(request, 415, 'UNSUPPORTED_MEDIA_TYPE', `Content-Type ${String(request.headers['content-type'] ?? 'none').slice(0, 80)}`);
      void sendError(reply, 415, 'UNSUPPORTED_MEDIA_TYPE', SDP_ONLY);
      return;
    }
    app.errorHandler(error, request, reply);
  };
  // The offer arrives as text; WHIP says application/sdp.
  // Read as bytes and decoded strictly: an offer that is not UTF-8 is refused saying where, not read with U+FFFD in it.
  app.addContentTypeParser(['application/sdp', 'application/trickle-ice-sdpfrag'], { parseAs: 'buffer', bodyLimit: SDP_LIMIT }, (_request, body, done) => {
    try {
      done(null, utf8Text(body as Buffer, 'the offer'));
    } catch (error) {
      done(error as Error, undefined);
    }
  });

  // The route's own limit too, so that a 413 names this one rather than the API's 256 KB.
  app.post<{ Params: { cameraId: string }; Querystring: { name?: string } }>('/whip/:cameraId', { ...needs('publish'), bodyLimit: SDP_LIMIT, errorHandler: onError }, async (request, reply) => {
    const type = request.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/sdp' || typeof request.body !== 'string') {
      refused(request, 415, 'UNSUPPORTED_MEDIA_TYPE', `Content-Type ${String(request.headers['content-type'] ?? 'none').slice(0, 80)}`);
      return sendError(reply, 415, 'UNSUPPORTED_MEDIA_TYPE', SDP_ONLY);
    }
    const path = `/whip/${encodeURIComponent(request.params.cameraId)}`;
    const target = options.directory().locate(request.params.cameraId);
    if (target.at === 'nowhere') {
      refused(request, 409, 'CAMERA_BUSY', target.why);
      throw new ShotscaleError('CAMERA_BUSY', target.why, { hint: 'publish again in a few seconds, or give a node room for it (cluster.capacity.cameras)' });
    }
    if (target.at === 'node') {
      const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
      if (wasForwarded(request)) {
        const why = `camera "${request.params.cameraId}" runs on node "${target.nodeId}" (${target.url}) now`;
        refused(request, 409, 'CLUSTER_ELSEWHERE', why);
        throw new ShotscaleError('CLUSTER_ELSEWHERE', `${why}; publish again`);
      }
      if (request.headers.origin !== undefined && options.nodeId !== undefined) {
        const answer = await passOnText(request, target, options.nodeId, `${path}${query}`, 'runs this camera', { type: 'application/sdp', body: request.body });
        // That node logs this node's address as the publisher's: this line says whose offer it was.
        log.info(`passed a browser's WHIP offer for camera "${request.params.cameraId}" from ${request.ip} on to node "${target.nodeId}" (${target.url}): ${answer.status}`);
        return replyAsPassedOn(reply, answer);
      }
      return reply.code(307).header('location', `${target.url}${path}${query}`).send();
    }
    let published;
    try {
      published = await publishers.publish(request.params.cameraId, request.body, request.query.name, request.ip);
    } catch (error) {
      if (error instanceof WhipCapacityError) {
        refused(request, 503, error.code, loggable(error));
        return sendError(reply.header('retry-after', String(error.retryAfterS)), 503, error.code, error.message);
      }
      // The codec refusal is the request's (400), said in full: what it offered, what this server decodes.
      if (isShotscaleError(error, 'WHIP_CODEC')) {
        refused(request, 400, error.code, loggable(error));
        return sendError(reply, 400, error.code, error.message);
      }
      refused(request, null, isShotscaleError(error) ? error.code : 'INTERNAL', loggable(error));
      throw error;
    }
    const { sessionId, answer } = published;
    const location = `${options.selfUrl?.() ?? ''}${path}/sessions/${sessionId}`;
    return reply.code(201).header('location', location).type('application/sdp').send(answer);
  });

  app.delete<{ Params: { cameraId: string; sessionId: string } }>('/whip/:cameraId/sessions/:sessionId', needs('publish'), async (request, reply) => {
    const target = options.directory().locate(request.params.cameraId);
    // A browser's session passed on to the node running its camera (above) is ended there.
    if (target.at === 'node' && options.nodeId !== undefined && !wasForwarded(request)) {
      const path = `/whip/${encodeURIComponent(request.params.cameraId)}/sessions/${encodeURIComponent(request.params.sessionId)}`;
      return replyAsPassedOn(reply, await passOnText(request, target, options.nodeId, path, 'runs this camera'));
    }
    cameras.webrtc(request.params.cameraId).unpublish(request.params.sessionId);
    return reply.code(200).send();
  });

  app.patch('/whip/:cameraId/sessions/:sessionId', REFUSED, async (_request, reply) =>
    sendError(reply.header('allow', SESSION_METHODS), 405, 'METHOD_NOT_ALLOWED', 'trickle ICE is not supported: send every candidate in the offer'),
  );

  // RFC 9725: OPTIONS on the endpoint says what it takes. No token: a CORS preflight carries none, and it names no camera.
  // /whip/ with no camera is no endpoint (the router hands it to this route with an empty id).
  app.options<{ Params: { cameraId: string } }>('/whip/:cameraId', needs('public'), async (request, reply) =>
    request.params.cameraId
      ? answerPreflight(request, reply, origins).code(204).header('accept-post', 'application/sdp').header('allow', ENDPOINT_METHODS).send()
      : sendNoRoute(request, reply),
  );
  // A browser asks before it DELETEs a session with its token: the same answer, for the session's URL.
  // /whip//sessions/ID (no camera) or a session URL with no session is no session's URL either.
  app.options<{ Params: { cameraId: string; sessionId: string } }>('/whip/:cameraId/sessions/:sessionId', needs('public'), async (request, reply) =>
    request.params.cameraId && request.params.sessionId
      ? answerPreflight(request, reply, origins).code(204).header('allow', SESSION_METHODS).send()
      : sendNoRoute(request, reply),
  );

  // What a WHIP endpoint does not take, refused as such rather than "no such route". (Fastify answers HEAD with the GET route.)
  app.route({
    method: ['GET', 'PUT'],
    url: '/whip/:cameraId',
    ...REFUSED,
    handler: async (request, reply) =>
      sendError(reply.header('allow', ENDPOINT_METHODS), 405, 'METHOD_NOT_ALLOWED', `${request.method} is not how WHIP publishes: POST the SDP offer (Content-Type: application/sdp); DELETE the session's URL to end it`),
  });
}
