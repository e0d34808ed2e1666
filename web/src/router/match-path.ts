/** Values of a route's `:name` segments. */
export type RouteParams = Readonly<Record<string, string>>;

/**
 * Matches `/accounts/42` against `/accounts/:id` → `{ id: '42' }`; null when it does not match.
 * Segments are compared whole, and a trailing slash is ignored.
 */
export function matchPath(pattern: string, pathname: string): RouteParams | null {
  const patternParts = pattern.split('/').filter(Boolean);
  const pathParts = pathname.split('/').filter(Boolean);
  if (patternParts.length !== pathParts.length) return null;
  const params: Record<string, string> = {};
  for (const [index, part] of patternParts.entries()) {
    const actual = pathParts[index] ?? '';
    if (part.startsWith(':')) {
      try {
        params[part.slice(1)] = decodeURIComponent(actual);
      } catch {
        return null;
      }
    } else if (part !== actual) {
      return null;
    }
  }
  return params;
}

/** `/accounts/:id` + `{ id: 7 }` → `/accounts/7`. */
export function fillPath(
  pattern: string,
  params: Readonly<Record<string, string | number>>,
): string {
  return pattern.replace(/:(\w+)/g, (whole, name: string) => {
    const value = params[name];
    return value === undefined ? whole : encodeURIComponent(String(value));
  });
}
