/**
 * A server without tokens listens on loopback and lets its local user do
 * anything; a web page that user opens must not. In a real browser: a page
 * of another site opens a WebSocket to the server (browsers apply no
 * same-origin rule to WebSockets), posts to it and frames the dashboard
 * under a decoy (clickjacking), and a rebound name
 * (evil.example resolving to 127.0.0.1, as DNS rebinding makes it) loads the
 * dashboard itself. Each is refused with a coded answer, and nothing it sent
 * is done; the dashboard under the rebound name says why instead of asking
 * for a token; on 127.0.0.1 it works as before.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { io } from 'socket.io-client';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import { connectClient, httpJson, startTestServer, testsrcCamera } from '../support/server-harness.js';
import { errorCode, rawRequest } from '../support/raw-http.js';
import { ensureWebBuild } from '../support/web-build.js';

/** The attacker's page: a WebSocket to the server's Socket.IO, asking to connect and to start a take, and a form-like POST. */
const ATTACKER_PAGE = `<!doctype html><script>
window.result = new Promise((resolve) => {
  const target = new URLSearchParams(location.search).get('target');
  const seen = [];
  const ws = new WebSocket(target.replace('http', 'ws') + '/socket.io/?EIO=4&transport=websocket');
  ws.onmessage = (m) => {
    seen.push(String(m.data));
    if (String(m.data).startsWith('0')) ws.send('40');
    if (String(m.data).startsWith('40')) ws.send('42["take:start",{"scene":"99"}]');
  };
  ws.onerror = () => seen.push('error');
  fetch(target + '/api/takes', { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body: '{"scene":"98"}' }).catch(() => seen.push('fetch failed'));
  setTimeout(() => resolve(seen), 3000);
});
</script>`;

describe('pages of other sites, without a token', () => {
  let server: RunningServer;
  let attacker: http.Server;
  let attackerPort: number;
  let browser: Browser;

  before(async () => {
    ensureWebBuild();
    server = await startTestServer({ cameras: [testsrcCamera('cam-1')] });
    attacker = http.createServer((request, response) => {
      const page = request.url?.startsWith('/frame') ? `<!doctype html><iframe src="${server.url}/" width="800" height="600"></iframe>` : ATTACKER_PAGE;
      response.writeHead(200, { 'content-type': 'text/html' }).end(page);
    });
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    attackerPort = (attacker.address() as AddressInfo).port;
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      // evil.example resolves to this machine, as a rebinding name does once its record changes.
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--host-resolver-rules=MAP evil.example 127.0.0.1'],
    });
  });

  after(async () => {
    await browser?.close();
    attacker?.close();
    await server?.close();
  });

  const takes = async () => ((await httpJson(`${server.url}/api/takes`)).body as { takes: { scene: string }[] }).takes.map((t) => t.scene);

  test('the page of a server with tokens sets no framing rule (a control room may embed the wall); without, only this machine may frame it', async () => {
    const page = await rawRequest(server.url, 'GET', '/');
    assert.match(String(page.headers['content-security-policy']), /frame-ancestors 'self' http:\/\/localhost:\* http:\/\/127\.0\.0\.1:\*/);
    const closed = await startTestServer({ server: { accessToken: 'admin-token-frames-0123456789' } });
    try {
      const closedPage = await rawRequest(closed.url, 'GET', '/');
      assert.equal(closedPage.status, 200);
      assert.equal(closedPage.headers['content-security-policy'], undefined);
    } finally {
      await closed.close();
    }
  });

  test('HTTP: a foreign Host or Origin is refused with FORBIDDEN and the reason; this machine\'s pages and plain clients are not', async () => {
    const port = new URL(server.url).port;
    const rebound = await rawRequest(server.url, 'GET', '/api/cameras', { headers: { host: `evil.example:${port}` } });
    assert.equal(rebound.status, 403);
    assert.equal(errorCode(rebound.body), 'FORBIDDEN');
    assert.match(rebound.body, /sent to \\"evil.example:\d+\\", not to a loopback name/);
    assert.match(rebound.body, /server\.accessToken/);
    const posted = await rawRequest(server.url, 'POST', '/api/takes', { headers: { host: `127.0.0.1:${port}`, origin: 'https://evil.example', 'content-type': 'application/json' }, body: '{"scene":"97"}' });
    assert.equal(posted.status, 403);
    assert.match(posted.body, /came from the page \\"https:\/\/evil.example\\"/);
    const own = await rawRequest(server.url, 'POST', '/api/takes', { headers: { host: `localhost:${port}`, origin: `http://localhost:${port}`, 'content-type': 'application/json' }, body: '{"scene":"1"}' });
    assert.equal(own.status, 201, own.body);
    assert.equal((await rawRequest(server.url, 'GET', '/', { headers: { host: `evil.example:${port}` } })).status, 200, 'the page itself is for anyone');
    assert.deepEqual(await takes(), ['1']);
    const metrics = (await httpJson(`${server.url}/metrics`)).body as string;
    assert.match(metrics, /shotscale_auth_refused_total\{transport="http",reason="foreign-page"\} 2/);
  });

  test('Socket.IO: a foreign Origin cannot connect; no Origin (a script) can', async () => {
    const foreign = io(server.url, { transports: ['websocket'], reconnection: false, extraHeaders: { origin: 'https://evil.example' } });
    const error = await new Promise<Error & { data?: { code?: string; message?: string } }>((resolve, reject) => {
      foreign.once('connect_error', resolve);
      foreign.once('connect', () => reject(new Error('a foreign page connected')));
    });
    foreign.close();
    assert.equal(error.message, 'foreign page', 'the page tells this refusal from a token prompt by it');
    assert.equal(error.data?.code, 'FORBIDDEN');
    assert.match(error.data?.message ?? '', /came from the page "https:\/\/evil.example"/);
    const { client } = await connectClient(server.url);
    client.close();
  });

  test('in a browser: another site\'s WebSocket, POST and frame do nothing; the dashboard under a rebound name gets no data', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`http://evil.example:${attackerPort}/?target=${encodeURIComponent(server.url)}`);
    const seen = (await page.evaluate('window.result')) as string[];
    // The engine opens (0{...}); the Socket.IO connect is answered with a connect error (44), never a connect (40).
    assert.ok(seen.some((m) => m.startsWith('44') && m.includes('FORBIDDEN')), JSON.stringify(seen));
    assert.ok(!seen.some((m) => m.startsWith('40')), JSON.stringify(seen));

    const port = new URL(server.url).port;
    const rebound = await context.newPage();
    await rebound.goto(`http://evil.example:${port}/`);
    // What a person who opened it under that name sees: why, not a token prompt.
    const notice = rebound.locator('[data-testid="refused-notice"]');
    await notice.waitFor({ timeout: 10_000 });
    assert.match((await notice.textContent()) ?? '', /sent to "evil\.example:\d+", not to a loopback name/);
    assert.equal(await rebound.locator('input[aria-label="Access token"]').count(), 0, 'no token prompt');
    const answer = await rebound.evaluate(async () => {
      const response = await fetch('/api/cameras');
      return { status: response.status, body: await response.text() };
    });
    assert.equal(answer.status, 403);
    assert.doesNotMatch(answer.body, /cam-1/, 'no camera is listed');
    await context.close();
    assert.deepEqual(await takes(), ['1'], 'no take was started from the foreign pages');

    // Framed under a decoy (clickjacking): another site's frame stays empty; a page on this machine may frame it.
    const framed = async (host: string) => {
      const decoy = await browser.newPage();
      await decoy.goto(`http://${host}:${attackerPort}/frame`);
      await decoy.waitForTimeout(1500);
      const inner = decoy.frames().find((f) => f !== decoy.mainFrame());
      // A frame the browser refused holds its error page, not the dashboard.
      const shown = inner && inner.url().startsWith(server.url) ? ((await inner.locator('h1').first().textContent()) ?? '').trim() : `refused (${inner?.url()})`;
      await decoy.close();
      return shown;
    };
    assert.match(await framed('evil.example'), /^refused/, 'another site cannot frame the dashboard');
    assert.equal(await framed('127.0.0.1'), 'shotscale', 'a page on this machine can');

    const own = await browser.newPage();
    await own.goto(server.url);
    await own.locator('[data-camera-id="cam-1"][data-state="live"]').waitFor({ timeout: 20_000 });
    assert.ok((await own.locator('[data-camera-id="cam-1"] .scale .label').textContent())?.trim(), 'the wall shows a label');
    await own.close();
  });
});
