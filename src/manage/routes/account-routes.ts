import { z } from 'zod';
import { generatePassword, hashPassword, verifyPassword } from '../../auth/passwords.js';
import { GatewayError } from '../../errors/gateway-error.js';
import type { AccountRecord } from '../../store/records.js';
import { canSee, denied, findVisibleAccount, manages, ownAccountId } from '../access.js';
import { recordChange } from '../audit-trail.js';
import { bodyId, idParams, listOf, numericId } from '../common-schemas.js';
import { limitsInput } from '../limits-input.js';
import type { ManageDependencies } from '../manage-dependencies.js';
import type { Principal } from '../principal.js';
import type { ManageRouter } from '../router.js';
import { accountView, viewAccount } from '../views/account-view.js';

const username = z
  .string()
  .regex(/^[^\s\p{Cc}]{1,64}$/u, { error: 'use 1 to 64 characters without spaces' });
const email = z
  .string()
  .max(254)
  .regex(/^[^@\s]+@[^@\s]+$/, { error: 'expected an email address' });
const password = z.string().min(12).max(1024);
const role = z.enum(['admin', 'agent', 'user']);

const listQuery = z
  .object({
    role: role.optional(),
    parentId: numericId.optional().describe('Only the users of this agent'),
  })
  .strict();

const createBody = z
  .object({
    username,
    email: email.nullish(),
    role: role.default('user').describe('Agents may create users only'),
    parentId: bodyId
      .nullish()
      .describe('The agent a user belongs to; an agent’s new users always belong to it'),
    password: password.optional().describe('Generated and returned once when left out'),
  })
  .strict();

const updateBody = z
  .object({
    email: email.nullable().optional(),
    password: password.optional().describe('A new password'),
    currentPassword: z
      .string()
      .max(1024)
      .optional()
      .describe('Required to change your own password'),
    status: z.enum(['active', 'disabled']).optional().describe('Admins only'),
    defaultLimits: limitsInput
      .optional()
      .describe(
        'Limits of every key of the account that sets none of its own; replaces the whole set, and a limit left out is the gateway’s default. Admins, or the agent of the user.',
      ),
  })
  .strict();

const createdAccountView = accountView.extend({
  password: z
    .string()
    .optional()
    .describe('The generated password, shown this once; absent when one was given'),
});

/** Where a new account goes: checks the caller may create it, and answers its parent. */
async function placeNewAccount(
  dependencies: ManageDependencies,
  principal: Principal,
  body: z.output<typeof createBody>,
): Promise<number | null> {
  if (principal.role === 'user') throw denied('Users cannot create accounts.');
  if (principal.role === 'agent') {
    if (body.role !== 'user') throw denied('Agents can create user accounts only.');
    const self = ownAccountId(principal);
    if (body.parentId != null && body.parentId !== self) {
      throw denied('Agents create users under themselves; leave parentId out.');
    }
    return self;
  }
  if (body.parentId == null) return null;
  if (body.role !== 'user') {
    throw new GatewayError('invalid_value', 'Only user accounts can belong to an agent.', {
      param: 'parentId',
    });
  }
  const parent = await dependencies.store.accounts.findById(body.parentId);
  if (parent?.role !== 'agent') {
    throw new GatewayError('invalid_value', `Account ${body.parentId} is not an agent.`, {
      param: 'parentId',
    });
  }
  return parent.id;
}

async function checkPasswordChange(
  principal: Principal,
  target: AccountRecord,
  currentPassword: string | undefined,
): Promise<void> {
  if (ownAccountId(principal) === target.id) {
    // Your own password: prove you know it, so a stolen session cannot lock you out.
    const matches =
      currentPassword !== undefined &&
      target.passwordHash !== null &&
      (await verifyPassword(currentPassword, target.passwordHash));
    if (!matches) {
      throw new GatewayError(
        'invalid_value',
        'To change your own password, send your current password as currentPassword.',
        { param: 'currentPassword' },
      );
    }
    return;
  }
  if (!manages(principal, target)) {
    throw denied('Only an admin, or the agent of this user, can reset its password.');
  }
}

/** Accounts: list, create, show, update. */
export function accountRoutes(router: ManageRouter, dependencies: ManageDependencies): void {
  const { store } = dependencies;

  router.route({
    method: 'GET',
    path: '/accounts',
    operationId: 'listAccounts',
    tag: 'accounts',
    summary: 'List accounts',
    description: 'Admins see every account, agents themselves and their users, users themselves.',
    access: 'signed_in',
    query: listQuery,
    response: listOf(accountView),
    handler: async ({ principal, query }) => {
      const accounts = (await store.accounts.list()).filter(
        (account) =>
          canSee(principal, account) &&
          (query.role === undefined || account.role === query.role) &&
          (query.parentId === undefined || account.parentId === query.parentId),
      );
      return { data: accounts.map(viewAccount) };
    },
  });

  router.route({
    method: 'POST',
    path: '/accounts',
    operationId: 'createAccount',
    tag: 'accounts',
    summary: 'Create an account',
    description: 'Admins create any account; agents create users that belong to them.',
    access: 'signed_in',
    successStatus: 201,
    body: createBody,
    response: createdAccountView,
    handler: async ({ principal, body }) => {
      const parentId = await placeNewAccount(dependencies, principal, body);
      const taken = () =>
        new GatewayError('already_exists', `An account named '${body.username}' already exists.`, {
          param: 'username',
        });
      if (await store.accounts.findByUsername(body.username)) throw taken();
      const generated = body.password === undefined ? generatePassword() : undefined;
      const passwordHash = await hashPassword(body.password ?? (generated as string));
      let account: AccountRecord;
      try {
        account = await store.accounts.create({
          username: body.username,
          email: body.email ?? null,
          role: body.role,
          parentId,
          passwordHash,
        });
      } catch (error) {
        // Two requests raced for the same name; the database's unique index picked one.
        if (await store.accounts.findByUsername(body.username)) throw taken();
        throw error;
      }
      const after = viewAccount(account);
      await recordChange(store, principal, {
        action: 'account.create',
        targetType: 'account',
        targetId: account.id,
        before: null,
        after,
      });
      return generated === undefined ? after : { ...after, password: generated };
    },
  });

  router.route({
    method: 'GET',
    path: '/accounts/:id',
    operationId: 'getAccount',
    tag: 'accounts',
    summary: 'Show an account',
    access: 'signed_in',
    params: idParams,
    response: accountView,
    handler: async ({ principal, params }) =>
      viewAccount(await findVisibleAccount(store, principal, params.id)),
  });

  router.route({
    method: 'PATCH',
    path: '/accounts/:id',
    operationId: 'updateAccount',
    tag: 'accounts',
    summary: 'Update an account',
    description:
      'Email: the account itself, its agent or an admin. Password: your own (with currentPassword), or a reset by an admin or the user’s agent. Status: admins only. Default limits: admins, or the agent of the user; never an account’s own.',
    access: 'signed_in',
    params: idParams,
    body: updateBody,
    response: accountView,
    handler: async ({ principal, params, body }) => {
      const target = await findVisibleAccount(store, principal, params.id);
      const isSelf = ownAccountId(principal) === target.id;
      if (body.email !== undefined && !isSelf && !manages(principal, target)) {
        throw denied('Only the account itself, its agent or an admin can change its email.');
      }
      if (body.status !== undefined) {
        if (principal.role !== 'admin')
          throw denied('Only an admin can enable or disable accounts.');
        if (isSelf && body.status === 'disabled') {
          throw denied('You cannot disable your own account; another admin can.');
        }
      }
      if (body.defaultLimits !== undefined && !manages(principal, target)) {
        throw denied(
          isSelf
            ? 'An account cannot set its own default limits; its agent or an admin can.'
            : 'Only an admin, or the agent of this user, can set its default limits.',
        );
      }
      if (body.password !== undefined) {
        await checkPasswordChange(principal, target, body.currentPassword);
      }
      const updated = await store.accounts.update(target.id, {
        ...(body.email !== undefined ? { email: body.email } : {}),
        ...(body.status !== undefined ? { status: body.status } : {}),
        ...(body.password !== undefined ? { passwordHash: await hashPassword(body.password) } : {}),
        ...(body.defaultLimits !== undefined ? { defaultLimits: body.defaultLimits } : {}),
      });
      if (!updated) throw new Error(`account ${target.id} vanished while being updated`);
      // Status and default limits shape every key of the account: this instance applies them
      // at once, the others within their catalog poll.
      if (body.status !== undefined || body.defaultLimits !== undefined) {
        await dependencies.catalog.refresh();
      }
      const after = viewAccount(updated);
      await recordChange(store, principal, {
        action: 'account.update',
        targetType: 'account',
        targetId: target.id,
        before: viewAccount(target),
        after: body.password === undefined ? after : { ...after, passwordChanged: true },
      });
      return after;
    },
  });
}
