import { z } from 'zod';
import type { AccountRecord } from '../../store/records.js';
import { isoTime, timestamp } from '../common-schemas.js';
import { limitsView, viewLimits } from './api-key-view.js';

/** An account as the management API shows it: never its password hash. */
export const accountView = z.object({
  id: z.number().int(),
  username: z.string(),
  email: z.string().nullable(),
  role: z.enum(['admin', 'agent', 'user']),
  parentId: z.number().int().nullable().describe('The agent a user belongs to'),
  status: z.enum(['active', 'disabled']),
  defaultLimits: limitsView.describe(
    'Limits of every key of this account that does not set its own; an absent one is the gateway’s',
  ),
  createdAt: timestamp,
});

export type AccountView = z.output<typeof accountView>;

/** The view of an account record. */
export function viewAccount(account: AccountRecord): AccountView {
  return {
    id: account.id,
    username: account.username,
    email: account.email,
    role: account.role,
    parentId: account.parentId,
    status: account.status,
    defaultLimits: viewLimits(account.defaultLimits),
    createdAt: isoTime(account.createdAt),
  };
}
