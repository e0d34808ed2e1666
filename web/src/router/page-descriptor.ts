import type { ComponentType, LazyExoticComponent } from 'react';
import type { Role } from '../api/api-types';
import type { RouteParams } from './match-path';

/** What every page component receives. */
export interface PageProps {
  /** The route's `:name` segments. */
  params: RouteParams;
}

export type PageComponent =
  ComponentType<PageProps> | LazyExoticComponent<ComponentType<PageProps>>;

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
  component: PageComponent;
}
