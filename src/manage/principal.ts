import type { FastifyRequest } from 'fastify';
import { findSession, secretsEqual } from '../auth/sessions.js';
import { GatewayError } from '../errors/gateway-error.js';
import type { SessionRecord } from '../store/money-records.js';
import type { AccountRecord, Role } from '../store/records.js';
import { readCookie, sessionCookieName } from './cookies.js';
import type { ManageDependencies } from './manage-dependencies.js';

/** Who is calling the management API, and how they proved it. */
export type Principal =
  | { via: 'admin_token'; role: 'admin'; account: null; label: string }
  | {
      via: 'session';
      role: Role;
      account: AccountRecord;
      session: SessionRecord;
      /** The cookie's token, needed to end the session. */
      token: string;
      label: string;
    };

/** The header a cookie-authenticated request that changes something must carry. */
export const csrfHeaderName = 'x-csrf-token';

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

function signInHint(): string {
  return 'Sign in with POST /api/manage/session, or send Authorization: Bearer <SWITCHYARD_ADMIN_TOKEN>.';
}

function fromAdminToken(authorization: string, adminToken: string | undefined): Principal {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (match?.[1] !== undefined && adminToken !== undefined && secretsEqual(match[1], adminToken)) {
    return { via: 'admin_token', role: 'admin', account: null, label: 'admin token' };
  }
  throw new GatewayError(
    'invalid_credentials',
    'The Authorization header does not carry the admin token. API keys (sk-…) work only on /api/v1; the management API takes the admin token (SWITCHYARD_ADMIN_TOKEN) or a session from POST /api/manage/session.',
  );
}

/**
 * Authenticates a management request: the admin token in `Authorization: Bearer`, or the
 * dashboard's session cookie. Cookie requests that change something must also carry the
 * session's CSRF token in `x-csrf-token`; bearer requests cannot be forged by another site (a
 * browser never adds that header on its own), so they need none.
 */
export async function authenticate(
  request: FastifyRequest,
  dependencies: Pick<ManageDependencies, 'store' | 'adminToken' | 'now'>,
): Promise<Principal> {
  const authorization = request.headers.authorization;
  if (authorization !== undefined && authorization !== '') {
    return fromAdminToken(authorization, dependencies.adminToken);
  }
  const token = readCookie(request.headers.cookie, sessionCookieName);
  if (token === undefined) {
    throw new GatewayError('authentication_required', `You are not signed in. ${signInHint()}`);
  }
  const { store } = dependencies;
  const session = await findSession(store.sessions, token, dependencies.now());
  const account = session && (await store.accounts.findById(session.accountId));
  if (!session || !account || account.status !== 'active') {
    throw new GatewayError(
      'authentication_required',
      `Your session has expired or has ended. ${signInHint()}`,
    );
  }
  if (!safeMethods.has(request.method)) {
    const presented = request.headers[csrfHeaderName];
    if (typeof presented !== 'string' || !secretsEqual(presented, session.csrfToken)) {
      throw new GatewayError(
        'csrf_token_invalid',
        `This request needs the header '${csrfHeaderName}' with the csrfToken from GET /api/manage/session.`,
      );
    }
  }
  return {
    via: 'session',
    role: account.role,
    account,
    session,
    token,
    label: account.username,
  };
}
