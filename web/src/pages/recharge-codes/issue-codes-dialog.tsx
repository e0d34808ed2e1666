import { useState } from 'react';
import type { FormEvent } from 'react';
import { api } from '../../api/api-client';
import type { IssuedRechargeCodes } from '../../api/api-types';
import { CodeBlock } from '../../components/code-block';
import { TextField } from '../../components/form-field';
import { FormActions } from '../../components/form-actions';
import { Modal } from '../../components/modal';
import { Notice } from '../../components/notice';
import { downloadText } from '../../format/csv';
import { parseAmountInput } from '../../format/money';
import { useSubmit } from '../../hooks/use-submit';
import { useSession } from '../../session/session-context';

function inDays(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

/** Issues a batch of codes; they are shown (and downloadable as CSV) only here. */
export function IssueCodesDialog({
  onIssued,
  onClose,
}: {
  onIssued: () => void;
  onClose: () => void;
}) {
  const session = useSession();
  const [amount, setAmount] = useState('');
  const [count, setCount] = useState('10');
  const [expiresOn, setExpiresOn] = useState(() => inDays(90));
  const [issued, setIssued] = useState<IssuedRechargeCodes | null>(null);
  const submission = useSubmit(['amount', 'count', 'expiresAt']);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const parsed = parseAmountInput(amount);
    if (!parsed.ok) {
      submission.setErrors({ fields: { amount: parsed.message }, form: null });
      return;
    }
    if (!/^\d+$/.test(count) || Number(count) < 1 || Number(count) > 1000) {
      submission.setErrors({
        fields: { count: 'Issue between 1 and 1000 codes at once.' },
        form: null,
      });
      return;
    }
    await submission.run(async () => {
      const batch = await api.post<IssuedRechargeCodes>('/recharge-codes', {
        amount: parsed.amount,
        count: Number(count),
        expiresAt: new Date(`${expiresOn}T23:59:59`).toISOString(),
      });
      setIssued(batch);
      onIssued();
    });
  };

  if (issued) {
    const codes = issued.codes.map((code) => code.code).join('\n');
    return (
      <Modal title={`${issued.codes.length} codes issued`} onClose={onClose} wide>
        <Notice tone="warning" title="Save the codes now">
          They are shown this once; afterwards only their first characters are listed. Download the
          CSV or copy them.
        </Notice>
        <div className="row">
          <button
            type="button"
            className="button button-primary"
            onClick={() => downloadText(`recharge-codes-${issued.batchId}.csv`, issued.csv)}
          >
            Download CSV
          </button>
        </div>
        <CodeBlock label="recharge codes" code={codes} />
        <div className="row form-actions">
          <button type="button" className="button" onClick={onClose}>
            Done
          </button>
        </div>
      </Modal>
    );
  }

  return (
    <Modal title="Issue recharge codes" onClose={onClose}>
      <form className="form" onSubmit={(event) => void submit(event)}>
        <p className="muted">
          {session.role === 'agent'
            ? 'Your wallet pays for the whole batch now (amount × count); each code then credits whoever redeems it.'
            : 'Each code adds its amount to the wallet of whoever redeems it.'}
        </p>
        {submission.errors.form ? <Notice tone="error">{submission.errors.form}</Notice> : null}
        <div className="form-grid">
          <TextField
            label="Amount per code"
            value={amount}
            onChange={setAmount}
            inputMode="decimal"
            placeholder="10.00"
            autoFocus
            required
            error={submission.errors.fields.amount}
          />
          <TextField
            label="Number of codes"
            type="number"
            min={1}
            max={1000}
            value={count}
            onChange={setCount}
            required
            error={submission.errors.fields.count}
          />
        </div>
        <TextField
          label="Valid until"
          type="date"
          value={expiresOn}
          onChange={setExpiresOn}
          min={inDays(1)}
          required
          error={submission.errors.fields.expiresAt}
        />
        <FormActions
          submitLabel={'Issue codes'}
          busyLabel="Issuing…"
          busy={submission.busy}
          onCancel={onClose}
        />
      </form>
    </Modal>
  );
}
