/**
 * The access token: kept in localStorage, accepted once from `?token=` in the
 * page URL (then stripped from the address bar and history).
 */
export const TOKEN_STORAGE_KEY = 'shotscale.token';

function storage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null; // storage disabled (privacy mode, sandboxed iframe)
  }
}

export function loadToken(): string | null {
  try {
    return storage()?.getItem(TOKEN_STORAGE_KEY) || null;
  } catch {
    return null;
  }
}

export function saveToken(token: string | null): void {
  try {
    const s = storage();
    if (!s) return;
    if (token) s.setItem(TOKEN_STORAGE_KEY, token);
    else s.removeItem(TOKEN_STORAGE_KEY);
  } catch {
    // nothing to do: the token still lives for this page
  }
}

/**
 * Takes `?token=` from the current URL, if any: stores it and removes it from
 * the URL. Returns the token to use (the URL one, else the stored one).
 */
export function initialToken(): string | null {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl !== null) {
    url.searchParams.delete('token');
    window.history.replaceState(window.history.state, '', url.pathname + url.search + url.hash);
    if (fromUrl) {
      saveToken(fromUrl);
      return fromUrl;
    }
  }
  return loadToken();
}
