/**
 * A request passed on to another node comes back as that node answered it:
 * a picture it lets a browser keep (cache-control) is kept when passed on
 * too (a forwarded thumbnail had no header, so the Shots view fetched it
 * again at every render); an error is not to be remembered.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { forwardToNode } from '../../server/api/node-forward.js';

const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 0xff, 0xd9]);

let node: Server;
let app: FastifyInstance;

before(async () => {
  // The node that holds the pictures: shot 1's, kept a day; no shot 2; shot 3's refused with a cache-control all the same.
  node = createServer((request, response) => {
    if (request.url === '/api/shots/1/thumbnail') {
      response.writeHead(200, { 'content-type': 'image/jpeg', 'cache-control': 'max-age=86400' }).end(JPEG);
    } else if (request.url === '/api/shots/3/thumbnail') {
      response.writeHead(401, { 'content-type': 'application/json', 'cache-control': 'max-age=86400' }).end('{"code":"UNAUTHORIZED","message":"no"}');
    } else {
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"code":"NOT_FOUND","message":"no shot"}');
    }
  });
  await new Promise<void>((resolve) => node.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(node.address() as AddressInfo).port}`;
  app = Fastify();
  app.get<{ Params: { id: string } }>('/api/shots/:id/thumbnail', async (request, reply) =>
    forwardToNode(request, reply, { nodeId: 'b', url }, 'a', `/api/shots/${request.params.id}/thumbnail`, 'logs this shot'));
  await app.ready();
});

after(async () => {
  await app.close();
  await new Promise<void>((resolve) => node.close(() => resolve()));
});

test('a JPEG passed on from the node that logs it keeps its cache-control', async () => {
  const answer = await app.inject({ method: 'GET', url: '/api/shots/1/thumbnail' });
  assert.equal(answer.statusCode, 200);
  assert.equal(answer.headers['content-type'], 'image/jpeg');
  assert.equal(answer.headers['cache-control'], 'max-age=86400');
  assert.deepEqual(answer.rawPayload, JPEG);
});

test('an error passed on carries no cache-control, whatever the node said', async () => {
  const missing = await app.inject({ method: 'GET', url: '/api/shots/2/thumbnail' });
  assert.equal(missing.statusCode, 404);
  assert.equal(missing.headers['cache-control'], undefined);
  const refused = await app.inject({ method: 'GET', url: '/api/shots/3/thumbnail' });
  assert.equal(refused.statusCode, 401);
  assert.equal(refused.headers['cache-control'], undefined);
  assert.match(refused.body, /UNAUTHORIZED/);
});
