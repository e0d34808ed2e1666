import { api } from '../api/api-client';
import type { Wallet } from '../api/api-types';
import { Loading } from '../components/loading';
import { ErrorNotice, Notice } from '../components/notice';
import { PageHeader } from '../components/page-header';
import { LedgerTable } from '../components/wallet/ledger-table';
import { WalletStats } from '../components/wallet/wallet-stats';
import { useResource } from '../hooks/use-resource';
import { Link } from '../router/router';
import { useSession } from '../session/session-context';

/** The signed-in home page: the own wallet and its ledger. */
export default function OverviewPage() {
  const session = useSession();
  const accountId = session.accountId;
  const wallet = useResource(
    () =>
      accountId === null
        ? Promise.resolve(undefined)
        : api.get<Wallet>(`/accounts/${accountId}/wallet`),
    [accountId],
  );

  if (accountId === null) {
    return (
      <>
        <PageHeader title="Overview" />
        <Notice tone="info">
          You are signed in with the admin token, which has no wallet. Open{' '}
          <Link to="/accounts">Accounts</Link> to see theirs.
        </Notice>
      </>
    );
  }

  return (
    <>
      <PageHeader
        title="Overview"
        description="Your prepaid wallet. Every request is paid from it; each charge is in the ledger."
        actions={
          <>
            <Link to="/top-up" className="button button-primary">
              Top up
            </Link>
            <Link to="/keys" className="button">
              API keys
            </Link>
          </>
        }
      />
      {wallet.error ? <ErrorNotice error={wallet.error} onRetry={wallet.reload} /> : null}
      {wallet.data ? <WalletStats wallet={wallet.data} /> : wallet.loading ? <Loading /> : null}
      {wallet.data?.status === 'suspended' ? (
        <Notice tone="warning" title="Your wallet is suspended">
          Requests are refused with 402 until your agent or an admin resumes it.
        </Notice>
      ) : null}
      <section className="stack" aria-labelledby="ledger-title">
        <h2 id="ledger-title">Ledger</h2>
        <LedgerTable accountId={accountId} />
      </section>
    </>
  );
}
