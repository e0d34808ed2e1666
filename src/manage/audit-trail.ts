import type { Store } from '../store/contract.js';
import type { Principal } from './principal.js';

/** One successful change, as it goes to the audit log. Views only: never secrets or hashes. */
export interface AuditChange {
  action: string;
  targetType: string;
  targetId: string | number | null;
  before: unknown;
  after: unknown;
}

/** Appends an audit event for a change the caller made. */
export async function recordChange(
  store: Store,
  principal: Principal,
  change: AuditChange,
): Promise<void> {
  await store.audit.append({
    actorAccountId: principal.account?.id ?? null,
    actorLabel: principal.label,
    action: change.action,
    targetType: change.targetType,
    targetId: change.targetId === null ? null : String(change.targetId),
    before: change.before ?? null,
    after: change.after ?? null,
  });
}
