import { formatMoney } from '../../billing/money.js';
import { printTable, type Command } from '../command.js';

export const ledgerVerify: Command = {
  group: 'ledger',
  name: 'verify',
  summary: 'Check that every wallet balance equals the sum of its ledger entries (exit 1 if not)',
  usage: '',
  options: {},
  optionHelp: {},
  details: [
    'Also checks that what each wallet holds for running requests equals its open holds.',
    'It only reads: a mismatch is reported, never repaired. Exit codes: 0 all agree, 1 mismatch.',
  ],
  async run(context) {
    const store = await context.store();
    const mismatches = await store.wallets.verify();
    // Every account has exactly one wallet, created in the same transaction.
    const wallets = await store.accounts.count();
    if (mismatches.length === 0) {
      context.stdout.write(
        `OK: ${wallets} wallet${wallets === 1 ? '' : 's'}, every balance equals the sum of its ledger entries and every hold is accounted for.\n`,
      );
      return 0;
    }
    const names = new Map(
      (await store.accounts.list()).map((account) => [account.id, account.username]),
    );
    context.stdout.write(
      `MISMATCH: ${mismatches.length} of ${wallets} wallets disagree with their ledger or their open holds:\n`,
    );
    printTable(
      context.stdout,
      ['ACCOUNT', 'BALANCE', 'LEDGER SUM', 'DIFFERENCE', 'HELD', 'OPEN HOLDS'],
      mismatches.map((wallet) => [
        `${names.get(wallet.accountId) ?? '?'} (id ${wallet.accountId})`,
        formatMoney(wallet.balance),
        formatMoney(wallet.ledgerSum),
        formatMoney(wallet.balance - wallet.ledgerSum),
        formatMoney(wallet.held),
        formatMoney(wallet.openHolds),
      ]),
    );
    context.stdout.write(
      'The ledger is append-only and records what happened: a balance that differs from it was\n' +
        'changed outside the ledger (by hand or by a bug). Nothing was repaired.\n',
    );
    return 1;
  },
};
