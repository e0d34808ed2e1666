import { ApiError, apiErrorFromResponse, networkError } from './api-error';

const basePath = '/api/manage';

type QueryValue = string | number | boolean | null | undefined;
export type Query = Readonly<Record<string, QueryValue>>;

interface RequestOptions {
  query?: Query;
  body?: unknown;
}

let csrfToken: string | null = null;
let unauthorizedListener: (() => void) | null = null;

/** The session's CSRF token, sent on every request that changes something. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when any request answers 401 (the session ended): the app shows the sign-in page. */
export function onUnauthorized(listener: (() => void) | null): void {
  unauthorizedListener = listener;
}

/** `/accounts` + `{ limit: 50, cursor: undefined }` → `/api/manage/accounts?limit=50`. */
export function buildUrl(path: string, query?: Query): string {
  const parameters = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null || value === '') continue;
    parameters.set(name, String(value));
  }
  const search = parameters.toString();
  return `${basePath}${path}${search ? `?${search}` : ''}`;
}

async function send<Result>(
  method: string,
  path: string,
  options: RequestOptions,
): Promise<Result> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken !== null) headers['x-csrf-token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(buildUrl(path, options.query), {
      method,
      headers,
      credentials: 'same-origin',
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
  } catch {
    throw networkError();
  }
  const text = await response.text();
  let parsed: unknown = null;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = null;
    }
  }
  if (!response.ok) {
    const error = apiErrorFromResponse(response.status, parsed);
    // Signing in answers 401 for a wrong password; that is not a lost session.
    if (response.status === 401 && path !== '/session') unauthorizedListener?.();
    throw error;
  }
  return parsed as Result;
}

/**
 * The management API. Result types are the views in src/manage/views (mirrored in api-types.ts);
 * the server validates its own answers against them, so they are trusted here.
 */
export const api = {
  get: <Result>(path: string, query?: Query) => send<Result>('GET', path, { query }),
  post: <Result>(path: string, body?: unknown) => send<Result>('POST', path, { body: body ?? {} }),
  patch: <Result>(path: string, body: unknown) => send<Result>('PATCH', path, { body }),
  delete: (path: string) => send<null>('DELETE', path, {}),
};

export { ApiError };
