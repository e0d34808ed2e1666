import { lazy } from 'react';
import type { Role } from '../api/api-types';
import { adminPages } from '../pages/admin/index';
import type { PageDescriptor } from './page-descriptor';

const everyone: readonly Role[] = ['admin', 'agent', 'user'];
const managers: readonly Role[] = ['admin', 'agent'];

/*
 * Every page loads as its own chunk, so the first screen downloads only the shell and the page
 * it shows (the charting library, for one, loads with the Usage page alone).
 */
const userPages: PageDescriptor[] = [
  {
    path: '/',
    title: 'Overview',
    roles: everyone,
    nav: { label: 'Overview', section: 'account' },
    component: lazy(() => import('../pages/overview-page')),
  },
];

/** Every page of the dashboard, in sidebar order. */
export const routeTable: readonly PageDescriptor[] = [...userPages, ...adminPages];

export { everyone, managers };
