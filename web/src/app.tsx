import { AppShell } from './components/app-shell';
import { Loading } from './components/loading';
import { ToastProvider } from './components/toast';
import { LoginPage } from './pages/login-page';
import { RouterProvider } from './router/router';
import { SessionProvider, useSessionControl } from './session/session-context';
import { ThemeProvider } from './theme/theme';

function SessionGate() {
  const { state } = useSessionControl();
  if (state.status === 'loading') return <Loading label="Loading Switchyard…" />;
  // Signed out on any path: the sign-in page shows there, and after signing in the same page
  // opens, so a bookmarked /usage still lands on /usage.
  if (state.status === 'signed_out') return <LoginPage reason={state.reason} />;
  return <AppShell />;
}

/** The dashboard: theme, routing, session and toasts around the signed-in shell. */
export function App() {
  return (
    <ThemeProvider>
      <RouterProvider>
        <SessionProvider>
          <ToastProvider>
            <SessionGate />
          </ToastProvider>
        </SessionProvider>
      </RouterProvider>
    </ThemeProvider>
  );
}
