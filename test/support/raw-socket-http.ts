/**
 * HTTP/1.1 requests written byte for byte on a TCP socket, for what node:http
 * refuses to send (control characters in the target or a header, bytes
 * that are not UTF-8, a malformed request line). The answer is read with a
 * small parser: Content-Length, chunked, or up to the close.
 */
import net from 'node:net';
import type { RawResponse } from './raw-http.js';

export type RawHeader = [name: string, value: string];

/**
 * The request's bytes: every string is taken as latin1, so a character
 * U+0000..U+00FF is that byte, exactly as a fuzzer meant it.
 */
export function rawRequestBytes(method: string, target: string, headers: RawHeader[], body?: Buffer): Buffer {
  const head = [`${method} ${target} HTTP/1.1`, ...headers.map(([name, value]) => `${name}: ${value}`), '', ''].join('\r\n');
  return body ? Buffer.concat([Buffer.from(head, 'latin1'), body]) : Buffer.from(head, 'latin1');
}

interface Head {
  status: number;
  headers: Record<string, string>;
  bodyStart: number;
}

function parseHead(data: Buffer): Head | null {
  const end = data.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const [statusLine = '', ...lines] = data.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status, headers, bodyStart: end + 4 };
}

/** The body of a chunked message once it is complete, else null. */
function dechunk(data: Buffer): Buffer | null {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = data.indexOf('\r\n', at);
    if (lineEnd < 0) return null;
    const size = parseInt(data.subarray(at, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size)) return null;
    if (size === 0) return Buffer.concat(parts);
    if (data.length < lineEnd + 2 + size + 2) return null;
    parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}

/** The whole answer in `data`, or null while more is due; `closed`: the server has hung up. */
function parseResponse(data: Buffer, headOnly: boolean, closed: boolean): RawResponse | null {
  let head = parseHead(data);
  let rest = data;
  // 100 Continue and friends precede the real answer.
  while (head && head.status >= 100 && head.status < 200) {
    rest = rest.subarray(head.bodyStart);
    head = parseHead(rest);
  }
  if (!head) return null;
  const { status, headers } = head;
  const bodyBytes = rest.subarray(head.bodyStart);
  const done = (body: Buffer): RawResponse => ({ status, headers, body: body.toString('utf8') });
  if (headOnly || status === 204 || status === 304) return done(Buffer.alloc(0));
  if (headers['transfer-encoding']?.toLowerCase().includes('chunked')) {
    const body = dechunk(bodyBytes);
    return body ? done(body) : closed ? done(bodyBytes) : null;
  }
  const length = headers['content-length'];
  if (length !== undefined) return bodyBytes.length >= Number(length) ? done(bodyBytes.subarray(0, Number(length))) : closed ? done(bodyBytes) : null;
  return closed ? done(bodyBytes) : null;
}

/**
 * Sends `bytes` and resolves with the first answer. Rejects when the server
 * closes without one, or when none is complete within `timeoutMs` (the
 * message says which: "closed" or "no answer").
 */
export function rawSocketRequest(baseUrl: string, bytes: Buffer, options: { headOnly?: boolean; timeoutMs?: number } = {}): Promise<RawResponse> {
  const base = new URL(baseUrl);
  const timeoutMs = options.timeoutMs ?? 10_000;
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: base.hostname, port: Number(base.port) });
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (error: Error | null, response?: RawResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(response!);
    };
    const timer = setTimeout(() => finish(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    const tryParse = (closed: boolean) => {
      const response = parseResponse(Buffer.concat(chunks), options.headOnly ?? false, closed);
      if (response) finish(null, response);
      else if (closed) finish(new Error('closed without an answer'));
    };
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      tryParse(false);
    });
    socket.on('end', () => tryParse(true));
    socket.on('close', () => tryParse(true));
    // A reset after the answer was read changes nothing; before it, it is "closed".
    socket.on('error', () => tryParse(true));
    socket.write(bytes);
  });
}
