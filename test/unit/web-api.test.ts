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
