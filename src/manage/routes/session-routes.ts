import { z } from 'zod';
import { verifyPassword } from '../../auth/passwords.js';
import { createSession, endSession, sessionLifetimeMilliseconds } from '../../auth/sessions.js';
import { GatewayError } from '../../errors/gateway-error.js';
import { recordChange } from '../audit-trail.js';
import { isoTime, timestamp } from '../common-schemas.js';
import { clearedSessionCookie, sessionCookie } from '../cookies.js';
import type { ManageDependencies } from '../manage-dependencies.js';
import type { Principal } from '../principal.js';
import type { ManageRouter } from '../router.js';
import { accountView, viewAccount } from '../views/account-view.js';

/**
 * A hash of a random password with the same cost parameters as real ones. An unknown username is
 * checked against it, so the answer takes as long as for a known one and does not reveal which
 * usernames exist.
 */
const decoyPasswordHash =
  'scrypt$131072$8$1$6gap2YlkvxVw7MkW0i5wwA==$y4HutBoHCW/ZnnTCvDhE4HZQZKqoAEqwGazDo/yymTI=';

const signInBody = z
  .object({
    username: z.string().min(1).max(64),
    password: z.string().min(1).max(1024),
  })
  .strict();

const sessionView = z.object({
  account: accountView.nullable().describe('Null for the admin token, which has no account'),
  role: z.enum(['admin', 'agent', 'user']),
  authenticatedBy: z.enum(['session', 'admin_token']),
  csrfToken: z
    .string()
    .nullable()
    .describe('Send it as x-csrf-token on every cookie request that changes something'),
  expiresAt: timestamp.nullable(),
});

function view(principal: Principal): z.output<typeof sessionView> {
  if (principal.via === 'admin_token') {
    return {
      account: null,
      role: 'admin',
      authenticatedBy: 'admin_token',
      csrfToken: null,
      expiresAt: null,
    };
  }
  return {
    account: viewAccount(principal.account),
    role: principal.role,
    authenticatedBy: 'session',
    csrfToken: principal.session.csrfToken,
    expiresAt: isoTime(principal.session.expiresAt),
  };
}

/** Signing in and out of the dashboard. */
export function sessionRoutes(router: ManageRouter, dependencies: ManageDependencies): void {
  const { store } = dependencies;

  router.publicRoute({
    method: 'POST',
    path: '/session',
    operationId: 'signIn',
    tag: 'session',
    summary: 'Sign in',
    description:
      'Checks the username and password and sets the HttpOnly session cookie `switchyard_session` (7 days). Failed sign-ins are throttled per username and per client address (5 and 20 failures, then a lock of 30 s that doubles up to 15 min); the counters live in each instance’s memory, so with several instances each counts on its own.',
    body: signInBody,
    response: sessionView,
    handler: async ({ body, request, reply }) => {
      const attempt = dependencies.loginThrottle.begin(body.username, request.ip);
      const account = await store.accounts.findByUsername(body.username);
      const hash = account?.passwordHash ?? decoyPasswordHash;
      const matches = (await verifyPassword(body.password, hash)) && account?.passwordHash != null;
      if (!account || !matches) {
        throw new GatewayError('invalid_credentials', 'The username or password is wrong.');
      }
      dependencies.loginThrottle.succeeded(attempt);
      if (account.status !== 'active') {
        throw new GatewayError(
          'invalid_credentials',
          'This account is disabled. Ask your admin or agent to enable it.',
        );
      }
      const now = dependencies.now();
      // Housekeeping rides along with sign-ins: cheap, and no timer to run.
      await store.sessions.deleteExpired(now);
      const { token, record } = await createSession(store.sessions, account.id, now);
      const principal: Principal = {
        via: 'session',
        role: account.role,
        account,
        session: record,
        token,
        label: account.username,
      };
      await recordChange(store, principal, {
        action: 'session.sign_in',
        targetType: 'account',
        targetId: account.id,
        before: null,
        after: { address: request.ip },
      });
      void reply.header(
        'set-cookie',
        sessionCookie(token, {
          secure: request.protocol === 'https',
          maxAgeSeconds: sessionLifetimeMilliseconds / 1000,
        }),
      );
      return view(principal);
    },
  });

  router.route({
    method: 'GET',
    path: '/session',
    operationId: 'getSession',
    tag: 'session',
    summary: 'Show who is signed in',
    description: 'The signed-in account and its CSRF token; for the admin token, role admin.',
    access: 'signed_in',
    response: sessionView,
    handler: async ({ principal }) => view(principal),
  });

  router.route({
    method: 'DELETE',
    path: '/session',
    operationId: 'signOut',
    tag: 'session',
    summary: 'Sign out',
    description: 'Ends the session and clears its cookie; a no-op for the admin token.',
    access: 'signed_in',
    successStatus: 204,
    handler: async ({ principal, request, reply }) => {
      if (principal.via !== 'session') return;
      await endSession(store.sessions, principal.token);
      await recordChange(store, principal, {
        action: 'session.sign_out',
        targetType: 'account',
        targetId: principal.account.id,
        before: null,
        after: null,
      });
      void reply.header(
        'set-cookie',
        clearedSessionCookie({ secure: request.protocol === 'https' }),
      );
    },
  });
}
