/**
 * The access token: kept in localStorage, accepted once from `?token=` in the
 * page URL (then stripped from the address bar and history). A token is
 * stored only once the server has let it in (connection.ts): a refused one,
 * typed or in the address, lives for the page alone. Beside it, a
 * publish token the Publish view asked for (a server whose API is open but
 * whose /whip needs one of server.publishTokens), kept in localStorage too.
 */
export const TOKEN_STORAGE_KEY = 'shotscale.token';
export const PUBLISH_TOKEN_STORAGE_KEY = 'shotscale.publishToken';
/**
 * A token refused only because the address was blocked for wrong tokens (no
 * word on the token itself): kept for this tab (sessionStorage) to be tried
 * again when the block ends, a reload included, but not as one let in.
 */
export const PENDING_TOKEN_STORAGE_KEY = 'shotscale.pendingToken';

function storage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null; // storage disabled (privacy mode, sandboxed iframe)
  }
}

export function loadToken(key: string = TOKEN_STORAGE_KEY): string | null {
  try {
    return storage()?.getItem(key) || null;
  } catch {
    return null;
  }
}

export function saveToken(token: string | null, key: string = TOKEN_STORAGE_KEY): void {
  try {
    const s = storage();
    if (!s) return;
    if (token) s.setItem(key, token);
    else s.removeItem(key);
  } catch {
    // nothing to do: the token still lives for this page
  }
}

/** Keeps (or, null, forgets) the token waiting out a block: see PENDING_TOKEN_STORAGE_KEY. */
export function keepPendingToken(token: string | null): void {
  try {
    const s = globalThis.sessionStorage;
    if (!s) return;
    if (token) s.setItem(PENDING_TOKEN_STORAGE_KEY, token);
    else s.removeItem(PENDING_TOKEN_STORAGE_KEY);
  } catch {
    // storage disabled: the token still lives for this page
  }
}

function pendingToken(): string | null {
  try {
    return globalThis.sessionStorage?.getItem(PENDING_TOKEN_STORAGE_KEY) || null;
  } catch {
    return null;
  }
}

/** The publish token the Publish view was given (null: none). */
export function loadPublishToken(): string | null {
  return loadToken(PUBLISH_TOKEN_STORAGE_KEY);
}

export function savePublishToken(token: string | null): void {
  saveToken(token, PUBLISH_TOKEN_STORAGE_KEY);
}

/**
 * Takes `?token=` from the current URL, if any, and removes it from the URL.
 * Returns the token to use (the URL one, else one waiting out a block in
 * this tab, else the stored one). The URL one is not stored here: the server may refuse it, and a mistyped token kept
 * before it was tried was offered again, and refused, on every load after.
 */
export function initialToken(): string | null {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl !== null) {
    url.searchParams.delete('token');
    window.history.replaceState(window.history.state, '', url.pathname + url.search + url.hash);
    if (fromUrl) return fromUrl;
  }
  return pendingToken() ?? loadToken();
}
