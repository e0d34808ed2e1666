import type { ComponentType } from 'react';
import type { Role } from '../api/api-types';
import type { RouteParams } from './match-path';

/** What every page component receives. */
export interface PageProps {
  /** The route's `:name` segments. */
  params: RouteParams;
}

export type PageComponent = ComponentType<PageProps>;

/** Loads a page's chunk; see page-loader.ts for why this is not React.lazy. */
export type PageModuleLoader = () => Promise<{ default: PageComponent }>;

/** The navigation groups, in the order the sidebar shows them. */
export type NavSection = 'account' | 'manage' | 'admin';

/** One page of the dashboard: where it lives, who may see it, and how it appears in the nav. */
export interface PageDescriptor {
  /** `/keys`, or with parameters `/accounts/:id`. */
  path: string;
  /** The browser tab's title. */
  title: string;
  roles: readonly Role[];
  /** Shown in the sidebar when set; pages reached from other pages leave it out. */
  nav?: { label: string; section: NavSection };
  load: PageModuleLoader;
  /**
   * Starts the page's first reads (api-client's readEarly) when the app opens on this page, so
   * they run beside the session check and the chunk download instead of after both. Given the
   * URL's query; must ask for exactly what the page will, or the answers go unused.
   */
  preload?: (search: URLSearchParams) => void;
}
