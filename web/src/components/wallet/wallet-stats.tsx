import type { Wallet } from '../../api/api-types';
import { formatMoney } from '../../format/money';
import { formatRelative } from '../../format/dates';
import { StatusBadge } from '../badge';
import { Stat } from '../stat';

/** A wallet's balance, held and available amounts as stat cards. */
export function WalletStats({ wallet }: { wallet: Wallet }) {
  return (
    <section className="stat-grid" aria-label="Wallet">
      <Stat
        label="Balance"
        value={formatMoney(wallet.balance)}
        note={`Updated ${formatRelative(wallet.updatedAt)}`}
        testId="wallet-balance"
      />
      <Stat
        label="Held by requests in flight"
        value={formatMoney(wallet.held)}
        note="Released when they finish"
      />
      <Stat label="Available" value={formatMoney(wallet.available)} note="Balance minus held" />
      <Stat
        label="Wallet status"
        value={<StatusBadge status={wallet.status} />}
        note={wallet.status === 'active' ? 'Pays for requests' : 'Refuses every request (402)'}
      />
    </section>
  );
}
