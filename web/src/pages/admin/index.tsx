import type { Role } from '../../api/api-types';
import type { PageDescriptor } from '../../router/page-descriptor';

const admins: readonly Role[] = ['admin'];

/** The admin-only pages, in sidebar order; see web/FOUNDATION.md. */
export const adminPages: PageDescriptor[] = [
  {
    path: '/admin/providers',
    title: 'Providers',
    roles: admins,
    nav: { label: 'Providers', section: 'admin' },
    load: () => import('./providers-page'),
  },
  {
    path: '/admin/deployments',
    title: 'Deployments & health',
    roles: admins,
    nav: { label: 'Deployments & health', section: 'admin' },
    load: () => import('./deployments-page'),
  },
  {
    path: '/admin/models',
    title: 'Model catalog',
    roles: admins,
    nav: { label: 'Model catalog', section: 'admin' },
    load: () => import('./models-page'),
  },
  {
    path: '/admin/audit',
    title: 'Audit log',
    roles: admins,
    nav: { label: 'Audit log', section: 'admin' },
    load: () => import('./audit-page'),
  },
  {
    path: '/admin/settings',
    title: 'Settings',
    roles: admins,
    nav: { label: 'Settings', section: 'admin' },
    load: () => import('./settings-page'),
  },
];
