import type { Role } from '../api/api-types';
import { adminPages } from '../pages/admin/index';
import { preloadRequestLog } from '../pages/requests/request-log-queries';
import { preloadUsage } from '../pages/usage/usage-queries';
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
    load: () => import('../pages/overview-page'),
  },
  {
    path: '/top-up',
    title: 'Top up',
    roles: everyone,
    nav: { label: 'Top up', section: 'account' },
    load: () => import('../pages/top-up-page'),
  },
  {
    path: '/keys',
    title: 'API keys',
    roles: everyone,
    nav: { label: 'API keys', section: 'account' },
    load: () => import('../pages/keys/keys-page'),
  },
  {
    path: '/usage',
    title: 'Usage',
    roles: everyone,
    nav: { label: 'Usage', section: 'account' },
    load: () => import('../pages/usage/usage-page'),
    preload: preloadUsage,
  },
  {
    path: '/requests',
    title: 'Request log',
    roles: everyone,
    nav: { label: 'Request log', section: 'account' },
    load: () => import('../pages/requests/request-log-page'),
    preload: preloadRequestLog,
  },
  {
    path: '/requests/:requestId',
    title: 'Request',
    roles: everyone,
    load: () => import('../pages/requests/request-page'),
  },
  {
    path: '/models',
    title: 'Models and prices',
    roles: everyone,
    nav: { label: 'Models and prices', section: 'account' },
    load: () => import('../pages/models-page'),
  },
  {
    path: '/api-docs',
    title: 'API',
    roles: everyone,
    nav: { label: 'API', section: 'account' },
    load: () => import('../pages/api-docs/api-page'),
  },
  {
    path: '/accounts',
    title: 'Accounts',
    roles: managers,
    nav: { label: 'Accounts', section: 'manage' },
    load: () => import('../pages/accounts/accounts-page'),
  },
  {
    path: '/accounts/:id',
    title: 'Account',
    roles: managers,
    load: () => import('../pages/accounts/account-page'),
  },
  {
    path: '/recharge-codes',
    title: 'Recharge codes',
    roles: managers,
    nav: { label: 'Recharge codes', section: 'manage' },
    load: () => import('../pages/recharge-codes/recharge-codes-page'),
  },
];

/** Every page of the dashboard, in sidebar order. */
export const routeTable: readonly PageDescriptor[] = [...userPages, ...adminPages];

export { everyone, managers };
