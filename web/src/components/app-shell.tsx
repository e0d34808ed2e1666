import { useEffect, useState } from 'react';
import { Link, useLocation } from '../router/router';
import { prefetchPages, usePageComponent } from '../router/page-loader';
import { resolvePage } from '../router/resolve-page';
import { routeTable } from '../router/route-table';
import { useSession, useSessionControl } from '../session/session-context';
import { EmptyState } from './empty-state';
import { Loading } from './loading';
import { NavMenu } from './nav-menu';
import { ThemeToggle } from './theme-toggle';

/** The signed-in frame: top bar, sidebar (a drawer on phones) and the current page. */
export function AppShell() {
  const session = useSession();
  const { signOut } = useSessionControl();
  const { pathname } = useLocation();
  const [menuOpen, setMenuOpen] = useState(false);
  const resolution = resolvePage(routeTable, pathname, session.role);
  const title = resolution.kind === 'page' ? resolution.page.title : 'Not found';
  const page = usePageComponent(resolution.kind === 'page' ? resolution.page.load : undefined);

  useEffect(() => {
    prefetchPages(
      routeTable.filter((entry) => entry.roles.includes(session.role)).map((entry) => entry.load),
    );
  }, [session.role]);

  useEffect(() => {
    document.title = `${title} · Switchyard`;
  }, [title]);

  return (
    <div className={`shell${menuOpen ? ' shell-menu-open' : ''}`}>
      <header className="topbar">
        <button
          type="button"
          className="button button-ghost menu-button"
          aria-expanded={menuOpen}
          aria-controls="sidebar"
          onClick={() => setMenuOpen((open) => !open)}
        >
          {menuOpen ? 'Close menu' : 'Menu'}
        </button>
        <Link to="/" className="brand">
          Switchyard
        </Link>
        <div className="topbar-end">
          <ThemeToggle />
          <span
            className="whoami"
            title={`Signed in as ${session.account?.username ?? 'admin token'}`}
          >
            <span className="whoami-name">{session.account?.username ?? 'admin token'}</span>
            <span className="badge badge-neutral">{session.role}</span>
          </span>
          <button
            type="button"
            className="button button-ghost button-small"
            onClick={() => void signOut()}
          >
            Sign out
          </button>
        </div>
      </header>
      <aside id="sidebar" className="sidebar">
        <NavMenu pages={routeTable} role={session.role} onNavigate={() => setMenuOpen(false)} />
      </aside>
      <main className="content" id="main">
        {resolution.kind === 'page' ? (
          page.component ? (
            <page.component key={pathname} params={resolution.params} />
          ) : page.failed ? (
            <EmptyState title="This page could not be loaded">
              The dashboard may have been updated. <a href={pathname}>Reload the page</a>.
            </EmptyState>
          ) : (
            <Loading />
          )
        ) : resolution.kind === 'forbidden' ? (
          <EmptyState title="This page is not available to your role">
            <Link to="/">Go to the overview</Link>
          </EmptyState>
        ) : (
          <EmptyState title="There is no page here">
            <Link to="/">Go to the overview</Link>
          </EmptyState>
        )}
      </main>
    </div>
  );
}
