import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { readEarly } from './api/api-client';
import { App } from './app';
import { loadPage } from './router/page-loader';
import { routeTable } from './router/route-table';
import { matchPath } from './router/match-path';
import { mayBeSignedIn } from './session/signed-in-flag';
import { applyInitialTheme } from './theme/theme';
import './styles/app.css';

applyInitialTheme();

// The session check, the page being opened and its first data all start now, side by side,
// before React's first render, rather than one after another.
const opening = routeTable.find((page) => matchPath(page.path, window.location.pathname) !== null);
if (opening) loadPage(opening.load).catch(() => undefined);
if (mayBeSignedIn()) {
  readEarly('/session');
  opening?.preload?.(new URLSearchParams(window.location.search));
}

const container = document.getElementById('root');
if (container) {
  createRoot(container).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
