/**
 * The view named in the page's address (`#coverage`), so that a reload or a
 * link opens the view it was on rather than the wall.
 */

/** The view of `views` that `hash` names (`#shots`, `shots`), or null for none or another name. */
export function viewFromHash<V extends string>(hash: string, views: readonly V[]): V | null {
  const name = hash.replace(/^#\/?/, '').toLowerCase();
  return views.find((v) => v === name) ?? null;
}
