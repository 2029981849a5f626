/** The dashboard's HTTP client: what a person reads when the server cannot be reached. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { ApiError, createApi } from '../../web/src/lib/api.js';

/** A port nothing listens on: bound, read, closed. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

test('an unreachable server: the error says what happened and what to do about it', async () => {
  const api = createApi(() => null, `http://127.0.0.1:${await deadPort()}`);
  await assert.rejects(api.send('POST', '/api/cameras', { id: 'x' }), (error: unknown) => {
    assert.ok(error instanceof ApiError);
    assert.equal(error.code, 'NETWORK');
    assert.match(error.message, /cannot be reached/);
    assert.match(error.message, /check that shotscale runs and that this device reaches it, then try again/);
    return true;
  });
});

test("a request's extra headers are sent, and a refusal's details (a plan conflict's current plan) reach the caller", async () => {
  const { createServer: createHttpServer } = await import('node:http');
  let seen: string | undefined;
  const server = createHttpServer((request, response) => {
    seen = request.headers['if-match'];
    response.writeHead(412, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ error: { code: 'PLAN_CONFLICT', message: 'changed', revision: 7, plan: { scene: '9', items: [] } } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  try {
    const api = createApi(() => 'tok', `http://127.0.0.1:${port}`);
    await assert.rejects(api.send('PUT', '/api/plans/9', { items: [] }, { 'if-match': '"3"' }), (error: unknown) => {
      assert.ok(error instanceof ApiError);
      assert.deepEqual([error.status, error.code, error.details.revision, (error.details.plan as { scene: string }).scene], [412, 'PLAN_CONFLICT', 7, '9']);
      return true;
    });
    assert.equal(seen, '"3"');
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
