import type { Role } from '../api/api-types';
import type { NavSection, PageDescriptor } from '../router/page-descriptor';
import { Link, useLocation } from '../router/router';
import { matchPath } from '../router/match-path';

const sectionTitles: Record<NavSection, string> = {
  account: 'Your account',
  manage: 'Manage',
  admin: 'Admin',
};

const sectionOrder: readonly NavSection[] = ['account', 'manage', 'admin'];

interface NavMenuProps {
  pages: readonly PageDescriptor[];
  role: Role;
  /** Called after a link is followed, so the phone menu closes. */
  onNavigate: () => void;
}

/** The sidebar: the pages this role may open, grouped by section. */
export function NavMenu({ pages, role, onNavigate }: NavMenuProps) {
  const { pathname } = useLocation();
  const visible = pages.filter((page) => page.nav && page.roles.includes(role));
  return (
    <nav className="nav" aria-label="Main">
      {sectionOrder.map((section) => {
        const items = visible.filter((page) => page.nav?.section === section);
        if (items.length === 0) return null;
        return (
          <div key={section} className="nav-section">
            <p className="nav-section-title">{sectionTitles[section]}</p>
            <ul>
              {items.map((page) => {
                const current =
                  matchPath(page.path, pathname) !== null ||
                  (page.path !== '/' && pathname.startsWith(`${page.path}/`));
                return (
                  <li key={page.path}>
                    <Link
                      to={page.path}
                      className={`nav-link${current ? ' nav-link-current' : ''}`}
                      aria-current={current ? 'page' : undefined}
                      onClick={onNavigate}
                    >
                      {page.nav?.label}
                    </Link>
                  </li>
                );
              })}
            </ul>
          </div>
        );
      })}
    </nav>
  );
}
