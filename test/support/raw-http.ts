/**
 * HTTP requests sent exactly as written: the request target is not
 * normalised (fetch would resolve "/./" and re-encode), so tests can send
 * percent-encoded paths and absolute-form targets the way curl --path-as-is
 * and --request-target do.
 */
import http from 'node:http';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export function rawRequest(baseUrl: string, method: string, target: string, options: { headers?: Record<string, string>; body?: string | Buffer; timeoutMs?: number } = {}): Promise<RawResponse> {
  const base = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: base.hostname, port: base.port, method, path: target, headers: options.headers ?? {}, timeout: options.timeoutMs ?? 10_000, agent: false },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error(`${method} ${target.slice(0, 80)}: no answer within ${options.timeoutMs ?? 10_000} ms`)));
    request.on('error', reject);
    request.end(options.body);
  });
}

/** The error code of a JSON error body, or null. */
export function errorCode(body: string): string | null {
  try {
    return (JSON.parse(body) as { error?: { code?: string } }).error?.code ?? null;
  } catch {
    return null;
  }
}
