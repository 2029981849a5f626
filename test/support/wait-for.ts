/**
 * Asks `read` again every 200 ms until it gives something (not undefined),
 * or throws `what: not within N s` once `timeoutMs` pass: for a state a
 * server reaches in its own time (a shot logged, a take resumed).
 */
export async function waitFor<T>(what: string, read: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await read();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
