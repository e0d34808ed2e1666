import { useState } from 'react';
import type { FormEvent } from 'react';
import { api } from '../../api/api-client';
import type { Wallet } from '../../api/api-types';
import { formatMoney, parseAmountInput } from '../../format/money';
import { useSubmit } from '../../hooks/use-submit';
import { TextField } from '../form-field';
import { FormActions } from '../form-actions';
import { Modal } from '../modal';
import { Notice } from '../notice';

export type MoneyMove = 'topup' | 'adjust' | 'transfer';

const texts: Record<
  MoneyMove,
  {
    title: string;
    button: string;
    hint: string;
    done: (amount: string, username: string) => string;
  }
> = {
  topup: {
    title: 'Top up wallet',
    button: 'Top up',
    hint: 'Adds credit to this wallet. Recorded in its ledger and the audit log.',
    done: (amount, username) => `Added ${amount} to the wallet of ${username}.`,
  },
  adjust: {
    title: 'Adjust wallet',
    button: 'Apply adjustment',
    hint: 'A correction: positive credits, negative (like -3.50) debits. A reason is required.',
    done: (amount, username) => `Adjusted the wallet of ${username} by ${amount}.`,
  },
  transfer: {
    title: 'Transfer credit',
    button: 'Transfer',
    hint: 'Moves credit from your own wallet into this one, at once.',
    done: (amount, username) => `Transferred ${amount} to ${username}.`,
  },
};

interface MoneyMoveDialogProps {
  move: MoneyMove;
  accountId: number;
  username: string;
  onDone: (message: string) => void;
  onClose: () => void;
}

/** Top-up (admin), adjustment (admin) or transfer from the caller's wallet (agent). */
export function MoneyMoveDialog({
  move,
  accountId,
  username,
  onDone,
  onClose,
}: MoneyMoveDialogProps) {
  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState('');
  const submission = useSubmit(['amount', 'reason']);
  const text = texts[move];

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const parsed = parseAmountInput(amount, { allowNegative: move === 'adjust' });
    if (!parsed.ok) {
      submission.setErrors({ fields: { amount: parsed.message }, form: null });
      return;
    }
    const trimmedReason = reason.trim();
    if (move === 'adjust' && trimmedReason === '') {
      submission.setErrors({
        fields: { reason: 'Say why, for the ledger and audit log.' },
        form: null,
      });
      return;
    }
    const succeeded = await submission.run(async () => {
      await api.post<Wallet | { from: Wallet; to: Wallet }>(
        `/accounts/${accountId}/wallet/${move}`,
        {
          amount: parsed.amount,
          ...(trimmedReason ? { reason: trimmedReason } : {}),
        },
      );
    });
    if (succeeded) onDone(text.done(formatMoney(parsed.amount), username));
  };

  return (
    <Modal title={`${text.title} of ${username}`} onClose={onClose}>
      <form className="form" onSubmit={(event) => void submit(event)}>
        <p className="muted">{text.hint}</p>
        {submission.errors.form ? <Notice tone="error">{submission.errors.form}</Notice> : null}
        <TextField
          label="Amount"
          value={amount}
          onChange={setAmount}
          inputMode="decimal"
          placeholder={move === 'adjust' ? '-3.50' : '10.00'}
          autoFocus
          required
          error={submission.errors.fields.amount}
        />
        <TextField
          label={move === 'adjust' ? 'Reason' : 'Reason (optional)'}
          value={reason}
          onChange={setReason}
          maxLength={500}
          error={submission.errors.fields.reason}
        />
        <FormActions
          submitLabel={text.button}
          busyLabel="Working…"
          busy={submission.busy}
          onCancel={onClose}
        />
      </form>
    </Modal>
  );
}
