/**
 * The dashboard's HTTP calls: JSON in and out, the access token attached, and
 * the server's `{ error: { code, message } }` turned into an ApiError whose
 * message can be shown as it is.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The rest of the server's `error` object (a plan conflict's current plan and revision). */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export interface Api {
  get<T>(path: string): Promise<T>;
  /**
   * `headers`: extra request headers (If-Match: a plan's revision).
   * `keepalive`: the request outlives the page (sent as the tab closes).
   */
  send<T>(method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown, headers?: Record<string, string>, options?: { keepalive?: boolean }): Promise<T>;
  /** A URL that downloads with the token (for links such as exports). */
  downloadUrl(path: string): string;
}

export function createApi(token: () => string | null, base = ''): Api {
  const headers = (json: boolean): Record<string, string> => {
    const h: Record<string, string> = {};
    const t = token();
    if (t) h.authorization = `Bearer ${t}`;
    if (json) h['content-type'] = 'application/json';
    return h;
  };
  const call = async <T>(method: string, path: string, body?: unknown, extra: Record<string, string> = {}, keepalive = false): Promise<T> => {
    let response: Response;
    try {
      response = await fetch(base + path, { method, keepalive, headers: { ...extra, ...headers(body !== undefined) }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    } catch (error) {
      // Said with what to do: "Failed to fetch" alone leaves an operator guessing.
      throw new ApiError(0, 'NETWORK', `the server cannot be reached (${error instanceof Error ? error.message : String(error)}): check that shotscale runs and that this device reaches it, then try again`);
    }
    const text = await response.text();
    const data: unknown = text ? safeJson(text) : null;
    if (!response.ok) {
      const err = (data as { error?: { code?: string; message?: string } & Record<string, unknown> } | null)?.error;
      throw new ApiError(response.status, err?.code ?? `HTTP_${response.status}`, err?.message ?? `${method} ${path} failed with ${response.status}`, err ?? {});
    }
    return data as T;
  };
  return {
    get: (path) => call('GET', path),
    send: (method, path, body, extra, options) => call(method, path, body, extra, options?.keepalive),
    downloadUrl(path) {
      const t = token();
      if (!t) return base + path;
      return `${base}${path}${path.includes('?') ? '&' : '?'}token=${encodeURIComponent(t)}`;
    },
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
