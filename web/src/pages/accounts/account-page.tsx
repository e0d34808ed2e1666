import { useState } from 'react';
import { api } from '../../api/api-client';
import type { Account, Wallet } from '../../api/api-types';
import { StatusBadge } from '../../components/badge';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { Loading } from '../../components/loading';
import { ErrorNotice } from '../../components/notice';
import { PageHeader } from '../../components/page-header';
import { useToast } from '../../components/toast';
import { LedgerTable } from '../../components/wallet/ledger-table';
import { MoneyMoveDialog, type MoneyMove } from '../../components/wallet/money-move-dialog';
import { WalletStats } from '../../components/wallet/wallet-stats';
import { formatDate } from '../../format/dates';
import { useResource } from '../../hooks/use-resource';
import type { PageProps } from '../../router/page-descriptor';
import { Link } from '../../router/router';
import { manages } from '../../session/permissions';
import { useSession } from '../../session/session-context';
import { ResetPasswordDialog } from './reset-password-dialog';

type Dialog =
  | { kind: 'money'; move: MoneyMove }
  | { kind: 'wallet-status' }
  | { kind: 'account-status' }
  | { kind: 'password' }
  | null;

/** One account: its wallet and ledger, and what the caller may do to it. */
export default function AccountPage({ params }: PageProps) {
  const accountId = Number(params.id);
  const session = useSession();
  const toast = useToast();
  const [dialog, setDialog] = useState<Dialog>(null);
  const [version, setVersion] = useState(0);
  const account = useResource(
    () => api.get<Account>(`/accounts/${accountId}`),
    [accountId, version],
  );
  const wallet = useResource(
    () => api.get<Wallet>(`/accounts/${accountId}/wallet`),
    [accountId, version],
  );

  if (account.error) return <ErrorNotice error={account.error} onRetry={account.reload} />;
  if (!account.data) return <Loading />;
  const target = account.data;
  const isSelf = target.id === session.accountId;
  const managed = manages(session, target) && !isSelf;
  const changed = (message: string) => {
    setDialog(null);
    setVersion((value) => value + 1);
    toast(message);
  };
  const walletSuspended = wallet.data?.status === 'suspended';

  return (
    <>
      <PageHeader
        title={target.username}
        description={
          <span className="row">
            <span>{target.role}</span>
            <StatusBadge status={target.status} />
            <span>since {formatDate(target.createdAt)}</span>
            {target.email ? <span>· {target.email}</span> : null}
          </span>
        }
        actions={
          managed ? (
            <>
              {session.role === 'admin' ? (
                <>
                  <button
                    type="button"
                    className="button button-primary"
                    onClick={() => setDialog({ kind: 'money', move: 'topup' })}
                  >
                    Top up
                  </button>
                  <button
                    type="button"
                    className="button"
                    onClick={() => setDialog({ kind: 'money', move: 'adjust' })}
                  >
                    Adjust
                  </button>
                </>
              ) : (
                <button
                  type="button"
                  className="button button-primary"
                  onClick={() => setDialog({ kind: 'money', move: 'transfer' })}
                >
                  Transfer credit
                </button>
              )}
              <button
                type="button"
                className="button"
                onClick={() => setDialog({ kind: 'wallet-status' })}
              >
                {walletSuspended ? 'Resume wallet' : 'Suspend wallet'}
              </button>
              {session.role === 'admin' ? (
                <button
                  type="button"
                  className="button"
                  onClick={() => setDialog({ kind: 'account-status' })}
                >
                  {target.status === 'active' ? 'Disable account' : 'Enable account'}
                </button>
              ) : null}
              <button
                type="button"
                className="button"
                onClick={() => setDialog({ kind: 'password' })}
              >
                Reset password
              </button>
            </>
          ) : undefined
        }
      />
      <nav className="row" aria-label="About this account">
        <Link to={`/keys?account=${target.id}`}>API keys</Link>
        <span className="muted">·</span>
        <Link to={`/usage?account=${target.id}`}>Usage</Link>
        <span className="muted">·</span>
        <Link to={`/requests?account=${target.id}`}>Request log</Link>
      </nav>
      {wallet.error ? <ErrorNotice error={wallet.error} onRetry={wallet.reload} /> : null}
      {wallet.data ? <WalletStats wallet={wallet.data} /> : wallet.loading ? <Loading /> : null}
      <section className="stack" aria-labelledby="ledger-title">
        <h2 id="ledger-title">Ledger</h2>
        <LedgerTable accountId={target.id} version={version} />
      </section>
      {dialog?.kind === 'money' ? (
        <MoneyMoveDialog
          move={dialog.move}
          accountId={target.id}
          username={target.username}
          onClose={() => setDialog(null)}
          onDone={changed}
        />
      ) : null}
      {dialog?.kind === 'wallet-status' ? (
        <ConfirmDialog
          title={
            walletSuspended
              ? `Resume the wallet of ${target.username}?`
              : `Suspend the wallet of ${target.username}?`
          }
          confirmLabel={walletSuspended ? 'Resume wallet' : 'Suspend wallet'}
          danger={!walletSuspended}
          onClose={() => setDialog(null)}
          onConfirm={async () => {
            await api.post<Wallet>(
              `/accounts/${target.id}/wallet/${walletSuspended ? 'resume' : 'suspend'}`,
            );
            changed(walletSuspended ? 'Wallet resumed.' : 'Wallet suspended.');
          }}
        >
          <p>
            {walletSuspended
              ? 'Its keys can pay for requests again from the next request on.'
              : 'Every request of its keys is refused with 402 until you resume it. Its credit stays.'}
          </p>
        </ConfirmDialog>
      ) : null}
      {dialog?.kind === 'account-status' ? (
        <ConfirmDialog
          title={
            target.status === 'active'
              ? `Disable ${target.username}?`
              : `Enable ${target.username}?`
          }
          confirmLabel={target.status === 'active' ? 'Disable account' : 'Enable account'}
          danger={target.status === 'active'}
          onClose={() => setDialog(null)}
          onConfirm={async () => {
            const status = target.status === 'active' ? 'disabled' : 'active';
            await api.patch<Account>(`/accounts/${target.id}`, { status });
            changed(status === 'disabled' ? 'Account disabled.' : 'Account enabled.');
          }}
        >
          <p>
            {target.status === 'active'
              ? 'It can no longer sign in, and its keys stop working.'
              : 'It can sign in and use its keys again.'}
          </p>
        </ConfirmDialog>
      ) : null}
      {dialog?.kind === 'password' ? (
        <ResetPasswordDialog account={target} onClose={() => setDialog(null)} />
      ) : null}
    </>
  );
}
