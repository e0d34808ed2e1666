import { useState } from 'react';
import type { FormEvent } from 'react';
import { api } from '../api/api-client';
import type { Wallet } from '../api/api-types';
import { FormActions } from '../components/form-actions';
import { TextField } from '../components/form-field';
import { Notice } from '../components/notice';
import { PageHeader } from '../components/page-header';
import { formatMoney } from '../format/money';
import { useSubmit } from '../hooks/use-submit';
import { Link } from '../router/router';

/** Redeems a recharge code into the signed-in account's wallet. */
export default function TopUpPage() {
  const [code, setCode] = useState('');
  const [wallet, setWallet] = useState<Wallet | null>(null);
  const submission = useSubmit(['code']);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setWallet(null);
    await submission.run(async () => {
      setWallet(await api.post<Wallet>('/recharge-codes/redeem', { code: code.trim() }));
      setCode('');
    });
  };

  return (
    <>
      <PageHeader
        title="Top up"
        description="Redeem a recharge code from your agent or administrator. The credit is added at once."
      />
      <form className="card form narrow" onSubmit={(event) => void submit(event)}>
        {wallet ? (
          <Notice tone="success" title="Code redeemed">
            Your balance is now {formatMoney(wallet.balance)}. <Link to="/">See the ledger</Link>
          </Notice>
        ) : null}
        {submission.errors.form ? <Notice tone="error">{submission.errors.form}</Notice> : null}
        <TextField
          label="Recharge code"
          value={code}
          onChange={setCode}
          placeholder="SY-XXXX-XXXX-XXXX-XXXX-XXXX"
          autoComplete="off"
          spellCheck={false}
          required
          error={submission.errors.fields.code}
        />
        <FormActions submitLabel="Redeem code" busyLabel="Redeeming…" busy={submission.busy} />
      </form>
    </>
  );
}
