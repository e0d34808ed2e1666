import type { PageDescriptor } from '../../router/page-descriptor';

/** The admin-only pages (providers, deployments, audit, settings…); see web/FOUNDATION.md. */
export const adminPages: PageDescriptor[] = [];
