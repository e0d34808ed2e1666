import { useCallback } from 'react';
import { useLocation, useNavigate, useSearchParams } from '../router/router';
import { accountScopeFrom } from './account-scope';

/**
 * Whose data a page shows, kept in the URL (`?account=7`) so it survives a reload and can be
 * linked to from an account's page. null means the page's default scope.
 */
export function useAccountScope(): [number | null, (accountId: number | null) => void] {
  const search = useSearchParams();
  const { pathname } = useLocation();
  const navigate = useNavigate();
  const accountId = accountScopeFrom(search);

  const setAccountId = useCallback(
    (next: number | null) => {
      const parameters = new URLSearchParams(window.location.search);
      if (next === null) parameters.delete('account');
      else parameters.set('account', String(next));
      const query = parameters.toString();
      navigate(`${pathname}${query ? `?${query}` : ''}`, { replace: true });
    },
    [navigate, pathname],
  );

  return [accountId, setAccountId];
}
