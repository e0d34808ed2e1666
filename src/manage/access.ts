import { GatewayError } from '../errors/gateway-error.js';
import type { Store } from '../store/contract.js';
import type { AccountRecord } from '../store/records.js';
import type { Principal } from './principal.js';

/**
 * The role rules of the management API, in one place:
 * - admin (token or account) sees and does everything;
 * - an agent sees itself and the users whose parent it is, and manages those users;
 * - a user sees only itself.
 * Anything outside what a caller can see answers 404, exactly as if it did not exist; what it can
 * see but may not do answers 403.
 */

/** The caller's own account id; null for the admin token, which has no account. */
export function ownAccountId(principal: Principal): number | null {
  return principal.account?.id ?? null;
}

/** Whether the caller may see an account (and its wallet, keys and usage). */
export function canSee(principal: Principal, account: AccountRecord): boolean {
  if (principal.role === 'admin') return true;
  const self = principal.account;
  if (!self) return false;
  if (account.id === self.id) return true;
  return principal.role === 'agent' && account.parentId === self.id;
}

/** Whether the caller administers an account: admins all, an agent its own users. */
export function manages(principal: Principal, account: AccountRecord): boolean {
  if (principal.role === 'admin') return true;
  return principal.role === 'agent' && account.parentId === principal.account?.id;
}

/** The 404 for something that does not exist or that the caller cannot see: the same answer. */
export function notFound(what: string, id: string | number): GatewayError {
  return new GatewayError('resource_not_found', `There is no ${what} ${id} that you can see.`);
}

/** The 403 for something the caller can see but may not do. */
export function denied(message: string): GatewayError {
  return new GatewayError('permission_denied', message);
}

/** Loads an account the caller can see, or throws the 404. */
export async function findVisibleAccount(
  store: Store,
  principal: Principal,
  id: number,
): Promise<AccountRecord> {
  const account = await store.accounts.findById(id);
  if (!account || !canSee(principal, account)) throw notFound('account', id);
  return account;
}

/** Every account the caller can see; undefined means all of them (an admin). */
export async function visibleAccountIds(
  store: Store,
  principal: Principal,
): Promise<readonly number[] | undefined> {
  if (principal.role === 'admin') return undefined;
  const self = principal.account;
  if (!self) return [];
  if (principal.role === 'user') return [self.id];
  const children = await store.accounts.listChildren(self.id);
  return [self.id, ...children.map((child) => child.id)];
}
