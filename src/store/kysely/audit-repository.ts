import type { AuditRepository } from '../money-contract.js';
import type { Database } from './executor.js';
import { toAuditEvent } from './money-row-parsers.js';

/** The audit log over Kysely: appended to, never changed. */
export function auditRepository(database: Database, now: () => number): AuditRepository {
  return {
    async append(event) {
      await database
        .insertInto('audit_events')
        .values({
          actor_account_id: event.actorAccountId,
          actor_label: event.actorLabel,
          action: event.action,
          target_type: event.targetType,
          target_id: event.targetId,
          before_state:
            event.before === undefined || event.before === null
              ? null
              : JSON.stringify(event.before),
          after_state:
            event.after === undefined || event.after === null ? null : JSON.stringify(event.after),
          created_at: now(),
        })
        .execute();
    },
    async list(page = {}) {
      let query = database
        .selectFrom('audit_events')
        .selectAll()
        .orderBy('id', 'desc')
        .limit(page.limit ?? 100);
      if (page.beforeId !== undefined) query = query.where('id', '<', page.beforeId);
      return (await query.execute()).map(toAuditEvent);
    },
  };
}
