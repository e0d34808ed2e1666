import type { UpstreamHttpRequest, UpstreamTarget } from './contract.js';

/**
 * Headers for a JSON call to an upstream: the provider's fixed headers first, then the operator's
 * extra headers, then the credential. Operator header names are lower-cased so one of theirs
 * replaces ours instead of going out beside it as a second, conflicting header; the credential
 * comes last so a stale header in the configuration can never shadow the stored secret.
 */
export function upstreamHeaders(
  target: UpstreamTarget,
  fixed: Readonly<Record<string, string>>,
  credential: Readonly<Record<string, string>>,
): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    ...fixed,
  };
  for (const [name, value] of Object.entries(target.extraHeaders)) {
    headers[name.toLowerCase()] = value;
  }
  return Object.assign(headers, credential);
}

/** A GET of `path` below the target's origin (the path includes any query). */
export function getJson(
  target: UpstreamTarget,
  path: string,
  headers: Record<string, string>,
): UpstreamHttpRequest {
  return { origin: target.origin, path, method: 'GET', headers, body: undefined };
}

/** A POST of `body` as JSON to `path` below the target's origin (the path includes any query). */
export function postJson(
  target: UpstreamTarget,
  path: string,
  body: unknown,
  headers: Record<string, string>,
): UpstreamHttpRequest {
  return { origin: target.origin, path, method: 'POST', headers, body: JSON.stringify(body) };
}
