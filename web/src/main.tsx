import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import { loadPage } from './router/page-loader';
import { routeTable } from './router/route-table';
import { matchPath } from './router/match-path';
import { applyInitialTheme } from './theme/theme';
import './styles/app.css';

applyInitialTheme();

// The page being opened downloads now, beside the session check, not after it.
const opening = routeTable.find((page) => matchPath(page.path, window.location.pathname) !== null);
if (opening) loadPage(opening.load).catch(() => undefined);

const container = document.getElementById('root');
if (container) {
  createRoot(container).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
