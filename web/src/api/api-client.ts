import { ApiError, apiErrorFromResponse, networkError } from './api-error';

const basePath = '/api/manage';

type QueryValue = string | number | boolean | null | undefined;
export type Query = Readonly<Record<string, QueryValue>>;

interface RequestOptions {
  query?: Query;
  body?: unknown;
  /** An early read's 401 is not news: the session check reports it. */
  quiet?: boolean;
}

let csrfToken: string | null = null;
let unauthorizedListener: (() => void) | null = null;

/*
 * A read started before the page that needs it exists: the page being opened asks for its
 * first data beside the session check, instead of after the session, the page's chunk and its
 * first render (see PageDescriptor.preload). The page's own identical GET takes the answer
 * once. Only a success is handed over, and only while fresh: a failed or stale early read is
 * dropped and the page asks again, so errors and 401s take the ordinary path.
 */
const earlyReadLifetimeMilliseconds = 5_000;
const earlyReads = new Map<string, { startedAt: number; answer: Promise<unknown> }>();

/** The session's CSRF token, sent on every request that changes something. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
  // The session ended: reads made with it must not be handed to whoever signs in next.
  if (token === null) earlyReads.clear();
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
    if (response.status === 401 && path !== '/session' && !options.quiet) {
      unauthorizedListener?.();
    }
    throw error;
  }
  return parsed as Result;
}

function takeEarlyRead(url: string): Promise<unknown> | undefined {
  const early = earlyReads.get(url);
  if (!early) return undefined;
  earlyReads.delete(url);
  if (performance.now() - early.startedAt > earlyReadLifetimeMilliseconds) return undefined;
  return early.answer;
}

async function get<Result>(path: string, query?: Query): Promise<Result> {
  const early = takeEarlyRead(buildUrl(path, query));
  if (early) {
    const answer = await early;
    if (answer !== undefined) return answer as Result;
  }
  return send<Result>('GET', path, { query });
}

/** Starts a GET that the page about to render will ask for; see earlyReads above. */
export function readEarly(path: string, query?: Query): void {
  const url = buildUrl(path, query);
  if (earlyReads.has(url)) return;
  earlyReads.set(url, {
    startedAt: performance.now(),
    answer: send('GET', path, { query, quiet: true }).catch(() => undefined),
  });
}

/**
 * The management API. Result types are the views in src/manage/views (mirrored in api-types.ts);
 * the server validates its own answers against them, so they are trusted here.
 */
export const api = {
  get,
  post: <Result>(path: string, body?: unknown) => send<Result>('POST', path, { body: body ?? {} }),
  patch: <Result>(path: string, body: unknown) => send<Result>('PATCH', path, { body }),
  delete: (path: string) => send<null>('DELETE', path, {}),
};

export { ApiError };
