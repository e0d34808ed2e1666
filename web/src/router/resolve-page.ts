import type { Role } from '../api/api-types';
import { matchPath, type RouteParams } from './match-path';
import type { PageDescriptor } from './page-descriptor';

export type Resolution =
  | { kind: 'page'; page: PageDescriptor; params: RouteParams }
  | { kind: 'forbidden'; page: PageDescriptor }
  | { kind: 'not_found' };

/** The page a path shows to a role: the first match in the table that the role may see. */
export function resolvePage(
  table: readonly PageDescriptor[],
  pathname: string,
  role: Role,
): Resolution {
  let forbidden: PageDescriptor | null = null;
  for (const page of table) {
    const params = matchPath(page.path, pathname);
    if (params === null) continue;
    if (page.roles.includes(role)) return { kind: 'page', page, params };
    forbidden ??= page;
  }
  return forbidden ? { kind: 'forbidden', page: forbidden } : { kind: 'not_found' };
}
