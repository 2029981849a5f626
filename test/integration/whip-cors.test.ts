/**
 * WHIP from a browser page of another origin, in real Chromium: a page of an
 * origin supervisor.whip.allowedOrigins names publishes (its offer answered,
 * the session's Location read, the session ended with DELETE), its token
 * still checked; a page of any other origin is refused by its browser before
 * its offer is even sent, and no camera is made for it.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { type Browser } from 'playwright-core';
import { launchChromium } from '../support/browser.js';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import { httpJson, startTestServer } from '../support/server-harness.js';
import { collectWrtcGarbage } from '../support/wrtc-cleanup.js';

const PUBLISH = 'publish-token-for-cors-0123456789';
const ADMIN = 'admin-token-for-cors-0123456789ab';

/** A plain page server: each origin a port of its own. */
async function pageServer(): Promise<{ server: Server; origin: string }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><title>publisher</title><canvas width="64" height="48"></canvas>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

interface PublishAttempt {
  /** The POST's status, or the browser's refusal (a TypeError: the answer may not be read). */
  status: number | 'refused by the browser';
  location?: string | null;
  ended?: number;
  /** The body of a refusal the page could read. */
  body?: string;
}

/** In the page: a canvas's video offered to the endpoint with `token`, then the session ended. */
async function publishFrom(browser: Browser, pageOrigin: string, endpoint: string, token: string | null): Promise<PublishAttempt> {
  const page = await browser.newPage();
  try {
    await page.goto(`${pageOrigin}/`);
    return await page.evaluate(
      async ({ endpoint, token }) => {
        const canvas = document.querySelector('canvas')!;
        canvas.getContext('2d')!.fillRect(0, 0, 64, 48);
        const pc = new RTCPeerConnection();
        pc.addTransceiver(canvas.captureStream(5).getVideoTracks()[0]!, { direction: 'sendonly' });
        await pc.setLocalDescription(await pc.createOffer());
        const auth: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
        try {
          const answer = await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/sdp', ...auth }, body: pc.localDescription!.sdp });
          const location = answer.headers.get('location');
          if (answer.status !== 201 || !location) return { status: answer.status, location, body: await answer.text() };
          const ended = await fetch(location, { method: 'DELETE', headers: auth });
          return { status: answer.status, location, ended: ended.status };
        } catch {
          return { status: 'refused by the browser' as const };
        } finally {
          pc.close();
        }
      },
      { endpoint, token },
    );
  } finally {
    await page.close();
  }
}

describe('WHIP from a page of another origin', () => {
  let server: RunningServer;
  let browser: Browser;
  let allowed: { server: Server; origin: string };
  let other: { server: Server; origin: string };

  before(async () => {
    allowed = await pageServer();
    other = await pageServer();
    server = await startTestServer({
      server: { accessToken: ADMIN, publishTokens: [PUBLISH] },
      supervisor: { whip: { allowedOrigins: [allowed.origin.toUpperCase()] } },
    });
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    allowed?.server.close();
    other?.server.close();
    await collectWrtcGarbage();
  });

  test('an allowed origin publishes: the answer and its Location are readable, DELETE ends the session', async () => {
    const attempt = await publishFrom(browser, allowed.origin, `${server.url}/whip/cors-cam`, PUBLISH);
    assert.equal(attempt.status, 201, JSON.stringify(attempt));
    assert.match(attempt.location ?? '', /\/whip\/cors-cam\/sessions\/[0-9a-f-]+$/);
    assert.equal(attempt.ended, 200);
  });

  test("an allowed origin still needs a token, and can read the refusal's reason", async () => {
    const attempt = await publishFrom(browser, allowed.origin, `${server.url}/whip/no-token-cam`, null);
    assert.equal(attempt.status, 401, JSON.stringify(attempt));
    assert.match(attempt.body ?? '', /UNAUTHORIZED/);
    assert.equal((await httpJson(`${server.url}/api/cameras/no-token-cam`, { token: ADMIN })).status, 404);
  });

  test('any other origin is refused by its browser, and nothing is made for it', async () => {
    const attempt = await publishFrom(browser, other.origin, `${server.url}/whip/other-cam`, PUBLISH);
    assert.equal(attempt.status, 'refused by the browser');
    assert.equal((await httpJson(`${server.url}/api/cameras/other-cam`, { token: ADMIN })).status, 404, 'the offer was never sent');
  });

  test('preflights: public, the methods and headers for an allowed origin, nothing for another; every answer varies by Origin', async () => {
    const preflight = async (origin: string, path: string, method: string) =>
      fetch(`${server.url}${path}`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': 'authorization, content-type' } });
    const yes = await preflight(allowed.origin, '/whip/cam-a', 'POST');
    assert.equal(yes.status, 204);
    assert.equal(yes.headers.get('access-control-allow-origin'), allowed.origin);
    assert.match(yes.headers.get('access-control-allow-methods') ?? '', /POST/);
    assert.match(yes.headers.get('access-control-allow-headers') ?? '', /Authorization/);
    assert.equal(yes.headers.get('vary'), 'Origin');
    const session = await preflight(allowed.origin, '/whip/cam-a/sessions/abc', 'DELETE');
    assert.equal(session.status, 204);
    assert.equal(session.headers.get('allow'), 'DELETE, OPTIONS');
    assert.match(session.headers.get('access-control-allow-methods') ?? '', /DELETE/);
    // A session URL with no camera is no session's URL: answered as a path that matches no route, without CORS methods.
    for (const path of ['/whip//sessions/abc', '/whip//sessions/x?token=y']) {
      const none = await preflight(allowed.origin, path, 'DELETE');
      assert.equal(none.status, 404, `${path}: ${none.status}`);
      assert.match(await none.text(), /"NOT_FOUND".*no route OPTIONS/);
      assert.equal(none.headers.get('access-control-allow-methods'), null);
    }
    const no = await preflight(other.origin, '/whip/cam-a', 'POST');
    assert.equal(no.status, 204, 'OPTIONS still says what the endpoint takes (RFC 9725)');
    assert.equal(no.headers.get('access-control-allow-origin'), null);
    assert.equal(no.headers.get('access-control-allow-methods'), null);
    assert.equal(no.headers.get('vary'), 'Origin');
    // The API outside /whip has no CORS for anyone.
    const api = await fetch(`${server.url}/api/health`, { headers: { origin: allowed.origin } });
    assert.equal(api.headers.get('access-control-allow-origin'), null);
  });
});
