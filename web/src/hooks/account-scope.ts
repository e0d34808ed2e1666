/** The `?account=7` scope of a page's URL; null when absent or not an id. */
export function accountScopeFrom(search: URLSearchParams): number | null {
  const raw = search.get('account');
  return raw !== null && /^\d+$/.test(raw) ? Number(raw) : null;
}
