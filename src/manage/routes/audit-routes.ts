import { z } from 'zod';
import { limitQuery, numericId, pageOf } from '../common-schemas.js';
import type { ManageDependencies } from '../manage-dependencies.js';
import type { ManageRouter } from '../router.js';
import { auditEventView, viewAuditEvent } from '../views/usage-view.js';

const auditQuery = z
  .object({
    limit: limitQuery(200, 50),
    cursor: numericId.optional().describe('nextCursor of the previous page'),
  })
  .strict();

/** The audit log: every change made through the management API. */
export function auditRoutes(router: ManageRouter, dependencies: ManageDependencies): void {
  router.route({
    method: 'GET',
    path: '/audit',
    operationId: 'listAuditEvents',
    tag: 'audit',
    summary: 'List audit events',
    description: 'Newest first: who changed what, with before and after (never secrets).',
    access: 'admin',
    query: auditQuery,
    response: pageOf(auditEventView),
    handler: async ({ query }) => {
      const events = await dependencies.store.audit.list({
        limit: query.limit,
        ...(query.cursor === undefined ? {} : { beforeId: query.cursor }),
      });
      const last = events.at(-1);
      return {
        data: events.map(viewAuditEvent),
        nextCursor: events.length === query.limit && last ? String(last.id) : null,
      };
    },
  });
}
