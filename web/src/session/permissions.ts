import type { Account, Role } from '../api/api-types';

interface Caller {
  role: Role;
  accountId: number | null;
}

/**
 * Whether the caller administers an account (mirrors the API's rule: admins every account, an
 * agent its own users). Used to hide buttons the API would refuse; the API still decides.
 */
export function manages(caller: Caller, account: Account): boolean {
  if (caller.role === 'admin') return true;
  return caller.role === 'agent' && account.parentId === caller.accountId;
}

/** The roles the caller may give a new account: admins any, agents users only. */
export function creatableRoles(role: Role): readonly Role[] {
  if (role === 'admin') return ['user', 'agent', 'admin'];
  if (role === 'agent') return ['user'];
  return [];
}
